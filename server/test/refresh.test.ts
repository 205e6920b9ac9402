import { test } from 'node:test'
import assert from 'node:assert/strict'
import { memoryStore, type SessionStore, type StoredSession } from '../src/index.js'
import { call, recordKeyOf, sessionCookieOf, startApp } from './helpers.js'

const setup = startApp

/**
 * An app whose `identify` holds every request marked `x-slow: 1` until `letSlowIdentify()`, so
 * that such a caller reaches the broker with the session as it read it before later refreshes.
 */
async function withSlowIdentify(t: Parameters<typeof setup>[0]) {
  let letSlowIdentify!: () => void
  const slowIdentify = new Promise<void>((resolve) => { letSlowIdentify = resolve })
  const started = await setup(t, {
    minRefreshIntervalMs: 0,
    identify: async (request) => {
      if (request.headers['x-slow'] === '1') await slowIdentify
      return (request.headers['x-test-user'] as string | undefined) ?? null
    },
  })
  return { ...started, letSlowIdentify }
}

/** A store without TTL, so that a session can outlive its refresh token (as with clock skew). */
function keepingStore(): SessionStore & { sessions: Map<string, StoredSession> } {
  const sessions = new Map<string, StoredSession>()
  return {
    sessions,
    get: async (id) => sessions.get(id),
    set: async (id, session) => void sessions.set(id, session),
    delete: async (id) => void sessions.delete(id),
  }
}

test('every /refresh asks identify again: a signed-out user loses the session (401), for good', async (t) => {
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 0 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: started.json().expires_at } })).statusCode, 200)

  const signedOut = await call(app, 'POST', '/refresh', { cookie })
  assert.equal(signedOut.statusCode, 401)
  assert.equal(signedOut.json().code, 'CHATZY_NO_SESSION')
  assert.equal(signedOut.cookies.find((c) => c.name === 'chatzy_session')?.value, '', 'the cookie is cleared')
  // Signing in again as the same user does not revive the deleted session.
  const again = await call(app, 'POST', '/refresh', { user: 'alice', cookie })
  assert.equal(again.statusCode, 401)
  assert.equal(chatzy.calls.refresh, 1)
})

test('every /refresh asks identify again: another signed-in user gets 401, never the first user\'s token', async (t) => {
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 0 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  const refreshesBefore = chatzy.calls.refresh
  const other = await call(app, 'POST', '/refresh', { user: 'mallory', cookie })
  assert.equal(other.statusCode, 401)
  assert.equal(other.json().code, 'CHATZY_NO_SESSION')
  assert.ok(!other.body.includes(started.json().access_token))
  assert.equal(chatzy.calls.refresh, refreshesBefore)
  assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie })).statusCode, 401, 'the session was deleted')
})

test('POST /session with another user\'s cookie starts a new session with a new id; the old one is deleted', async (t) => {
  const { app } = await setup(t)
  const alice = await call(app, 'POST', '/session', { user: 'alice' })
  const bob = await call(app, 'POST', '/session', { user: 'bob', cookie: sessionCookieOf(alice) })
  assert.equal(bob.statusCode, 200)
  assert.equal(bob.json().user_id, 'bob')
  assert.notEqual(sessionCookieOf(bob), sessionCookieOf(alice))
  assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie: sessionCookieOf(alice) })).statusCode, 401)
  assert.equal((await call(app, 'POST', '/refresh', { user: 'bob', cookie: sessionCookieOf(bob) })).statusCode, 200)
})

test('a page reload (POST /session with its own cookie) reuses the session and its fresh token: no upstream call', async (t) => {
  const { chatzy, app } = await setup(t)
  const first = await call(app, 'POST', '/session', { user: 'alice' })
  const again = await call(app, 'POST', '/session', { user: 'alice', cookie: sessionCookieOf(first) })
  assert.equal(again.statusCode, 200)
  assert.equal(again.json().access_token, first.json().access_token)
  assert.equal(sessionCookieOf(again), sessionCookieOf(first))
  assert.equal(chatzy.calls.mint, 1)
  assert.equal(chatzy.calls.refresh, 0)
})

