import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import chatzyAgent from '../src/index.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET, call, sessionCookieOf, startChatzy, startApp } from './helpers.js'

const setup = startApp

const routes = [['POST', '/session'], ['POST', '/refresh'], ['DELETE', '/session']] as const

test('every route refuses a request without X-Chatzy-Agent: 1 with 403, before doing anything', async (t) => {
  const { chatzy, app } = await setup(t)
  for (const [method, path] of routes) {
    for (const value of [undefined, '0', 'true']) {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-test-user': 'user123' }
      if (value !== undefined) headers['x-chatzy-agent'] = value
      const response = await app.inject({ method, url: `/chatzy${path}`, headers, payload: {} })
      assert.equal(response.statusCode, 403, `${method} ${path} x-chatzy-agent=${value}`)
      assert.equal(response.json().code, 'CHATZY_FORBIDDEN_ORIGIN')
      assert.equal(response.headers['set-cookie'], undefined)
    }
  }
  assert.equal(chatzy.calls.mint + chatzy.calls.refresh, 0)
})

test('by default only the request\'s own origin may call: another Origin is 403', async (t) => {
  const { chatzy, app } = await setup(t)
  for (const [method, path] of routes) {
    const foreign = await call(app, method, path, { user: 'user123', headers: { origin: 'https://evil.example' } })
    assert.equal(foreign.statusCode, 403, `${method} ${path}`)
    assert.equal(foreign.json().code, 'CHATZY_FORBIDDEN_ORIGIN')
    // Same host, other scheme or port: another origin.
    assert.equal((await call(app, method, path, { user: 'user123', headers: { origin: 'https://localhost:80' } })).statusCode, 403)
  }
  assert.equal(chatzy.calls.mint, 0)
  // A browser leaves the default port out of Origin, whatever the Host header says.
  const own = await call(app, 'POST', '/session', { user: 'user123', headers: { origin: 'http://localhost' } })
  assert.equal(own.statusCode, 200)
  const ownPort = await call(app, 'POST', '/session', { user: 'user123', headers: { origin: 'http://localhost:3000', host: 'localhost:3000' } })
  assert.equal(ownPort.statusCode, 200)
  assert.equal((await call(app, 'POST', '/session', { user: 'user123', headers: { origin: 'http://localhost:3001', host: 'localhost:3000' } })).statusCode, 403)
})

test('the own origin is worked out per Host header, also past the memo of known hosts', async (t) => {
  const { app } = await setup(t)
  // More hosts than the memo keeps, each asked twice (the second answer comes from the memo).
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 100; i++) {
      const host = `h${i}.example:8443`
      const own = await call(app, 'DELETE', '/session', { headers: { host, origin: `http://H${i}.example:8443`.toLowerCase() } })
      assert.equal(own.statusCode, 204, `${host} round ${round}`)
      const other = await call(app, 'DELETE', '/session', { headers: { host, origin: `http://h${i + 1}.example:8443` } })
      assert.equal(other.statusCode, 403, `${host} round ${round}`)
    }
  }
  // A Host that is no host at all has no own origin: nothing matches it.
  assert.equal((await call(app, 'DELETE', '/session', { headers: { host: 'a b', origin: 'http://a b' } })).statusCode, 403)
})

test('allowedOrigins replaces the default: listed origins pass, others (the own one too) get 403', async (t) => {
  const { app } = await setup(t, { allowedOrigins: ['https://shop.example', 'https://www.shop.example/'] })
  assert.equal((await call(app, 'POST', '/session', { user: 'u1', headers: { origin: 'https://shop.example' } })).statusCode, 200)
  assert.equal((await call(app, 'POST', '/session', { user: 'u1', headers: { origin: 'https://www.shop.example' } })).statusCode, 200)
  assert.equal((await call(app, 'POST', '/session', { user: 'u1', headers: { origin: 'https://shop.example.evil' } })).statusCode, 403)
  assert.equal((await call(app, 'POST', '/session', { user: 'u1', headers: { origin: 'http://localhost' } })).statusCode, 403)
  assert.equal((await call(app, 'POST', '/session', { user: 'u1', headers: { origin: 'null' } })).statusCode, 403)
})

test('a body that is not application/json is 415 (a form post cannot reach the routes)', async (t) => {
  const { chatzy, app } = await setup(t)
  for (const [method, path] of routes) {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp']) {
      const response = await app.inject({
        method, url: `/chatzy${path}`,
        headers: { 'content-type': type, 'x-chatzy-agent': '1', 'x-test-user': 'user123' },
        payload: '{}',
      })
      assert.equal(response.statusCode, 415, `${method} ${path} ${type}`)
      assert.equal(response.json().code, 'CHATZY_UNSUPPORTED_MEDIA_TYPE')
    }
  }
  assert.equal(chatzy.calls.mint, 0)
  const charset = await app.inject({
    method: 'POST', url: '/chatzy/session',
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-chatzy-agent': '1', 'x-test-user': 'user123' },
    payload: '{}',
  })
  assert.equal(charset.statusCode, 200)
})

test('a body over 4 KiB is 413 CHATZY_PAYLOAD_TOO_LARGE', async (t) => {
  const { chatzy, app } = await setup(t)
  for (const path of ['/session', '/refresh'] as const) {
    const response = await call(app, 'POST', path, { user: 'user123', body: { chatbot_id: CHATBOT_ID, padding: 'x'.repeat(5 * 1024) } })
    assert.equal(response.statusCode, 413, path)
    assert.equal(response.json().code, 'CHATZY_PAYLOAD_TOO_LARGE')
  }
  assert.equal(chatzy.calls.mint, 0)
})

