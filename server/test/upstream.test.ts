import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ChatzyAgentOptions } from '../src/index.js'
import type { FaultPlan } from '../../demo/mock-chatzy/faults.js'
import { call, sessionCookieOf, startApp } from './helpers.js'

type T = { after(fn: () => unknown): void }

/** Upstream tests: a short deadline, two retries. */
const setup = (t: T, options: Partial<ChatzyAgentOptions> = {}) => startApp(t, { retries: 2, timeoutMs: 2_000, ...options })

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// What the browser gets for each way Chatzy can fail a mint, and how many calls Chatzy saw.
const faults: [string, FaultPlan, number, string, number][] = [
  ['5xx is retried, then 503', { fault: 'status-500' }, 503, 'CHATZY_UPSTREAM_UNAVAILABLE', 3],
  ['a dropped connection is retried, then 503', { fault: 'reset' }, 503, 'CHATZY_UPSTREAM_UNAVAILABLE', 3],
  ['a throttle (429) is retried, then 503', { fault: 'throttle' }, 503, 'CHATZY_UPSTREAM_UNAVAILABLE', 3],
  ['a refusal (4xx) is not retried: 502', { fault: 'refuse' }, 502, 'CHATZY_UPSTREAM_BAD_RESPONSE', 1],
  ['a non-JSON answer is not retried: 502', { fault: 'non-json' }, 502, 'CHATZY_UPSTREAM_BAD_RESPONSE', 1],
  ['an answer off the schema is not retried: 502', { fault: 'schema' }, 502, 'CHATZY_UPSTREAM_BAD_RESPONSE', 1],
  ['an oversized answer is cut off, not retried: 502', { fault: 'oversized' }, 502, 'CHATZY_UPSTREAM_BAD_RESPONSE', 1],
]

for (const [name, plan, status, code, calls] of faults) {
  test(`upstream: ${name}`, async (t) => {
    const { chatzy, app } = await setup(t)
    chatzy.faults.inject({ ...plan, endpoints: ['mint'] })
    const response = await call(app, 'POST', '/session', { user: 'alice' })
    assert.equal(response.statusCode, status)
    assert.equal(response.json().code, code)
    assert.equal(chatzy.calls.mint, calls)
    assert.equal(response.headers['set-cookie'], undefined, 'no session without a token')
  })
}

test('upstream: a transient 5xx or dropped connection is retried and the user never notices', async (t) => {
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 0 })
  chatzy.faults.inject({ fault: 'status-500', endpoints: ['mint'], times: 2 })
  const response = await call(app, 'POST', '/session', { user: 'alice' })
  assert.equal(response.statusCode, 200)
  assert.equal(chatzy.calls.mint, 3)

  chatzy.faults.inject({ fault: 'reset', endpoints: ['refresh'], times: 1 })
  const refreshed = await call(app, 'POST', '/refresh', { user: 'alice', cookie: sessionCookieOf(response), body: { expires_at: response.json().expires_at } })
  assert.equal(refreshed.statusCode, 200)
  assert.equal(chatzy.calls.refresh, 2)
  assert.notEqual(refreshed.json().access_token, response.json().access_token)
})

test('upstream: a Chatzy that never answers is 504 CHATZY_UPSTREAM_TIMEOUT within the deadline', async (t) => {
  const { chatzy, app } = await setup(t, { timeoutMs: 300, retries: 0 })
  // Far slower than the deadline (the mock's 'hang' drops the connection once the body is read).
  chatzy.faults.inject({ fault: 'delay', delayMs: 1_000, endpoints: ['mint'] })
  const response = await call(app, 'POST', '/session', { user: 'alice' })
  assert.equal(response.statusCode, 504)
  assert.equal(response.json().code, 'CHATZY_UPSTREAM_TIMEOUT')
  assert.equal(chatzy.calls.mint, 1)
  assert.equal(response.headers['set-cookie'], undefined)
})

test('upstream: retries stop at the total deadline, not at the retry count', async (t) => {
  // Jitter fixed at half its range: pauses of 100, 200, 400, 800 ms… against a 1 s deadline.
  t.mock.method(Math, 'random', () => 0.5)
  const { chatzy, app } = await setup(t, { timeoutMs: 1_000, retries: 10 })
  chatzy.faults.inject({ fault: 'status-500', endpoints: ['mint'] })
  const response = await call(app, 'POST', '/session', { user: 'alice' })
  assert.ok([503, 504].includes(response.statusCode))
  assert.ok(chatzy.calls.mint >= 2 && chatzy.calls.mint <= 5, `${chatzy.calls.mint} attempts`)
})

