import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createChatzyClient } from '../src/chatzy-client.js'
import { upstreamHttp } from '../src/upstream-http.js'
import { API_KEY, CHATBOT_ID, call, startApp, startChatzy } from './helpers.js'

const BROKEN_BOT = '0d6c3a52-7b1e-4c8e-9a55-2f4b8e1d9c70'
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('breaker: a chatbot that fails opens its own breaker only; users of the other chatbot still get tokens', async (t) => {
  const { chatzy, app } = await startApp(t, { chatbotId: [CHATBOT_ID, BROKEN_BOT], retries: 0, breaker: { threshold: 2, cooldownMs: 60_000 } })
  chatzy.faults.inject({ fault: 'status-500', chatbots: [BROKEN_BOT] })
  for (const user of ['u1', 'u2', 'u3']) {
    assert.equal((await call(app, 'POST', '/session', { user, body: { chatbot_id: BROKEN_BOT } })).statusCode, 503)
  }
  assert.equal(chatzy.calls.mint, 2, 'the broken chatbot fails fast once its breaker is open')

  for (const user of ['v1', 'v2', 'v3']) {
    const healthy = await call(app, 'POST', '/session', { user, body: { chatbot_id: CHATBOT_ID } })
    assert.equal(healthy.statusCode, 200, `${user}: ${healthy.body}`)
  }
  assert.equal(chatzy.calls.mint, 5)
})

test('breaker: one user whose calls keep failing does not shut the others out', async (t) => {
  const { chatzy, app } = await startApp(t, { retries: 0, breaker: { threshold: 2, cooldownMs: 60_000 } })
  chatzy.faults.inject({ fault: 'status-500', users: ['mallory'] })
  for (let i = 0; i < 6; i++) assert.equal((await call(app, 'POST', '/session', { user: 'mallory' })).statusCode, 503)
  const bob = await call(app, 'POST', '/session', { user: 'bob' })
  assert.equal(bob.statusCode, 200, bob.body)
})

test('breaker: a 429 with Retry-After is back-pressure: honoured for its user (no call meanwhile, Retry-After passed on), never opens a breaker', async (t) => {
  const { chatzy, app } = await startApp(t, { retries: 0, timeoutMs: 500, breaker: { threshold: 1, cooldownMs: 60_000 } })
  chatzy.faults.inject({ fault: 'throttle', retryAfterSeconds: 1, times: 1 })
  const throttled = await call(app, 'POST', '/session', { user: 'alice' })
  assert.equal(throttled.statusCode, 503)
  assert.equal(throttled.json().code, 'CHATZY_UPSTREAM_UNAVAILABLE')
  assert.equal(throttled.headers['retry-after'], '1')
  assert.equal(chatzy.calls.mint, 1)

  // Within Chatzy's Retry-After (longer than this deadline): alice is answered at once, Chatzy is spared.
  const waiting = await call(app, 'POST', '/session', { user: 'alice' })
  assert.equal(waiting.statusCode, 503)
  assert.ok(Number(waiting.headers['retry-after']) >= 1)
  assert.equal(chatzy.calls.mint, 1)
  // Another user is not slowed by one user's throttle, and the breaker (threshold 1) stayed closed.
  assert.equal((await call(app, 'POST', '/session', { user: 'bob' })).statusCode, 200)
  assert.equal(chatzy.calls.mint, 2)

  await pause(1_050)
  assert.equal((await call(app, 'POST', '/session', { user: 'alice' })).statusCode, 200)
  assert.equal(chatzy.calls.mint, 3)
})

test('breaker: a 429 whose Retry-After fits the deadline is waited out, and the user never notices', async (t) => {
  const { chatzy, app } = await startApp(t, { retries: 1, timeoutMs: 3_000, breaker: { threshold: 1, cooldownMs: 60_000 } })
  chatzy.faults.inject({ fault: 'throttle', retryAfterSeconds: 1, times: 1 })
  const response = await call(app, 'POST', '/session', { user: 'alice' })
  assert.equal(response.statusCode, 200, response.body)
  assert.equal(chatzy.calls.mint, 2)
})

test('breaker: breakerStates() tells each chatbot\'s state: open for the failing one, closed for the other, half-open after the pause', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const client = createChatzyClient({ apiUrl: chatzy.url, apiKey: API_KEY, timeoutMs: 2_000, retries: 0, breakerThreshold: 2, breakerCooldownMs: 300, chatbots: [CHATBOT_ID, BROKEN_BOT], transport: upstreamHttp() })
  t.after(() => client.close())
  assert.deepEqual(client.breakerStates(), { [CHATBOT_ID]: 'closed', [BROKEN_BOT]: 'closed' })

  chatzy.faults.inject({ fault: 'status-500', chatbots: [BROKEN_BOT] })
  for (const user_id of ['u1', 'u2']) await assert.rejects(client.mint({ user_id, chatbot_id: BROKEN_BOT }), { code: 'CHATZY_UPSTREAM_UNAVAILABLE' })
  await client.mint({ user_id: 'u3', chatbot_id: CHATBOT_ID })
  assert.deepEqual(client.breakerStates(), { [CHATBOT_ID]: 'closed', [BROKEN_BOT]: 'open' })

  await pause(350)
  assert.equal(client.breakerStates()[BROKEN_BOT], 'half-open')
  chatzy.faults.clear()
  await client.mint({ user_id: 'u1', chatbot_id: BROKEN_BOT })
  assert.equal(client.breakerStates()[BROKEN_BOT], 'closed')
})