test('prototype-poisoned JSON is 400, even when the host app would let it through', async (t) => {
  const chatzy = await startChatzy()
  // The host app's own parser is lenient; the plugin's routes must not be.
  const app = Fastify({ onProtoPoisoning: 'ignore', onConstructorPoisoning: 'ignore' })
  await app.register(chatzyAgent, {
    apiKey: API_KEY, chatbotId: CHATBOT_ID, apiUrl: chatzy.url,
    identify: () => 'user123', cookie: { secret: COOKIE_SECRET },
  })
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))
  for (const payload of ['{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}']) {
    const response = await app.inject({
      method: 'POST', url: '/chatzy/session',
      headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1' },
      payload,
    })
    assert.equal(response.statusCode, 400, payload)
    assert.equal(response.json().code, 'CHATZY_BAD_REQUEST')
  }
  assert.equal(({} as Record<string, unknown>).admin, undefined)
  assert.equal(chatzy.calls.mint, 0)
})

test('malformed JSON, unknown fields and wrong types are 400 CHATZY_BAD_REQUEST', async (t) => {
  const { chatzy, app } = await setup(t)
  const bodies: [string, string][] = [
    ['/session', '{"chatbot_id":'],
    ['/session', '{"chatbot_id":"' + CHATBOT_ID + '","user_id":"admin"}'],
    ['/session', '{"chatbot_id":42}'],
    ['/session', '[]'],
    ['/refresh', '{"expires_at":"tomorrow"}'],
    ['/refresh', '{"expires_at":-1}'],
    ['/refresh', '{"refresh_token":"rt_x"}'],
  ]
  for (const [path, payload] of bodies) {
    const response = await app.inject({
      method: 'POST', url: `/chatzy${path}`,
      headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1', 'x-test-user': 'user123' },
      payload,
    })
    assert.equal(response.statusCode, 400, `${path} ${payload}`)
    assert.equal(response.json().code, 'CHATZY_BAD_REQUEST')
  }
  assert.equal(chatzy.calls.mint, 0)
})

test('a chatbot id outside chatbotId is 400 CHATZY_CHATBOT_NOT_ALLOWED; a listed one is served', async (t) => {
  const { chatzy, app } = await setup(t, { chatbotId: [CHATBOT_ID, '0b6c0d3e-1f7a-4c55-9e8e-2d9f5a1b7c44'] })
  const refused = await call(app, 'POST', '/session', { user: 'user123', body: { chatbot_id: 'ffffffff-1f7a-4c55-9e8e-2d9f5a1b7c44' } })
  assert.equal(refused.statusCode, 400)
  assert.equal(refused.json().code, 'CHATZY_CHATBOT_NOT_ALLOWED')
  assert.equal(chatzy.calls.mint, 0)
  const second = await call(app, 'POST', '/session', { user: 'user123', body: { chatbot_id: '0b6c0d3e-1f7a-4c55-9e8e-2d9f5a1b7c44' } })
  assert.equal(second.statusCode, 200)
  assert.equal(second.json().chatbot_id, '0b6c0d3e-1f7a-4c55-9e8e-2d9f5a1b7c44')
})

test('DELETE /session ends the session, clears the cookie, and works with or without a body', async (t) => {
  const { chatzy, app } = await setup(t)
  const started = await call(app, 'POST', '/session', { user: 'user123' })
  const cookie = sessionCookieOf(started)
  const ended = await app.inject({
    method: 'DELETE', url: '/chatzy/session',
    headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1', cookie },
  })
  assert.equal(ended.statusCode, 204)
  assert.equal(ended.body, '')
  const cleared = ended.cookies.find((c) => c.name === 'chatzy_session')!
  assert.equal(cleared.value, '')
  assert.ok(cleared.expires !== undefined && cleared.expires.getTime() <= Date.now())
  const after = await call(app, 'POST', '/refresh', { user: 'user123', cookie })
  assert.equal(after.statusCode, 401)
  assert.equal(after.json().code, 'CHATZY_NO_SESSION')
  assert.equal(chatzy.calls.refresh, 0)
  const extra = await call(app, 'DELETE', '/session', { body: { user_id: 'someone' } })
  assert.equal(extra.statusCode, 400)
  assert.equal(extra.json().code, 'CHATZY_BAD_REQUEST')
  // Without any session: still 204, nothing to do.
  assert.equal((await call(app, 'DELETE', '/session')).statusCode, 204)
})

test('a throwing identify is 500 CHATZY_INTERNAL, and its message does not reach the browser', async (t) => {
  const { chatzy, app } = await setup(t, { identify: () => { throw new Error('db password is hunter2') } })
  const response = await call(app, 'POST', '/session', { user: 'user123' })
  assert.equal(response.statusCode, 500)
  assert.deepEqual(response.json(), { statusCode: 500, code: 'CHATZY_INTERNAL', error: 'Internal Server Error', message: 'Internal error' })
  assert.equal(chatzy.calls.mint, 0)
})

test('every answer, token or error, is Cache-Control: no-store', async (t) => {
  const { app } = await setup(t)
  const started = await call(app, 'POST', '/session', { user: 'user123' })
  const answers = [
    started,
    await call(app, 'POST', '/refresh', { user: 'user123', cookie: sessionCookieOf(started) }),
    await call(app, 'POST', '/refresh', { user: 'user123' }),
    await call(app, 'POST', '/session', { user: 'user123', headers: { origin: 'https://evil.example' } }),
    await call(app, 'DELETE', '/session', { cookie: sessionCookieOf(started) }),
  ]
  for (const response of answers) assert.equal(response.headers['cache-control'], 'no-store', `${response.statusCode}`)
})
