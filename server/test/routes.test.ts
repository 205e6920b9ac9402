import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildApp, browserHeaders, CHATBOT_ID, sessionCookieOf, startChatzy } from './helpers.js'

test('POST /session mints a token for the identified user and sets an HttpOnly session cookie', async (t) => {
  const chatzy = await startChatzy()
  const app = await buildApp(chatzy)
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))

  const response = await app.inject({ method: 'POST', url: '/chatzy/session', headers: { ...browserHeaders, 'x-test-user': 'user123' }, payload: {} })
  assert.equal(response.statusCode, 200)
  const body = response.json()
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'chatbot_id', 'expires_at', 'iframe_url', 'user_id'])
  assert.equal(body.user_id, 'user123')
  assert.equal(body.chatbot_id, CHATBOT_ID)
  assert.ok(chatzy.issued.access.has(body.access_token))
  assert.ok(body.expires_at > Date.now())
  const url = new URL(body.iframe_url)
  assert.equal(url.origin + url.pathname, `https://app.chatzy.test/chatbot-iframe/${CHATBOT_ID}`)
  assert.equal(url.searchParams.get('user_id'), 'user123')
  assert.equal(url.searchParams.get('access_token'), body.access_token)

  const cookie = response.cookies.find((c) => c.name === 'chatzy_session')!
  assert.equal(cookie.httpOnly, true)
  assert.equal(cookie.sameSite, 'Strict')
  assert.equal(cookie.path, '/')
  for (const refresh of chatzy.issued.refresh) {
    assert.ok(!response.body.includes(refresh), 'the refresh token never reaches the browser')
    assert.ok(!cookie.value.includes(refresh))
  }
  assert.equal(chatzy.calls.mint, 1)
})

test('POST /session without a signed-in user is 401 CHATZY_UNAUTHENTICATED and calls nobody', async (t) => {
  const chatzy = await startChatzy()
  const app = await buildApp(chatzy)
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))

  const response = await app.inject({ method: 'POST', url: '/chatzy/session', headers: browserHeaders, payload: {} })
  assert.equal(response.statusCode, 401)
  assert.equal(response.json().code, 'CHATZY_UNAUTHENTICATED')
  assert.equal(chatzy.calls.mint, 0)
})

test('POST /refresh gets a new access token with the stored refresh token', async (t) => {
  const chatzy = await startChatzy()
  const app = await buildApp(chatzy, { minRefreshIntervalMs: 0 })
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))
  const headers = { ...browserHeaders, 'x-test-user': 'user123' }

  const session = await app.inject({ method: 'POST', url: '/chatzy/session', headers, payload: {} })
  const first = session.json()
  const refreshed = await app.inject({
    method: 'POST', url: '/chatzy/refresh',
    headers: { ...headers, cookie: sessionCookieOf(session) },
    payload: { expires_at: first.expires_at },
  })
  assert.equal(refreshed.statusCode, 200)
  const body = refreshed.json()
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_at'])
  assert.notEqual(body.access_token, first.access_token)
  assert.ok(chatzy.issued.access.has(body.access_token))
  assert.equal(chatzy.calls.refresh, 1)
})

test('POST /refresh without a session cookie is 401 CHATZY_NO_SESSION and calls nobody', async (t) => {
  const chatzy = await startChatzy()
  const app = await buildApp(chatzy)
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))

  const response = await app.inject({ method: 'POST', url: '/chatzy/refresh', headers: { ...browserHeaders, 'x-test-user': 'user123' }, payload: {} })
  assert.equal(response.statusCode, 401)
  assert.equal(response.json().code, 'CHATZY_NO_SESSION')
  assert.equal(chatzy.calls.refresh + chatzy.calls.mint, 0)
})

test('requests without the X-Chatzy-Agent header are refused with 403', async (t) => {
  const chatzy = await startChatzy()
  const app = await buildApp(chatzy)
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))

  const response = await app.inject({ method: 'POST', url: '/chatzy/session', headers: { 'content-type': 'application/json', 'x-test-user': 'u' }, payload: {} })
  assert.equal(response.statusCode, 403)
  assert.equal(response.json().code, 'CHATZY_FORBIDDEN_ORIGIN')
  assert.equal(chatzy.calls.mint, 0)
})