test('single-flight: 50 concurrent /refresh calls on one session make one upstream call and all get its token', async (t) => {
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 0 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  const held = started.json().expires_at as number
  // A slow Chatzy keeps the first refresh in flight while the others arrive.
  chatzy.faults.inject({ fault: 'delay', delayMs: 150, endpoints: ['refresh'] })
  const answers = await Promise.all(Array.from({ length: 50 }, () => call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: held } })))
  assert.equal(chatzy.calls.refresh, 1)
  assert.equal(chatzy.calls.mint, 1)
  const tokens = new Set(answers.map((a) => { assert.equal(a.statusCode, 200); return a.json().access_token }))
  assert.equal(tokens.size, 1)
  assert.notEqual([...tokens][0], started.json().access_token)
  assert.ok(chatzy.issued.access.has([...tokens][0]))
})

test('expires_at: a caller holding an older token gets the stored newer one without an upstream call', async (t) => {
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 0 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  const first = started.json()
  const tabA = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: first.expires_at } })
  assert.equal(chatzy.calls.refresh, 1)
  // Tab B still holds the token from /session: the newer stored one is its answer.
  const tabB = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: first.expires_at - 1 } })
  assert.equal(tabB.json().access_token, tabA.json().access_token)
  assert.equal(chatzy.calls.refresh, 1)
  // A caller that already holds the stored token asks for a newer one: upstream.
  const tabC = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: tabA.json().expires_at } })
  assert.notEqual(tabC.json().access_token, tabA.json().access_token)
  assert.equal(chatzy.calls.refresh, 2)
})

test('a stored token inside refreshMarginMs of its expiry is not handed out: it is refreshed', async (t) => {
  // Access tokens live 20 s; a 30 s margin means a stored token is never fresh enough.
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 0, refreshMarginMs: 30_000 }, { accessTtlMs: 20_000 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const refreshed = await call(app, 'POST', '/refresh', { user: 'alice', cookie: sessionCookieOf(started), body: { expires_at: 0 } })
  assert.equal(refreshed.statusCode, 200)
  assert.notEqual(refreshed.json().access_token, started.json().access_token)
  assert.equal(chatzy.calls.refresh, 1)
})

test('minRefreshIntervalMs caps upstream calls per session, whatever the client sends', async (t) => {
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 60_000 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  for (const body of [{}, { expires_at: started.json().expires_at }, { expires_at: 8.64e15 }, {}, { expires_at: started.json().expires_at + 1 }]) {
    const response = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body })
    assert.equal(response.statusCode, 200)
    assert.equal(response.json().access_token, started.json().access_token)
  }
  assert.equal(chatzy.calls.refresh, 0)
  assert.equal(chatzy.calls.mint, 1)
})

test('a refresh token Chatzy refuses is replaced by a new mint for the same user, transparently', async (t) => {
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 0 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  chatzy.revokeRefreshTokens()
  const refreshed = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: started.json().expires_at } })
  assert.equal(refreshed.statusCode, 200)
  assert.ok(chatzy.issued.access.has(refreshed.json().access_token))
  assert.equal(chatzy.calls.refresh, 1)
  assert.equal(chatzy.calls.mint, 2)
  // The new refresh token is stored: the next refresh uses it, no further mint.
  const next = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: refreshed.json().expires_at } })
  assert.equal(next.statusCode, 200)
  assert.equal(chatzy.calls.refresh, 2)
  assert.equal(chatzy.calls.mint, 2)
})

test('an expired refresh token is not even sent: the plugin mints again for the same user', async (t) => {
  const store = keepingStore()
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 0, store }, { refreshTtlMs: 100 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  await new Promise((resolve) => setTimeout(resolve, 150))
  const refreshed = await call(app, 'POST', '/refresh', { user: 'alice', cookie: sessionCookieOf(started), body: { expires_at: started.json().expires_at } })
  assert.equal(refreshed.statusCode, 200)
  assert.equal(chatzy.calls.refresh, 0)
  assert.equal(chatzy.calls.mint, 2)
  assert.ok(refreshed.cookies.some((c) => c.name === 'chatzy_session'), 'the cookie follows the new refresh token\'s life')
})

test('when Chatzy refuses both the refresh token and a new mint, the browser gets 401 and the session is gone', async (t) => {
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 0 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  chatzy.faults.inject({ fault: 'refuse' })
  const refused = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: started.json().expires_at } })
  assert.equal(refused.statusCode, 401)
  assert.equal(refused.json().code, 'CHATZY_NO_SESSION')
  chatzy.faults.clear()
  const calls = chatzy.calls.mint + chatzy.calls.refresh
  assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie })).statusCode, 401)
  assert.equal(chatzy.calls.mint + chatzy.calls.refresh, calls)
})

