import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import chatzyAgent, { memoryStore } from '../src/index.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET, call, registrationError, validOptions, sessionCookieOf, startChatzy } from './helpers.js'

const valid = validOptions
const register = (options: unknown) => registrationError(options)

test('valid options register', async () => {
  assert.equal(await register(valid), undefined)
  assert.equal(await register({ ...valid, chatbotId: [CHATBOT_ID, '0b6c0d3e-1f7a-4c55-9e8e-2d9f5a1b7c44'], cookie: { secret: [COOKIE_SECRET, COOKIE_SECRET + '-old'] } }), undefined)
})

// Each entry: the option a message must name, and options where exactly it is wrong.
const bad: [string, Record<string, unknown>][] = [
  ['apiKey', { apiKey: undefined }],
  ['apiKey', { apiKey: '' }],
  ['chatbotId', { chatbotId: undefined }],
  ['chatbotId', { chatbotId: [] }],
  ['chatbotId', { chatbotId: 'has spaces' }],
  ['identify', { identify: 'user123' }],
  ['apiUrl', { apiUrl: 'ftp://chatzy.example' }],
  ['apiUrl', { apiUrl: 'https://user:secret@chatzy.example/prod' }],
  ['appUrl', { appUrl: 'app.chatzy.ai' }],
  ['prefix', { prefix: 'chatzy' }],
  ['cookie', { cookie: undefined }],
  ['cookie.secret', { cookie: { secret: 'short' } }],
  ['cookie.secret', { cookie: { secret: [] } }],
  ['cookie.name', { cookie: { secret: COOKIE_SECRET, name: 'a;b' } }],
  ['cookie.secure', { cookie: { secret: COOKIE_SECRET, secure: 'yes' } }],
  ['cookie.sameSite', { cookie: { secret: COOKIE_SECRET, sameSite: 'Strictest' } }],
  ['cookie.sameSite', { cookie: { secret: COOKIE_SECRET, sameSite: 'none', secure: false } }],
  ['cookie.path', { cookie: { secret: COOKIE_SECRET, path: 'chatzy' } }],
  // The cookie would never reach the routes at /chatzy.
  ['cookie.path', { cookie: { secret: COOKIE_SECRET, path: '/app' } }],
  ['cookie.path', { cookie: { secret: COOKIE_SECRET, path: '/chat' } }],
  ['cookie.maxAgeSeconds', { cookie: { secret: COOKIE_SECRET, maxAgeSeconds: 1.5 } }],
  ['store.delete', { store: { get() {}, set() {} } }],
  ['store.replace', { store: { get() {}, set() {}, delete() {}, replace: true } }],
  ['allowedOrigins', { allowedOrigins: 'https://host.example' }],
  ['timeoutMs', { timeoutMs: 0 }],
  ['retries', { retries: -1 }],
  ['breaker.threshold', { breaker: { threshold: 0 } }],
  ['breaker.cooldownMs', { breaker: { cooldownMs: 'soon' } }],
  ['minRefreshIntervalMs', { minRefreshIntervalMs: -5 }],
  ['refreshMarginMs', { refreshMarginMs: 'half' }],
  ['lockTtlMs', { lockTtlMs: 1 }],
  ['encryptionKey', { encryptionKey: [] }],
  // A misspelt option would otherwise be silently ignored, its default taking its place.
  ['minRefreshInterval', { minRefreshInterval: 1000 }],
  ['cookie.sameSit', { cookie: { secret: COOKIE_SECRET, sameSit: 'lax' } }],
]

for (const [name, change] of bad) {
  test(`a bad "${name}" fails registration with a message naming it`, async () => {
    const error = await register({ ...valid, ...change })
    assert.ok(error instanceof Error, 'registration must fail')
    assert.match(error.message, new RegExp(`"${name.replaceAll('.', '\\.')}"`))
  })
}

test('the plugin carries fastify-plugin metadata: its name, and Fastify 5', () => {
  const meta = (chatzyAgent as unknown as Record<symbol, { name: string; fastify: string }>)[Symbol.for('plugin-meta')]!
  assert.equal(meta.name, 'chatzy-agent')
  assert.equal(meta.fastify, '5.x')
  // fastify-plugin: the decorator is visible to the app that registered the plugin.
  assert.equal((chatzyAgent as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')], true)
})

test('a dispatcher that is not an undici Dispatcher fails registration, naming the option', async () => {
  for (const dispatcher of [{}, 'http://proxy.example:3128', null, { dispatch: 'yes' }]) {
    assert.match(String(await register({ ...valid, dispatcher })), /invalid option "dispatcher": expected an undici Dispatcher/)
  }
})

test('the plugin leaves the app\'s other routes alone: no cookie parsing, no hook, no decorator on them', async (t) => {
  const chatzy = await startChatzy()
  const app = Fastify()
  await app.register(chatzyAgent, { ...valid, apiUrl: chatzy.url, identify: (request) => (request.headers['x-test-user'] as string) ?? null })
  const seen: { cookies: unknown; cacheControl: unknown }[] = []
  app.get('/app-page', (request, reply) => {
    seen.push({ cookies: (request as { cookies?: unknown }).cookies, cacheControl: reply.getHeader('cache-control') })
    return 'ok'
  })
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))
  await app.ready()
  assert.equal(app.hasRequestDecorator('cookies'), false)
  assert.equal(app.hasReplyDecorator('setCookie'), false)
  const started = await call(app, 'POST', '/session', { user: 'user123' })
  assert.equal(started.statusCode, 200)
  const page = await app.inject({ method: 'GET', url: '/app-page', headers: { cookie: sessionCookieOf(started) } })
  assert.equal(page.statusCode, 200)
  assert.deepEqual(seen, [{ cookies: undefined, cacheControl: undefined }])
  assert.equal(page.headers['set-cookie'], undefined)
  const refreshed = await call(app, 'POST', '/refresh', { user: 'user123', cookie: sessionCookieOf(started) })
  assert.equal(refreshed.statusCode, 200)
})

