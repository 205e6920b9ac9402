/**
 * The server side of the throughput benchmarks, run in its own process so that the load
 * generator does not share its event loop. One Fastify app holds, side by side:
 *   POST /bare                    a plain route answering the same JSON a refresh answers (the baseline)
 *   POST /cached/refresh          the plugin, answering from the stored token
 *   POST /upstream/refresh        the plugin, reaching Chatzy on every call: the in-process stub
 *                                 (an undici Dispatcher, no socket) as its `dispatcher`
 *   POST /upstream-http/refresh   the same, reaching a Chatzy stub over loopback HTTP
 *   POST /proxy                   no plugin: forwards each call to the loopback stub's refresh
 *                                 endpoint with undici and answers its token (the ceiling of any
 *                                 route that calls Chatzy over HTTP)
 *   POST /proxy-inprocess         no plugin either: the plugin's own HTTP client alone, calling the
 *                                 in-process stub (the ceiling of /upstream/refresh)
 * Beside it, the fetch handler and the node middleware each on a server of their own, with a
 * bare route of that server as their baseline (adapter-servers.ts).
 * Tells its parent the URLs over IPC, and answers `{ type: 'calls' }` with both stubs' call counts.
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import Fastify from 'fastify'
import { Agent } from 'undici'
import type sourcePlugin from '../server/src/index.js'
import type * as sourceClient from '../server/src/upstream-http.js'
import { ChatzyStub } from './chatzy-stub.js'
import { startExpressServer, startFetchServer } from './adapter-servers.js'

const BENCH_CHATBOT_ID = '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'
const BENCH_USER_HEADER = 'x-bench-user'
const API_KEY = 'ak-bench-0123456789'
const ACCESS_TTL_MS = 15 * 60_000
const REFRESH_TTL_MS = 7 * 24 * 3_600_000

/** Chatzy's two endpoints at their cheapest: plain node:http, no validation, no delay. */
async function startStub() {
  const calls = { mint: 0, refresh: 0 }
  // Unique and as long as real ones (32 characters), but without a CSPRNG call per token: the
  // stub's own cost is not what the benchmark measures.
  let issued = 0
  const token = (prefix: string) => `${prefix}_${(++issued).toString(36).padStart(32, '0')}`
  const stub = createServer((request, response) => {
    request.resume()
    request.once('end', () => {
      const now = Date.now()
      let answer: object
      if (request.url === '/ai_agent/refresh_token') {
        calls.refresh++
        answer = { data: { access_token: token('at'), expires_at: now + ACCESS_TTL_MS } }
      } else {
        calls.mint++
        answer = { data: { access_token: token('at'), refresh_token: token('rt'), access_token_expires_at: now + ACCESS_TTL_MS, refresh_token_expires_at: now + REFRESH_TTL_MS } }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve))
  return {
    calls,
    url: `http://127.0.0.1:${(stub.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => { stub.closeAllConnections(); stub.close(() => resolve()) }),
  }
}

// The plugin as it ships (compiled by tsc into dist/, which `npm run bench` builds first), not
// its sources through a TypeScript loader. Typed from the sources, which dist/ is built from.
const shipped = new URL('../dist/server/src/index.js', import.meta.url).href
const { default: chatzyAgent } = (await import(shipped)) as { default: typeof sourcePlugin }
const { upstreamHttp } = (await import(new URL('../dist/server/src/upstream-http.js', import.meta.url).href)) as typeof sourceClient

async function main() {
  const stub = await startStub()
  const { calls, url } = stub
  const app = Fastify({ logger: false })

  const sample = { access_token: `at_${randomBytes(24).toString('base64url')}`, expires_at: Date.now() + ACCESS_TTL_MS }
  app.post('/bare', { bodyLimit: 4 * 1024 }, async () => sample)

  // One upstream HTTP exchange per request over a keep-alive pool, and nothing else.
  const agent = new Agent({ keepAliveTimeout: 5_000 })
  app.post('/proxy', { bodyLimit: 4 * 1024 }, async () => {
    const { body } = await agent.request({
      origin: url,
      path: '/ai_agent/refresh_token',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'bench-user', chatbot_id: BENCH_CHATBOT_ID, refresh_token: 'rt' }),
    })
    return ((await body.json()) as { data: object }).data
  })

  // The plugin's HTTP client alone (deadline, size cap), to a stub of its own: no session, no store.
  const direct = upstreamHttp(new ChatzyStub())
  const stubRefresh = direct.endpoint(new URL('https://chatzy.stub/ai_agent/refresh_token'))
  app.post('/proxy-inprocess', { bodyLimit: 4 * 1024 }, async () => {
    const answer = await direct.post(stubRefresh, JSON.stringify({ user_id: 'bench-user', chatbot_id: BENCH_CHATBOT_ID, refresh_token: 'rt' }), 10_000, 64 * 1024)
    return (JSON.parse(answer.text) as { data: object }).data
  })

  const common = {
    apiKey: API_KEY,
    chatbotId: BENCH_CHATBOT_ID,
    apiUrl: url,
    appUrl: 'https://app.chatzy.test',
    identify: (request: { headers: Record<string, string | string[] | undefined> }) => (request.headers[BENCH_USER_HEADER] as string | undefined) ?? null,
    cookie: { secret: randomBytes(32).toString('hex') },
  }
  // Each plugin instance in its own encapsulated scope, as two separate apps would have it.
  await app.register(async (scope) => {
    await scope.register(chatzyAgent, { ...common, prefix: '/cached' })
  })
  // A refresh margin longer than the token's life: every refresh goes to Chatzy.
  const everyTime = { refreshMarginMs: 2 * ACCESS_TTL_MS, minRefreshIntervalMs: 0 }
  const inProcess = new ChatzyStub()
  await app.register(async (scope) => {
    await scope.register(chatzyAgent, { ...common, ...everyTime, prefix: '/upstream', apiUrl: 'https://chatzy.stub', dispatcher: inProcess })
  })
  await app.register(async (scope) => {
    await scope.register(chatzyAgent, { ...common, ...everyTime, prefix: '/upstream-http' })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })

  const adapterOptions = { ...common, userHeader: BENCH_USER_HEADER, sample }
  const fetchServer = await startFetchServer(adapterOptions)
  const expressServer = await startExpressServer(adapterOptions)

  process.on('message', (message: { type: string }) => {
    if (message.type === 'calls') process.send!({ type: 'calls', calls: { http: { ...calls }, inProcess: { ...inProcess.calls } } })
    if (message.type === 'close') {
      void Promise.all([app.close(), fetchServer.close(), expressServer.close(), stub.close(), agent.destroy()]).then(() => process.exit(0))
    }
  })
  process.send!({
    type: 'ready',
    urls: { fastify: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, fetch: fetchServer.url, node: expressServer.url },
  })
}

await main()
