import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import type { ChatzyAgentOptions } from '../src/index.js'
import { buildApp, call } from './helpers.js'
import { startChatzyStub, type Behaviour, type StubCall } from './chatzy-stub.js'

type T = { after(fn: () => unknown): void }
type Plan = (call: StubCall) => { behaviour: Behaviour; delayMs?: number }

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The stub Chatzy and a host app on it, both closed when the test ends. */
async function setup(t: T, plan: Plan, options: Partial<ChatzyAgentOptions> = {}) {
  const chatzy = await startChatzyStub(plan)
  t.after(() => chatzy.close())
  const app = await buildApp(chatzy, options)
  t.after(() => app.close())
  return { chatzy, app }
}

const users = (count: number, prefix = 'user') => Array.from({ length: count }, (_, i) => `${prefix}-${i}`)

/**
 * `rounds` times, every user opens the page at once (POST /session). Counts the answers, and
 * the breaker's own 503s: those that made no upstream call at all for their user.
 */
async function pageLoads(app: FastifyInstance, chatzy: { calls: StubCall[] }, who: string[], rounds: number) {
  let answers = 0
  let failFast = 0
  const statuses: Record<number, number> = {}
  for (let round = 0; round < rounds; round++) {
    const before = chatzy.calls.length
    const responses = await Promise.all(who.map((user) => call(app, 'POST', '/session', { user })))
    const called = new Set(chatzy.calls.slice(before).map((c) => c.user))
    responses.forEach((response, i) => {
      answers++
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1
      if (response.statusCode === 503 && !called.has(who[i]!)) failFast++
    })
  }
  return { answers, failFast, statuses }
}

const oneInTen = (behaviour: Behaviour, delayMs = 0): Plan => (c) => (c.n % 10 === 0 ? { behaviour, delayMs } : { behaviour: 'ok' })

test('breaker: 100 users opening a page at once while 1 upstream call in 10 hangs past timeoutMs get almost no breaker 503', async (t) => {
  const { chatzy, app } = await setup(t, oneInTen('hang'), { timeoutMs: 2_000 })
  const { answers, failFast, statuses } = await pageLoads(app, chatzy, users(100), 6)
  assert.ok(failFast < answers / 100, `${failFast} of ${answers} answers were the breaker's 503 (${JSON.stringify(statuses)})`)
  assert.ok((statuses[200] ?? 0) >= answers * 0.99, `a hung attempt is retried in time: ${JSON.stringify(statuses)}`)
})

// Faults that end late (a gateway's own timeout, then its 502; a reset after a stall): they
// finish together, after the successes of the calls that began with them.
for (const [name, behaviour] of [['5xx', { status: 502 }], ['reset', 'reset'], ['non-JSON', 'non-json'], ['wrong shape', 'schema']] as [string, Behaviour][]) {
  test(`breaker: 100 users at once while 1 upstream call in 10 fails late with ${name}, no retries: almost no breaker 503`, async (t) => {
    const { chatzy, app } = await setup(t, oneInTen(behaviour, 300), { retries: 0, timeoutMs: 2_000 })
    const { answers, failFast, statuses } = await pageLoads(app, chatzy, users(100), 4)
    assert.ok(failFast < answers / 100, `${failFast} of ${answers} answers were the breaker's 503 (${JSON.stringify(statuses)})`)
  })
}

test('breaker: with Chatzy down for everyone it opens after threshold users, then calls nobody until one probe succeeds', async (t) => {
  const down: Plan = () => ({ behaviour: { status: 500 } })
  const { chatzy, app } = await setup(t, down, { retries: 0, breaker: { threshold: 3, cooldownMs: 400 } })
  for (const user of users(3, 'first')) assert.equal((await call(app, 'POST', '/session', { user })).statusCode, 503)
  assert.equal(chatzy.calls.length, 3)
  assert.deepEqual((await app.chatzy.health()).breakers, { '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1': 'open' })

  // Open: 100 users at once, answered at once, Chatzy spared.
  const open = await pageLoads(app, chatzy, users(100), 1)
  assert.equal(open.failFast, 100)
  assert.equal(chatzy.calls.length, 3)

  // After the cooldown, of 50 users at once only one probe reaches Chatzy; it fails and re-opens it.
  await pause(450)
  await pageLoads(app, chatzy, users(50, 'probe'), 1)
  assert.equal(chatzy.calls.length, 4)

  // Chatzy is back: after the next cooldown, the probe succeeds and everyone gets through.
  chatzy.plan(() => ({ behaviour: 'ok' }))
  await pause(450)
  assert.equal((await call(app, 'POST', '/session', { user: 'probe-ok' })).statusCode, 200)
  const healed = await pageLoads(app, chatzy, users(100, 'healed'), 1)
  assert.equal(healed.statuses[200], 100)
})

test('breaker: with Chatzy down, 100 users at once whose calls all hang open it; then nobody is called', async (t) => {
  const { chatzy, app } = await setup(t, () => ({ behaviour: 'hang' }), { retries: 0, timeoutMs: 300, breaker: { threshold: 5, cooldownMs: 60_000 } })
  const first = await pageLoads(app, chatzy, users(100), 1)
  assert.equal(first.statuses[504], 100)
  const calls = chatzy.calls.length
  const then = await pageLoads(app, chatzy, users(100, 'later'), 1)
  assert.equal(then.failFast, 100)
  assert.equal(chatzy.calls.length, calls)
})

/** A plan by user: `slow` users hang (or succeed late), `bad` users get a 500, everyone else a token. */
function byUser(slow: Record<string, Behaviour>, bad: string[], slowDelayMs = 0): Plan {
  return (c) => c.user in slow ? { behaviour: slow[c.user]!, delayMs: slowDelayMs } : bad.includes(c.user) ? { behaviour: { status: 500 } } : { behaviour: 'ok' }
}

