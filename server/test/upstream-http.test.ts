import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { Agent, type Dispatcher } from 'undici'
import { createChatzyClient } from '../src/chatzy-client.js'
import { UpstreamBadResponse, UpstreamTimeout } from '../src/errors.js'
import { upstreamHttp } from '../src/upstream-http.js'
import { upstreamFetch } from '../src/upstream-fetch.js'
import { ExchangeFailed } from '../src/upstream-exchange.js'

type T = { after(fn: () => unknown): void }

const minted = JSON.stringify({ data: { access_token: 'at', refresh_token: 'rt', access_token_expires_at: Date.now() + 60_000, refresh_token_expires_at: Date.now() + 120_000 } })

/** A bare HTTP server standing in for Chatzy, counting requests and connections. */
async function stub(t: T, answer: (request: IncomingMessage, response: ServerResponse) => void) {
  const seen = { requests: 0, connections: 0 }
  const server = createServer((request, response) => {
    seen.requests++
    request.resume()
    request.once('end', () => answer(request, response))
  })
  server.on('connection', () => seen.connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }))
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return { seen, url }
}

// Both transports keep one contract: the fetch adapter's (the runtime's `fetch`) and undici's.
const transports = { undici: () => upstreamHttp(), fetch: () => upstreamFetch() }
type TransportName = keyof typeof transports

function client(t: T, apiUrl: string, timeoutMs = 2_000, retries = 0, transport: TransportName = 'undici') {
  const chatzy = createChatzyClient({ apiUrl, apiKey: 'ak-test-0123456789', timeoutMs, retries, transport: transports[transport]() })
  t.after(() => chatzy.close())
  return chatzy
}

const mint = (chatzy: ReturnType<typeof createChatzyClient>) => chatzy.mint({ user_id: 'alice', chatbot_id: 'bot' })

for (const via of Object.keys(transports) as TransportName[]) {
  test(`${via}: calls to Chatzy share kept-alive connections`, async (t) => {
    const chatzy = await stub(t, (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(minted))
    const upstream = client(t, chatzy.url, 2_000, 0, via)
    for (let i = 0; i < 20; i++) assert.equal((await mint(upstream)).access_token, 'at')
    assert.equal(chatzy.seen.requests, 20)
    // The pool may open a second connection for a call made the moment the first answer ends.
    assert.ok(chatzy.seen.connections <= 2, `${chatzy.seen.connections} connections for 20 calls in a row`)
  })

  test(`${via}: a redirect is refused at once: a misconfigured apiUrl is a bad answer, not worth retrying`, async (t) => {
    const elsewhere = await stub(t, (_request, response) => response.writeHead(200).end(minted))
    const chatzy = await stub(t, (_request, response) => response.writeHead(307, { location: `${elsewhere.url}/ai_agent/get_access_token` }).end())
    await assert.rejects(mint(client(t, chatzy.url, 2_000, 2, via)), UpstreamBadResponse)
    assert.equal(chatzy.seen.requests, 1, 'no retry, although two were allowed')
    assert.equal(elsewhere.seen.requests, 0, 'the request with the API key went nowhere else')
  })

  test(`${via}: an answer over 64 KiB is cut off, declared or streamed`, async (t) => {
    const big = Buffer.alloc(65 * 1024, 'a')
    const declared = await stub(t, (_request, response) => response.writeHead(200, { 'content-length': big.length }).end(big))
    await assert.rejects(mint(client(t, declared.url, 2_000, 0, via)), UpstreamBadResponse)
    const streamed = await stub(t, (_request, response) => {
      response.writeHead(200)
      const pump = (left: number): void => {
        if (left === 0 || response.destroyed) return void response.end()
        response.write(Buffer.alloc(8 * 1024, 'a'), () => pump(left - 1))
      }
      pump(64)
    })
    await assert.rejects(mint(client(t, streamed.url, 2_000, 0, via)), UpstreamBadResponse)
  })

  test(`${via}: a connection dropped mid-answer is retried`, async (t) => {
    const chatzy = await stub(t, (_request, response) => {
      if (chatzy.seen.requests === 1) {
        response.writeHead(200, { 'content-length': minted.length })
        response.write(minted.slice(0, 10), () => response.destroy())
        return
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(minted)
    })
    assert.equal((await mint(client(t, chatzy.url, 2_000, 1, via))).access_token, 'at')
    assert.equal(chatzy.seen.requests, 2)
  })

  test(`${via}: an answer that stalls after its headers is cut off at the deadline`, async (t) => {
    const chatzy = await stub(t, (_request, response) => {
      response.writeHead(200, { 'content-length': minted.length })
      response.write(minted.slice(0, 10))
    })
    const started = Date.now()
    await assert.rejects(mint(client(t, chatzy.url, 300, 0, via)), UpstreamTimeout)
    assert.ok(Date.now() - started < 1_000)
  })
}

test('a call whose deadline passes while it waits for a connection leaves that connection to the next call', async (t) => {
  const chatzy = await stub(t, (_request, response) => {
    setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(minted), 300)
  })
  const agent = new Agent({ connections: 1 })
  t.after(() => agent.close())
  const http = upstreamHttp(agent)
  const target = http.endpoint(new URL(`${chatzy.url}/ai_agent/get_access_token`))
  // The first call holds the only connection for 300 ms; the two behind it give up at 100 ms.
  const first = http.post(target, '{}', 2_000, 64 * 1024)
  const queued = [http.post(target, '{}', 100, 64 * 1024), http.post(target, '{}', 100, 64 * 1024)]
  for (const call of queued) await assert.rejects(call, (error: unknown) => error instanceof ExchangeFailed && error.failure.kind === 'timeout')
  assert.equal((await first).status, 200)
  assert.equal((await http.post(target, '{}', 2_000, 64 * 1024)).status, 200)
  assert.equal(chatzy.seen.requests, 2, 'the calls that gave up were never sent')
  assert.equal(chatzy.seen.connections, 1, 'and did not cost the pool its connection')
})

test('a host dispatcher that throws instead of reporting is a network failure, retried, with its timer cleared', async (t) => {
  const chatzy = await stub(t, (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(minted))
  let throws = 1
  class Flaky extends Agent {
    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      if (throws-- > 0) throw Object.assign(new Error('no route to the proxy'), { code: 'EHOSTUNREACH' })
      return super.dispatch(options, handler)
    }
  }
  const dispatcher = new Flaky()
  t.after(() => dispatcher.close())
  const http = upstreamHttp(dispatcher)
  const target = http.endpoint(new URL(`${chatzy.url}/ai_agent/get_access_token`))
  const started = Date.now()
  await assert.rejects(http.post(target, '{}', 60_000, 64 * 1024), (error: unknown) => error instanceof ExchangeFailed && error.failure.kind === 'network' && error.failure.code === 'EHOSTUNREACH')
  assert.ok(Date.now() - started < 1_000, 'failed at once, not at the deadline')
  const second = new Flaky()
  t.after(() => second.close())
  const upstream = createChatzyClient({ apiUrl: chatzy.url, apiKey: 'ak-test-0123456789', timeoutMs: 2_000, retries: 1, transport: upstreamHttp(second) })
  throws = 1
  assert.equal((await mint(upstream)).access_token, 'at', 'the client retried it like any network error')
})