test('signing out while a refresh is in flight ends the session for good: the refresh does not bring it back', async (t) => {
  const { chatzy, app } = await setup(t, { minRefreshIntervalMs: 0 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  chatzy.faults.inject({ fault: 'delay', delayMs: 200, endpoints: ['refresh'] })
  const inFlight = call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: started.json().expires_at } })
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal((await call(app, 'DELETE', '/session', { cookie })).statusCode, 204)
  const refreshed = await inFlight
  assert.equal(refreshed.statusCode, 401)
  assert.equal(refreshed.json().code, 'CHATZY_NO_SESSION')
  chatzy.faults.clear()
  assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie })).statusCode, 401)
})

test('a sign-out that lands just before a refreshed token is saved stays a sign-out (the store replaces, never resurrects)', async (t) => {
  // The store as several instances share it: another instance's DELETE lands right before this
  // instance writes the token Chatzy just gave it.
  const inner = memoryStore()
  let signOutBeforeNextWrite: string | undefined
  const write = async (id: string) => {
    if (id === signOutBeforeNextWrite) {
      signOutBeforeNextWrite = undefined
      await inner.delete(id)
    }
  }
  const store: SessionStore = {
    get: (id) => inner.get(id),
    set: async (id, session, ttlMs) => { await write(id); await inner.set(id, session, ttlMs) },
    replace: async (id, session, ttlMs) => { await write(id); return inner.replace!(id, session, ttlMs) },
    delete: (id) => inner.delete(id),
  }
  const { chatzy, app } = await setup(t, { store, minRefreshIntervalMs: 0 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  const id = recordKeyOf(started)
  assert.ok(await inner.get(id), 'the session is stored under the cookie\'s id')
  signOutBeforeNextWrite = id
  const refreshed = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: started.json().expires_at } })
  assert.equal(chatzy.calls.refresh, 1, 'the refresh reached Chatzy')
  assert.equal(refreshed.statusCode, 401)
  assert.equal(refreshed.json().code, 'CHATZY_NO_SESSION')
  assert.equal(await inner.get(id), undefined, 'no session came back to life')
  assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie })).statusCode, 401)
})

test('a refresh that read the session before an earlier flight landed takes that flight\'s token: no second upstream call', async (t) => {
  // The slow caller's identify is held open until the fast caller's refresh has come back, so
  // it goes on to the broker with the session as it was before that refresh.
  const { chatzy, app, letSlowIdentify } = await withSlowIdentify(t)
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  const held = started.json().expires_at as number
  const slow = call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: held }, headers: { 'x-slow': '1' } })
  await new Promise((resolve) => setTimeout(resolve, 20))
  const fast = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: held } })
  assert.equal(fast.statusCode, 200)
  assert.equal(chatzy.calls.refresh, 1)
  letSlowIdentify()
  const late = await slow
  assert.equal(late.statusCode, 200)
  assert.equal(late.json().access_token, fast.json().access_token)
  assert.equal(chatzy.calls.refresh, 1)
})

test('a caller holding the token another caller\'s flight settled on still gets a new one', async (t) => {
  // Tab A read the session before tab B's refresh landed; its flight then finds B's stored token
  // newer than its own and settles on it. Tab C holds that very token: riding A's flight, it
  // must not get it back, but a new one.
  const { chatzy, app, letSlowIdentify } = await withSlowIdentify(t)
  const slow = { 'x-slow': '1' }
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  const first = started.json()
  const tabA = call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: first.expires_at }, headers: slow })
  await new Promise((resolve) => setTimeout(resolve, 20))
  const second = (await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: first.expires_at } })).json()
  const tabC = call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: second.expires_at }, headers: slow })
  await new Promise((resolve) => setTimeout(resolve, 20))
  letSlowIdentify()
  const [a, c] = await Promise.all([tabA, tabC])
  assert.equal(a.json().access_token, second.access_token)
  assert.notEqual(c.json().access_token, second.access_token)
  assert.ok(chatzy.issued.access.has(c.json().access_token))
  assert.equal(chatzy.calls.refresh, 2)
})