async function seen(chatzy: { calls: StubCall[] }, user: string) {
  for (let i = 0; i < 200 && !chatzy.calls.some((c) => c.user === user); i++) await pause(10)
}

test('breaker: a failure of a call that began before it opened does not keep it open: after the cooldown the next user is the probe', async (t) => {
  const { chatzy, app } = await setup(t, byUser({ slow: 'hang' }, ['a', 'b']), { retries: 0, timeoutMs: 5_000, breaker: { threshold: 2, cooldownMs: 300 } })
  const slow = call(app, 'POST', '/session', { user: 'slow' })
  await seen(chatzy, 'slow')
  for (const user of ['a', 'b']) assert.equal((await call(app, 'POST', '/session', { user })).statusCode, 503)
  await pause(350)
  // The call under way since before the breaker opened now fails (its connection drops).
  chatzy.drop()
  assert.equal((await slow).statusCode, 503)
  const next = await call(app, 'POST', '/session', { user: 'c' })
  assert.equal(next.statusCode, 200, next.body)
})

test('breaker: a success of a call that began before it opened does not close it', async (t) => {
  const { chatzy, app } = await setup(t, byUser({ slow: 'ok' }, ['a', 'b'], 400), { retries: 0, breaker: { threshold: 2, cooldownMs: 60_000 } })
  const slow = call(app, 'POST', '/session', { user: 'slow' })
  await seen(chatzy, 'slow')
  for (const user of ['a', 'b']) assert.equal((await call(app, 'POST', '/session', { user })).statusCode, 503)
  assert.equal((await slow).statusCode, 200)
  const calls = chatzy.calls.length
  assert.equal((await call(app, 'POST', '/session', { user: 'c' })).statusCode, 503)
  assert.equal(chatzy.calls.length, calls, 'still open: Chatzy is spared')
})

test('breaker: failures of calls that began before it closed again do not open it again', async (t) => {
  const { chatzy, app } = await setup(t, byUser({ slow1: 'hang', slow2: 'hang' }, ['a', 'b']), { retries: 0, timeoutMs: 5_000, breaker: { threshold: 2, cooldownMs: 300 } })
  const slow = ['slow1', 'slow2'].map((user) => call(app, 'POST', '/session', { user }))
  await seen(chatzy, 'slow1')
  await seen(chatzy, 'slow2')
  for (const user of ['a', 'b']) assert.equal((await call(app, 'POST', '/session', { user })).statusCode, 503)
  await pause(350)
  assert.equal((await call(app, 'POST', '/session', { user: 'probe' })).statusCode, 200)
  chatzy.drop()
  for (const response of await Promise.all(slow)) assert.equal(response.statusCode, 503)
  const next = await call(app, 'POST', '/session', { user: 'c' })
  assert.equal(next.statusCode, 200, next.body)
})

test('upstream: a hung attempt leaves time for a retry within timeoutMs, and the user never notices', async (t) => {
  const { chatzy, app } = await setup(t, (c) => ({ behaviour: c.n === 1 ? 'hang' : 'ok' }), { retries: 1, timeoutMs: 1_000 })
  const response = await call(app, 'POST', '/session', { user: 'alice' })
  assert.equal(response.statusCode, 200, response.body)
  assert.equal(chatzy.calls.length, 2)
})

test('upstream: a Chatzy that never answers is 504 once every attempt has had its share of timeoutMs', async (t) => {
  const { chatzy, app } = await setup(t, () => ({ behaviour: 'hang' }), { retries: 2, timeoutMs: 600 })
  t.mock.method(Math, 'random', () => 0)
  const response = await call(app, 'POST', '/session', { user: 'alice' })
  assert.equal(response.statusCode, 504)
  assert.equal(response.json().code, 'CHATZY_UPSTREAM_TIMEOUT')
  assert.equal(chatzy.calls.length, 3)
})

const throttle = (throttled: string[], retryAfterSeconds: number): Plan => (c) =>
  throttled.includes(c.user) ? { behaviour: { status: 429, retryAfterSeconds } } : { behaviour: 'ok' }

test('back-pressure: one user\'s 429 from Chatzy slows that user only; 20 others get their tokens', async (t) => {
  const { chatzy, app } = await setup(t, throttle(['alice'], 30), { timeoutMs: 1_000 })
  const throttled = await call(app, 'POST', '/session', { user: 'alice' })
  assert.equal(throttled.statusCode, 503)
  assert.equal(throttled.headers['retry-after'], '30')

  const others = await Promise.all(users(20).map((user) => call(app, 'POST', '/session', { user })))
  assert.deepEqual(others.map((r) => r.statusCode), others.map(() => 200))

  // Alice waits out her Retry-After: answered at once, no call.
  const calls = chatzy.calls.length
  const again = await call(app, 'POST', '/session', { user: 'alice' })
  assert.equal(again.statusCode, 503)
  assert.ok(Number(again.headers['retry-after']) >= 29)
  assert.equal(chatzy.calls.length, calls)
})

test('back-pressure: once several users are throttled, everyone waits out Chatzy\'s Retry-After', async (t) => {
  const { chatzy, app } = await setup(t, throttle(['alice', 'bob', 'carol'], 30), { timeoutMs: 1_000 })
  for (const user of ['alice', 'bob', 'carol']) assert.equal((await call(app, 'POST', '/session', { user })).statusCode, 503)
  const calls = chatzy.calls.length
  const dave = await call(app, 'POST', '/session', { user: 'dave' })
  assert.equal(dave.statusCode, 503)
  assert.ok(Number(dave.headers['retry-after']) >= 29)
  assert.equal(chatzy.calls.length, calls, 'Chatzy is spared')
})
