import { test } from 'node:test'
import assert from 'node:assert/strict'
import { call, sessionCookieOf, startApp } from './helpers.js'

test('floor: tokens that live no longer than refreshMarginMs (the demo\'s 20 s) still cost no upstream call inside minRefreshIntervalMs', async (t) => {
  // Default options: a 5 s floor and a 30 s margin, so every stored 20 s token is "inside the margin".
  const { chatzy, app } = await startApp(t, {}, { accessTtlMs: 20_000 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  for (let i = 0; i < 50; i++) {
    const response = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: started.json().expires_at } })
    assert.equal(response.statusCode, 200)
    assert.equal(response.json().access_token, started.json().access_token, 'the stored token, not yet expired, is the answer')
  }
  assert.equal(chatzy.calls.refresh, 0)
  assert.equal(chatzy.calls.mint, 1)
})

test('floor: an operator\'s larger refreshMarginMs does not lift the floor either', async (t) => {
  const { chatzy, app } = await startApp(t, { refreshMarginMs: 20 * 60_000, minRefreshIntervalMs: 60_000 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  for (const body of [{}, { expires_at: 0 }, { expires_at: started.json().expires_at }]) {
    assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie, body })).json().access_token, started.json().access_token)
  }
  assert.equal(chatzy.calls.refresh, 0)
})

test('floor: once the floor has passed, a token inside the margin is refreshed upstream', async (t) => {
  const { chatzy, app } = await startApp(t, { minRefreshIntervalMs: 200 }, { accessTtlMs: 20_000 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  await new Promise((resolve) => setTimeout(resolve, 250))
  const refreshed = await call(app, 'POST', '/refresh', { user: 'alice', cookie: sessionCookieOf(started), body: { expires_at: started.json().expires_at } })
  assert.equal(refreshed.statusCode, 200)
  assert.notEqual(refreshed.json().access_token, started.json().access_token)
  assert.equal(chatzy.calls.refresh, 1)
})

test('floor: a token that expires inside the floor is never answered expired, and the next upstream call waits for the floor', async (t) => {
  // Tokens live 100 ms, the floor is 400 ms: a session must still not call Chatzy more often.
  const floorMs = 400
  const { chatzy, app } = await startApp(t, { minRefreshIntervalMs: floorMs }, { accessTtlMs: 100 })
  // When each upstream call arrives: the mock counts every call in `calls`.
  const upstreamAt: number[] = []
  for (const endpoint of ['mint', 'refresh'] as const) {
    let count = chatzy.calls[endpoint]
    Object.defineProperty(chatzy.calls, endpoint, {
      get: () => count,
      set: (next: number) => { count = next; upstreamAt.push(Date.now()) },
    })
  }
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  let held = started.json().expires_at as number
  for (let i = 0; i < 12; i++) {
    const response = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: held } })
    assert.equal(response.statusCode, 200)
    const { expires_at } = response.json() as { expires_at: number }
    assert.ok(expires_at > Date.now() - 20, 'never an expired token')
    held = expires_at
    await new Promise((resolve) => setTimeout(resolve, 60))
  }
  assert.ok(upstreamAt.length >= 2, 'refreshes do happen')
  for (let i = 1; i < upstreamAt.length; i++) {
    // The floor runs from when the plugin stored an answer, a little after Chatzy saw the call.
    assert.ok(upstreamAt[i]! - upstreamAt[i - 1]! >= floorMs, `upstream calls ${upstreamAt[i]! - upstreamAt[i - 1]!} ms apart`)
  }
})

test('floor: a floor longer than a request should wait answers 429 CHATZY_RATE_LIMITED with Retry-After, not an upstream call', async (t) => {
  const { chatzy, app } = await startApp(t, { minRefreshIntervalMs: 60_000 }, { accessTtlMs: 100 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  await new Promise((resolve) => setTimeout(resolve, 150))
  const response = await call(app, 'POST', '/refresh', { user: 'alice', cookie: sessionCookieOf(started), body: { expires_at: started.json().expires_at } })
  assert.equal(response.statusCode, 429)
  assert.equal(response.json().code, 'CHATZY_RATE_LIMITED')
  const retryAfter = Number(response.headers['retry-after'])
  assert.ok(retryAfter > 50 && retryAfter <= 60, `Retry-After: ${retryAfter}`)
  assert.equal(chatzy.calls.refresh, 0)
})