test('upstream: the circuit breaker fails fast (503, no call) while Chatzy is down, then probes again after its pause', async (t) => {
  const { chatzy, app } = await setup(t, { retries: 0, breaker: { threshold: 2, cooldownMs: 600 } })
  chatzy.faults.inject({ fault: 'status-500', endpoints: ['mint'] })
  // Down for everyone: two users fail in a row (one user alone never opens it, see breaker.test.ts).
  for (const user of ['alice', 'bob']) assert.equal((await call(app, 'POST', '/session', { user })).statusCode, 503)
  assert.equal(chatzy.calls.mint, 2)

  // Open: answered at once, Chatzy is spared.
  for (const user of ['alice', 'bob', 'carol', 'dave', 'erin']) {
    const fast = await call(app, 'POST', '/session', { user })
    assert.equal(fast.statusCode, 503)
    assert.equal(fast.json().code, 'CHATZY_UPSTREAM_UNAVAILABLE')
  }
  assert.equal(chatzy.calls.mint, 2)

  // After the pause one probe goes through; it fails, so the breaker opens again.
  await pause(650)
  assert.equal((await call(app, 'POST', '/session', { user: 'alice' })).statusCode, 503)
  assert.equal(chatzy.calls.mint, 3)
  assert.equal((await call(app, 'POST', '/session', { user: 'alice' })).statusCode, 503)
  assert.equal(chatzy.calls.mint, 3)

  // Chatzy is back: the next probe succeeds and closes the breaker.
  chatzy.faults.clear()
  await pause(650)
  assert.equal((await call(app, 'POST', '/session', { user: 'alice' })).statusCode, 200)
  assert.equal((await call(app, 'POST', '/session', { user: 'bob' })).statusCode, 200)
  assert.equal(chatzy.calls.mint, 5)
})

test('upstream: refusals and bad answers prove Chatzy is up and do not open the breaker', async (t) => {
  const { chatzy, app } = await setup(t, { retries: 0, breaker: { threshold: 2, cooldownMs: 60_000 } })
  chatzy.faults.inject({ fault: 'non-json', endpoints: ['mint'], times: 3 })
  for (let i = 0; i < 3; i++) assert.equal((await call(app, 'POST', '/session', { user: 'alice' })).statusCode, 502)
  assert.equal((await call(app, 'POST', '/session', { user: 'alice' })).statusCode, 200)
  assert.equal(chatzy.calls.mint, 4)
})

test('upstream: a failed refresh keeps the session: the next try works once Chatzy is back', async (t) => {
  const { chatzy, app } = await setup(t, { retries: 0, minRefreshIntervalMs: 0 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  chatzy.faults.inject({ fault: 'status-500', endpoints: ['refresh'], times: 1 })
  const failed = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: started.json().expires_at } })
  assert.equal(failed.statusCode, 503)
  assert.equal(chatzy.calls.mint, 1, 'Chatzy being down is no reason to mint')
  const ok = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: started.json().expires_at } })
  assert.equal(ok.statusCode, 200)
})

test('upstream: the pause between retries is drawn at random (jitter), so instances do not retry in step', async (t) => {
  const attempts: number[] = []
  for (const draw of [0, 0.99]) {
    const random = t.mock.method(Math, 'random', () => draw)
    const { chatzy, app } = await setup(t, { timeoutMs: 1_000, retries: 5 })
    chatzy.faults.inject({ fault: 'status-500', endpoints: ['mint'] })
    const response = await call(app, 'POST', '/session', { user: 'alice' })
    assert.ok([503, 504].includes(response.statusCode))
    attempts.push(chatzy.calls.mint)
    random.mock.restore()
  }
  // A zero draw retries at once, all 5 times; a high draw waits 200, 400… ms and meets the deadline first.
  assert.equal(attempts[0], 6)
  assert.ok(attempts[1]! < 6, `${attempts[1]} attempts with long pauses`)
})
