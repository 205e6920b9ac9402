import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import chatzyAgent, { memoryStore, type SessionStore, type StoredSession } from '../src/index.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET, buildApp, call, captureLogs, sessionCookieOf, startChatzy, startApp } from './helpers.js'

const setup = startApp

const unsignedId = (cookieValue: string) => decodeURIComponent(cookieValue).replace(/\.[^.]*$/, '')

test('the session cookie holds a 256-bit random id, signed, HttpOnly, SameSite=Strict, Path=/', async (t) => {
  const { chatzy, app } = await setup(t)
  const ids = new Set<string>()
  for (let i = 0; i < 20; i++) {
    const response = await call(app, 'POST', '/session', { user: `user${i}` })
    const cookie = response.cookies.find((c) => c.name === 'chatzy_session')!
    assert.equal(cookie.httpOnly, true)
    assert.equal(cookie.sameSite, 'Strict')
    assert.equal(cookie.path, '/')
    const id = unsignedId(cookie.value)
    // 43 base64url characters = 32 bytes = 256 bits, and nothing of the user or the tokens.
    assert.match(id, /^[A-Za-z0-9_-]{43}$/)
    assert.equal(Buffer.from(id, 'base64url').length, 32)
    assert.ok(!decodeURIComponent(cookie.value).includes(`user${i}`))
    assert.notEqual(decodeURIComponent(cookie.value), id, 'the cookie carries a signature')
    ids.add(id)
  }
  assert.equal(ids.size, 20)
  for (const token of [...chatzy.issued.access, ...chatzy.issued.refresh]) {
    assert.ok(![...ids].some((id) => id.includes(token)))
  }
})

test('a missing, tampered, unsigned, foreign-signed or unknown cookie is 401 CHATZY_NO_SESSION, with a debug line and no upstream call', async (t) => {
  const chatzy = await startChatzy()
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'debug', stream: logs.stream } })
  await app.register(chatzyAgent, {
    apiKey: API_KEY, chatbotId: CHATBOT_ID, apiUrl: chatzy.url,
    identify: () => 'user123', cookie: { secret: COOKIE_SECRET },
  })
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))
  const started = await call(app, 'POST', '/session', { user: 'user123' })
  const good = started.cookies.find((c) => c.name === 'chatzy_session')!.value
  const id = unsignedId(good)
  const signature = decodeURIComponent(good).slice(id.length + 1)
  const otherSigner = fastifyCookie.signerFactory('some-other-secret-that-is-long-enough-0000')
  const flipped = id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A')
  const mintsBefore = chatzy.calls.mint

  const cases: [string, string | undefined][] = [
    ['missing', undefined],
    ['tampered id', `chatzy_session=${encodeURIComponent(`${flipped}.${signature}`)}`],
    ['tampered signature', `chatzy_session=${encodeURIComponent(`${id}.${signature.slice(0, -2)}xx`)}`],
    ['unsigned', `chatzy_session=${id}`],
    ['signed with another secret', `chatzy_session=${encodeURIComponent(otherSigner.sign(id))}`],
    ['well signed, unknown id', `chatzy_session=${encodeURIComponent(fastifyCookie.signerFactory(COOKIE_SECRET).sign('A'.repeat(43)))}`],
    ['garbage', 'chatzy_session=%E0%A4%A'],
    ['huge', `chatzy_session=${'x'.repeat(4000)}`],
  ]
  for (const [name, cookie] of cases) {
    logs.lines.length = 0
    const response = await call(app, 'POST', '/refresh', { user: 'user123', ...(cookie === undefined ? {} : { cookie }) })
    assert.equal(response.statusCode, 401, name)
    assert.equal(response.json().code, 'CHATZY_NO_SESSION', name)
    const debug = logs.lines.map((line) => JSON.parse(line)).filter((line) => line.level === 20 && /chatzy: (no session cookie|session cookie)/.test(line.msg))
    assert.ok(debug.length >= 1, `a debug line explains ${name}`)
  }
  assert.equal(chatzy.calls.refresh, 0)
  assert.equal(chatzy.calls.mint, mintsBefore)
})