test('an app with @fastify/cookie of its own, registered before or after: both cookies are set side by side', async (t) => {
  for (const order of ['before', 'after'] as const) {
    const chatzy = await startChatzy()
    const app = Fastify()
    const identify = (request: { headers: Record<string, unknown> }) => (request.headers['x-test-user'] as string) ?? null
    if (order === 'before') await app.register(fastifyCookie, { secret: 'the-host-app-own-cookie-secret-0123456789' })
    await app.register(chatzyAgent, { ...valid, apiUrl: chatzy.url, identify })
    if (order === 'after') await app.register(fastifyCookie, { secret: 'the-host-app-own-cookie-secret-0123456789' })
    // A server-rendered page sets the app's own cookie and starts the Chatzy session on one reply.
    app.get('/page', async (request, reply) => {
      reply.setCookie('app_prefs', 'dark', { path: '/' })
      const session = await app.chatzy.startSession(request, reply)
      return { token: session.access_token.length > 0, prefs: request.cookies.app_prefs ?? null }
    })
    t.after(() => Promise.all([app.close(), chatzy.app.close()]))
    await app.ready()
    const page = await app.inject({ method: 'GET', url: '/page', headers: { 'x-test-user': 'user123', cookie: 'app_prefs=light' } })
    assert.equal(page.statusCode, 200, order)
    assert.deepEqual(page.json(), { token: true, prefs: 'light' }, order)
    const names = [page.headers['set-cookie']].flat().map((line) => String(line).slice(0, String(line).indexOf('=')))
    assert.deepEqual(names.sort(), ['app_prefs', 'chatzy_session'], order)
    const refreshed = await call(app, 'POST', '/refresh', { user: 'user123', cookie: sessionCookieOf(page) })
    assert.equal(refreshed.statusCode, 200, order)
  }
})

test('a cookie path that covers the routes, under a parent prefix too, registers', async () => {
  assert.equal(await register({ ...valid, cookie: { secret: COOKIE_SECRET, path: '/chatzy' } }), undefined)
  assert.equal(await register({ ...valid, prefix: '/api/chatzy', cookie: { secret: COOKIE_SECRET, path: '/api' } }), undefined)
  const app = Fastify()
  await app.register(async (scope) => {
    await scope.register(chatzyAgent, { ...valid, cookie: { secret: COOKIE_SECRET, path: '/v1' } })
  }, { prefix: '/v1' })
  await app.ready()
  await app.close()
})

test('prefix moves the routes', async (t) => {
  const chatzy = await startChatzy()
  const app = Fastify()
  await app.register(chatzyAgent, { ...valid, apiUrl: chatzy.url, prefix: '/api/chat', store: memoryStore() })
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))
  const headers = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }
  assert.equal((await app.inject({ method: 'POST', url: '/api/chat/session', headers, payload: {} })).statusCode, 200)
  assert.equal((await app.inject({ method: 'POST', url: '/chatzy/session', headers, payload: {} })).statusCode, 404)
})

test('a plain-http apiUrl off loopback is accepted with a warning: the API key would cross the network in clear', async (t) => {
  const lines: string[] = []
  for (const apiUrl of ['http://chatzy-proxy.internal/prod', 'http://127.0.0.1:8080', 'https://chatzy.example']) {
    const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } } })
    t.after(() => app.close())
    await app.register(chatzyAgent, { ...valid, apiUrl })
    await app.ready()
  }
  const warnings = lines.map((line) => JSON.parse(line)).filter((line) => line.level === 40)
  assert.equal(warnings.length, 1)
  assert.match(warnings[0].msg, /plain http/)
  assert.ok(!lines.join('').includes(API_KEY))
})

test('a store written as a class (methods on its prototype) registers; one without a method fails, naming it', async () => {
  class ClassStore {
    readonly inner = memoryStore()
    get(id: string) { return this.inner.get(id) }
    set(...args: Parameters<ReturnType<typeof memoryStore>['set']>) { return this.inner.set(...args) }
    delete(id: string) { return this.inner.delete(id) }
  }
  assert.equal(await register({ ...valid, store: new ClassStore() }), undefined)
  const error = await register({ ...valid, store: { get: async () => undefined, set: async () => undefined } })
  assert.match(String(error), /invalid option "store\.delete"/)
})

test('a URL option that does not parse fails registration, naming the option', async () => {
  assert.match(String(await register({ ...valid, apiUrl: 'http://[' })), /invalid option "apiUrl"/)
  assert.match(String(await register({ ...valid, allowedOrigins: ['http://localhost:3000', 'http://a b'] })), /invalid option "allowedOrigins\.1"/)
})
