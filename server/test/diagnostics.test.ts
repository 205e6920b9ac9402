import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { diagnosticsChannels, type UpstreamCallMessage } from '../src/index.js'
import { CHATBOT_ID, call, sessionCookieOf, startApp } from './helpers.js'

/** What a subscriber sees: each session event, and each upstream attempt as it ended. */
function listen(t: TestContext) {
  const events: { channel: string; message: Record<string, unknown> }[] = []
  const { upstream, ...sessionChannels } = diagnosticsChannels
  for (const name of Object.values(sessionChannels)) {
    const listener = (message: unknown) => void events.push({ channel: name.replace('chatzy-agent:', ''), message: { ...message as object } })
    subscribe(name, listener)
    t.after(() => unsubscribe(name, listener))
  }
  const attempts: { started: Partial<UpstreamCallMessage>; ended: UpstreamCallMessage; failed?: string }[] = []
  const starts = new Map<UpstreamCallMessage, Partial<UpstreamCallMessage>>()
  const failures = new Map<UpstreamCallMessage, string>()
  const handlers = {
    start: (message: UpstreamCallMessage) => void starts.set(message, { ...message }),
    error: (message: UpstreamCallMessage) => void failures.set(message, (message.error as { code?: string }).code ?? 'none'),
    asyncEnd: (message: UpstreamCallMessage) => {
      const failed = failures.get(message)
      assert.ok(typeof message.durationMs === 'number' && message.durationMs >= 0)
      const { operation, chatbotId, attempt, outcome, statusCode } = message
      attempts.push({ started: starts.get(message)!, ended: { operation, chatbotId, attempt, outcome, statusCode } as UpstreamCallMessage, ...(failed && { failed }) })
    },
  }
  tracingChannel(upstream).subscribe(handlers as never)
  t.after(() => tracingChannel(upstream).unsubscribe(handlers as never))
  return { events, attempts }
}

const at = (operation: 'mint' | 'refresh', attempt: number, outcome: string, statusCode: number) =>
  ({ operation, chatbotId: CHATBOT_ID, attempt, outcome, statusCode })

test('diagnostics: each upstream attempt is traced, and each session event published, with what an operator needs', async (t) => {
  const { app, chatzy } = await startApp(t, { retries: 1, minRefreshIntervalMs: 0 })
  const { events, attempts } = listen(t)
  const user = 'ann'

  const started = await call(app, 'POST', '/session', { user })
  const cookie = sessionCookieOf(started)
  const expired = { expires_at: started.json().expires_at }
  await call(app, 'POST', '/refresh', { user, cookie, body: expired })
  await call(app, 'POST', '/refresh', { user, cookie, body: expired })
  chatzy.faults.inject({ fault: 'status-500', endpoints: ['refresh'], times: 1 })
  await call(app, 'POST', '/refresh', { user, cookie, body: { expires_at: 8.64e15 } })
  chatzy.revokeRefreshTokens()
  await call(app, 'POST', '/refresh', { user, cookie, body: { expires_at: 8.64e15 } })
  await call(app, 'POST', '/refresh', { user })
  await call(app, 'DELETE', '/session', { cookie })
  const bob = await call(app, 'POST', '/session', { user: 'bob' })
  await call(app, 'POST', '/refresh', { user: 'mallory', cookie: sessionCookieOf(bob) })

  assert.deepEqual(attempts.map((attempt) => attempt.ended), [
    at('mint', 1, 'ok', 200),
    at('refresh', 1, 'ok', 200),
    at('refresh', 1, 'server-error', 500),
    at('refresh', 2, 'ok', 200),
    at('refresh', 1, 'refused', 401),
    at('mint', 1, 'ok', 200),
    at('mint', 1, 'ok', 200),
  ])
  assert.deepEqual(attempts[0]!.started, { operation: 'mint', chatbotId: CHATBOT_ID, attempt: 1 }, 'start knows what is tried, not yet how it ends')
  assert.deepEqual(attempts.map((attempt) => attempt.failed), [undefined, undefined, 'CHATZY_UPSTREAM_UNAVAILABLE', undefined, 'CHATZY_UPSTREAM_REFUSED', undefined, undefined])

  const ann = { chatbotId: CHATBOT_ID, userId: user }
  assert.deepEqual(events, [
    { channel: 'session.created', message: ann },
    { channel: 'session.refreshed', message: { ...ann, via: 'refresh' } },
    { channel: 'session.reused', message: ann },
    { channel: 'session.refreshed', message: { ...ann, via: 'refresh' } },
    { channel: 'session.refreshed', message: { ...ann, via: 'mint' } },
    { channel: 'session.refused', message: { code: 'CHATZY_NO_SESSION', statusCode: 401, route: 'POST /chatzy/refresh' } },
    { channel: 'session.ended', message: { reason: 'sign-out' } },
    { channel: 'session.created', message: { chatbotId: CHATBOT_ID, userId: 'bob' } },
    { channel: 'session.ended', message: { reason: 'user-changed', chatbotId: CHATBOT_ID, userId: 'bob' } },
    { channel: 'session.refused', message: { code: 'CHATZY_NO_SESSION', statusCode: 401, route: 'POST /chatzy/refresh' } },
  ])
})

test('diagnostics: a mint over the user\'s mintLimit is published as rate-limited and refused, and sessions past sessionsPerUser as replaced', async (t) => {
  const { app } = await startApp(t, { mintLimit: { max: 3, windowMs: 60_000 }, sessionsPerUser: 2 })
  const { events } = listen(t)
  for (let i = 0; i < 4; i++) await call(app, 'POST', '/session', { user: 'ann' })

  const ann = { chatbotId: CHATBOT_ID, userId: 'ann' }
  const refusal = { code: 'CHATZY_RATE_LIMITED', statusCode: 429, route: 'POST /chatzy/session' }
  const retryAfterSeconds = events.at(-1)?.message.retryAfterSeconds
  assert.ok(typeof retryAfterSeconds === 'number' && retryAfterSeconds > 0 && retryAfterSeconds <= 60, 'when the window ends')
  assert.deepEqual(events, [
    { channel: 'session.created', message: ann },
    { channel: 'session.created', message: ann },
    { channel: 'session.ended', message: { reason: 'replaced', ...ann } },
    { channel: 'session.created', message: ann },
    { channel: 'session.refused', message: refusal },
    { channel: 'session.rate-limited', message: { ...refusal, retryAfterSeconds } },
  ])
})

test('diagnostics: a refresh answered in the same turn from memory is published as reused, with no upstream attempt', async (t) => {
  const { app } = await startApp(t)
  const started = await call(app, 'POST', '/session', { user: 'ann' })
  assert.equal(started.statusCode, 200)
  const { events, attempts } = listen(t)
  await call(app, 'POST', '/refresh', { user: 'ann', cookie: sessionCookieOf(started), body: { expires_at: 0 } })
  assert.deepEqual(events, [{ channel: 'session.reused', message: { chatbotId: CHATBOT_ID, userId: 'ann' } }])
  assert.deepEqual(attempts, [])
})