test('cookie secret rotation: an old-key cookie still works and comes back signed with the new key; the old key alone is then not needed', async (t) => {
  const chatzy = await startChatzy()
  const store = memoryStore()
  const OLD = COOKIE_SECRET
  const NEW = 'the-new-cookie-secret-after-rotation-0123'
  const before = await buildApp(chatzy, { store, cookie: { secret: OLD } })
  const during = await buildApp(chatzy, { store, cookie: { secret: [NEW, OLD] } })
  const after = await buildApp(chatzy, { store, cookie: { secret: NEW } })
  t.after(() => Promise.all([before.close(), during.close(), after.close(), chatzy.app.close()]))

  const started = await call(before, 'POST', '/session', { user: 'user123' })
  const oldCookie = sessionCookieOf(started)
  // Before the rotation reaches this cookie, the new key alone does not know it.
  assert.equal((await call(after, 'POST', '/refresh', { user: 'user123', cookie: oldCookie })).statusCode, 401)

  const refreshed = await call(during, 'POST', '/refresh', { user: 'user123', cookie: oldCookie })
  assert.equal(refreshed.statusCode, 200)
  const renewed = refreshed.cookies.find((c) => c.name === 'chatzy_session')
  assert.ok(renewed !== undefined, 'an old-key cookie is signed again')
  assert.equal(unsignedId(renewed.value), unsignedId(started.cookies.find((c) => c.name === 'chatzy_session')!.value), 'same session id')
  assert.equal(fastifyCookie.signerFactory(NEW).unsign(decodeURIComponent(renewed.value)).valid, true)

  assert.equal((await call(after, 'POST', '/refresh', { user: 'user123', cookie: sessionCookieOf(refreshed) })).statusCode, 200)
  // A cookie already signed with the newest key is not set again for nothing.
  const quiet = await call(during, 'POST', '/refresh', { user: 'user123', cookie: sessionCookieOf(refreshed) })
  assert.equal(quiet.statusCode, 200)
  assert.equal(quiet.cookies.find((c) => c.name === 'chatzy_session'), undefined)
})

test('on https behind a trusted proxy the cookie is Secure and __Host- prefixed; an untrusted X-Forwarded-Proto changes nothing', async (t) => {
  const chatzy = await startChatzy()
  const options = {
    apiKey: API_KEY, chatbotId: CHATBOT_ID, apiUrl: chatzy.url,
    identify: () => 'user123', cookie: { secret: COOKIE_SECRET },
  }
  const trusting = Fastify({ trustProxy: true })
  await trusting.register(chatzyAgent, options)
  const direct = Fastify()
  await direct.register(chatzyAgent, options)
  t.after(() => Promise.all([trusting.close(), direct.close(), chatzy.app.close()]))
  const https = { 'x-forwarded-proto': 'https', host: 'localhost', origin: 'https://localhost' }

  const secure = await call(trusting, 'POST', '/session', { headers: https })
  assert.equal(secure.statusCode, 200)
  const cookie = secure.cookies.find((c) => c.name === '__Host-chatzy_session')!
  assert.ok(cookie, 'the __Host- cookie is set')
  assert.equal(cookie.secure, true)
  assert.equal(cookie.path, '/')
  assert.equal(cookie.domain, undefined)
  assert.equal(cookie.httpOnly, true)
  assert.equal((await call(trusting, 'POST', '/refresh', { headers: https, cookie: sessionCookieOf(secure) })).statusCode, 200)

  const spoofed = await call(direct, 'POST', '/session', { headers: { 'x-forwarded-proto': 'https' } })
  const plain = spoofed.cookies.find((c) => c.name === 'chatzy_session')!
  assert.ok(plain, 'plain-http loopback keeps the plain name')
  assert.notEqual(plain.secure, true)
})

