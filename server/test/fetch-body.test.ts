import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chatzyAgent } from '../src/fetch/index.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET } from './helpers.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }
const headers = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

/** Nobody is signed in: a body the agent could read answers 401, one it refused answers 400 or 413. */
function agent(t: { after(fn: () => unknown): void }) {
  const web = chatzyAgent({ apiKey: API_KEY, chatbotId: CHATBOT_ID, cookie: { secret: COOKIE_SECRET }, logger: silent, identify: () => null })
  t.after(() => web.close())
  return web
}

const streamOf = (...chunks: string[]) => new ReadableStream<Uint8Array>({
  start(controller) {
    for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
    controller.close()
  },
})

test('fetch: a body without a declared length (a Request the app built, HTTP/2, chunked) is read', async (t) => {
  const web = agent(t)
  const built = await web.fetch(new Request('http://localhost/chatzy/session', { method: 'POST', headers, body: '{}' }))
  assert.equal(built.status, 401)
  assert.equal((await built.json()).code, 'CHATZY_UNAUTHENTICATED')
  const streamed = await web.fetch(new Request('http://localhost/chatzy/session', { method: 'POST', headers, body: streamOf('{', '}'), duplex: 'half' } as RequestInit))
  assert.equal(streamed.status, 401)
})

test('fetch: a body over 4 KiB is 413, declared or streamed, and a POST with none is 400', async (t) => {
  const web = agent(t)
  const big = JSON.stringify({ chatbot_id: 'x'.repeat(5_000) })
  const declared = await web.fetch(new Request('http://localhost/chatzy/session', { method: 'POST', headers: { ...headers, 'content-length': String(big.length) }, body: big }))
  assert.equal(declared.status, 413)
  const streamed = await web.fetch(new Request('http://localhost/chatzy/session', { method: 'POST', headers, body: streamOf(big.slice(0, 3_000), big.slice(3_000)), duplex: 'half' } as RequestInit))
  assert.equal(streamed.status, 413)
  const none = await web.fetch(new Request('http://localhost/chatzy/session', { method: 'POST', headers }))
  assert.equal(none.status, 400)
  assert.equal((await none.json()).code, 'CHATZY_BAD_REQUEST')
})