test('a plain-http request to a non-loopback host still gets a Secure __Host- cookie (fails closed)', async (t) => {
  const { app } = await setup(t)
  const response = await call(app, 'POST', '/session', { user: 'user123', headers: { host: 'shop.example' } })
  assert.equal(response.statusCode, 200)
  const cookie = response.cookies.find((c) => c.name === '__Host-chatzy_session')!
  assert.equal(cookie.secure, true)
})

test('cookie.secure: true forces Secure + __Host- even on loopback, and then Path=/ whatever cookie.path says', async (t) => {
  const { app } = await setup(t, { cookie: { secret: COOKIE_SECRET, secure: true, path: '/chatzy' } })
  const response = await call(app, 'POST', '/session', { user: 'user123' })
  const cookie = response.cookies.find((c) => c.name === '__Host-chatzy_session')!
  assert.equal(cookie.secure, true)
  assert.equal(cookie.path, '/', '__Host- cookies must have Path=/')

  const plain = await setup(t, { cookie: { secret: COOKIE_SECRET, secure: false, path: '/chatzy' } })
  const response2 = await call(plain.app, 'POST', '/session', { user: 'user123' })
  const scoped = response2.cookies.find((c) => c.name === 'chatzy_session')!
  assert.equal(scoped.path, '/chatzy')
  assert.notEqual(scoped.secure, true)
  assert.equal((await call(plain.app, 'POST', '/refresh', { user: 'user123', cookie: sessionCookieOf(response2) })).statusCode, 200)
})

test('the cookie\'s Max-Age never outlives the refresh token, nor cookie.maxAgeSeconds', async (t) => {
  const refreshTtlMs = 2 * 3_600_000
  const { app } = await setup(t, {}, { refreshTtlMs })
  const short = await call(app, 'POST', '/session', { user: 'user123' })
  const maxAge = short.cookies.find((c) => c.name === 'chatzy_session')!.maxAge!
  assert.ok(maxAge <= refreshTtlMs / 1000 && maxAge > refreshTtlMs / 1000 - 60, `Max-Age ${maxAge}`)

  const capped = await setup(t, { cookie: { secret: COOKIE_SECRET, maxAgeSeconds: 600 } })
  const response = await call(capped.app, 'POST', '/session', { user: 'user123' })
  assert.equal(response.cookies.find((c) => c.name === 'chatzy_session')!.maxAge, 600)
})

test('a session whose refresh token has run out is gone: 401 and no upstream call', async (t) => {
  const { chatzy, app } = await setup(t, {}, { refreshTtlMs: 150 })
  const started = await call(app, 'POST', '/session', { user: 'user123' })
  await new Promise((resolve) => setTimeout(resolve, 250))
  const response = await call(app, 'POST', '/refresh', { user: 'user123', cookie: sessionCookieOf(started) })
  assert.equal(response.statusCode, 401)
  assert.equal(response.json().code, 'CHATZY_NO_SESSION')
  assert.equal(chatzy.calls.refresh, 0)
  assert.equal(chatzy.calls.mint, 1)
})

test('a store that fails is 503 CHATZY_STORE_UNAVAILABLE, never a 500', async (t) => {
  const broken: SessionStore = {
    get: async () => { throw new Error('connection refused') },
    set: async () => { throw new Error('connection refused') },
    delete: async () => { throw new Error('connection refused') },
  }
  const { app } = await setup(t, { store: broken })
  const started = await call(app, 'POST', '/session', { user: 'user123' })
  assert.equal(started.statusCode, 503)
  assert.equal(started.json().code, 'CHATZY_STORE_UNAVAILABLE')
  const cookie = `chatzy_session=${encodeURIComponent(fastifyCookie.signerFactory(COOKIE_SECRET).sign('A'.repeat(43)))}`
  const refreshed = await call(app, 'POST', '/refresh', { user: 'user123', cookie })
  assert.equal(refreshed.statusCode, 503)
  assert.equal(refreshed.json().code, 'CHATZY_STORE_UNAVAILABLE')
})

export type { StoredSession }
