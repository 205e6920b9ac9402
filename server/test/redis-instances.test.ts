import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import type { Redis } from 'ioredis'
import chatzyAgent, { redisStore, type ChatzyAgentOptions } from '../src/index.js'
import { connectRedis, startRedisServer } from '../../test/redis-server.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET, buildApp, browserHeaders, recordKeyOf, sessionCookieOf, startChatzy } from './helpers.js'

/**
 * Several app instances behind one load balancer: each its own process (here: its own Fastify
 * app and its own Redis connection), all with the same cookie secret and the same Redis.
 */
const ENCRYPTION_KEY = 'an-encryption-key-for-tests-0123456789'
const user = { ...browserHeaders, 'x-test-user': 'user123' }

async function cluster(t: TestContext) {
  const redisServer = await startRedisServer()
  const chatzy = await startChatzy()
  const clients: Redis[] = []
  const apps: FastifyInstance[] = []
  t.after(async () => {
    await Promise.all(apps.map((app) => app.close()))
    for (const client of clients) client.disconnect()
    await chatzy.app.close()
    await redisServer.close()
  })
  // Clients are disconnected before Redis stops: a client left connecting to a stopped
  // server waits out ioredis's disconnect timeout.
  async function connect(): Promise<Redis> {
    const client = await connectRedis(redisServer.url)
    clients.push(client)
    return client
  }
  async function instance(options: Partial<ChatzyAgentOptions> = {}): Promise<FastifyInstance> {
    const client = await connect()
    const app = await buildApp(chatzy, { store: redisStore({ client }), encryptionKey: ENCRYPTION_KEY, minRefreshIntervalMs: 0, ...options })
    apps.push(app)
    return app
  }
  return { redisServer, chatzy, instance, connect, redis: await connect() }
}

function startSession(app: FastifyInstance) {
  return app.inject({ method: 'POST', url: '/chatzy/session', headers: user, payload: {} })
}

function refresh(app: FastifyInstance, started: LightMyRequestResponse) {
  return app.inject({
    method: 'POST', url: '/chatzy/refresh',
    headers: { ...user, cookie: sessionCookieOf(started) },
    // The token the browser holds has expired: a new one is due.
    payload: { expires_at: started.json().expires_at },
  })
}

/** The session id inside the signed cookie (`id.signature`). */
function sessionIdOf(started: LightMyRequestResponse): string {
  return recordKeyOf(started)
}

test('a session started on instance A refreshes on instance B', async (t) => {
  const { chatzy, instance } = await cluster(t)
  const [a, b] = [await instance(), await instance()]

  const started = await startSession(a)
  assert.equal(started.statusCode, 200)
  const refreshed = await refresh(b, started)

  assert.equal(refreshed.statusCode, 200)
  assert.notEqual(refreshed.json().access_token, started.json().access_token)
  assert.ok(chatzy.issued.access.has(refreshed.json().access_token))
  assert.deepEqual(chatzy.calls, { mint: 1, refresh: 1 }, 'B used the refresh token A stored; no second mint')
})

test('simultaneous refreshes of one session on two instances cost one upstream call', async (t) => {
  const { chatzy, instance } = await cluster(t)
  const [a, b] = [await instance(), await instance()]
  const started = await startSession(a)
  // A slow Chatzy keeps the first refresh in flight while the others arrive.
  chatzy.faults.inject({ fault: 'delay', delayMs: 300, endpoints: ['refresh'] })

  const answers = await Promise.all([a, b, a, b, a, b].map((app) => refresh(app, started)))

  assert.deepEqual(answers.map((answer) => answer.statusCode), [200, 200, 200, 200, 200, 200])
  assert.equal(new Set(answers.map((answer) => answer.json().access_token)).size, 1, 'every tab gets the same new token')
  assert.equal(chatzy.calls.refresh, 1)
  assert.equal(chatzy.calls.mint, 1)
})

test('when the instance holding the refresh lock hangs, another takes over once the lock expires', async (t) => {
  const { chatzy, instance, redis } = await cluster(t)
  const a = await instance({ lockTtlMs: 300, retries: 0, timeoutMs: 1_000 })
  const b = await instance()
  const started = await startSession(a)
  const lockKey = `chatzy:lock:${sessionIdOf(started)}`

  // A takes the lock and its call to Chatzy does not come back within the lock's lifetime.
  chatzy.faults.inject({ fault: 'delay', delayMs: 1_500, endpoints: ['refresh'], times: 1 })
  const stuck = refresh(a, started)
  for (let i = 0; i < 200 && chatzy.calls.refresh === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  const heldByA = await redis.get(lockKey)
  assert.ok(heldByA, 'A holds the lock while it refreshes')

  const answer = refresh(b, started)
  for (let i = 0; i < 200 && (await redis.get(lockKey)) === heldByA; i++) {
    assert.equal(chatzy.calls.refresh, 1, 'B does not call Chatzy while A holds the lock')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const refreshed = await answer

  assert.equal(refreshed.statusCode, 200)
  assert.notEqual(refreshed.json().access_token, started.json().access_token)
  assert.equal(chatzy.calls.refresh, 2, "A's call, still unanswered, and B's")
  assert.equal(await redis.exists(lockKey), 0, 'B released its lock')
  assert.equal((await stuck).statusCode, 504, "A's own request ends with its upstream timeout")
})

test('a refresh racing a sign-out on another instance does not bring the session back', async (t) => {
  const { chatzy, instance, connect, redis } = await cluster(t)
  const a = await instance()
  const started = await startSession(a)
  const signOutOnA = () => a.inject({ method: 'DELETE', url: '/chatzy/session', headers: { ...user, cookie: sessionCookieOf(started) } })
  // Instance B, whose refresh of the session is overtaken by the sign-out on A just before it takes the lock.
  const shared = redisStore({ client: await connect() })
  const b = await buildApp(chatzy, {
    store: { ...shared, lock: async (id, ttlMs) => (await signOutOnA(), shared.lock!(id, ttlMs)) },
    encryptionKey: ENCRYPTION_KEY,
    minRefreshIntervalMs: 0,
  })
  t.after(() => b.close())

  const refreshed = await refresh(b, started)

  assert.equal(refreshed.statusCode, 401)
  assert.equal(refreshed.json().code, 'CHATZY_NO_SESSION')
  assert.equal(await redis.exists(`chatzy:session:${sessionIdOf(started)}`), 0, 'the session stays deleted')
  assert.equal(chatzy.calls.refresh, 0)
})

test('restarting an instance loses no session', async (t) => {
  const { chatzy, instance } = await cluster(t)
  const a = await instance()
  const started = await startSession(a)
  await a.close()

  const restarted = await instance()
  const refreshed = await refresh(restarted, started)

  assert.equal(refreshed.statusCode, 200)
  assert.deepEqual(chatzy.calls, { mint: 1, refresh: 1 })
})

test('Redis down: 503 CHATZY_STORE_UNAVAILABLE, no crash, and the same session works again when Redis is back', async (t) => {
  const { chatzy, instance, redisServer } = await cluster(t)
  const unhandled: unknown[] = []
  const collect = (error: unknown) => unhandled.push(error)
  process.on('unhandledRejection', collect)
  t.after(() => process.off('unhandledRejection', collect))
  const a = await instance()
  const started = await startSession(a)

  await redisServer.stop({ keepData: true })
  const during = await refresh(a, started)
  assert.equal(during.statusCode, 503)
  assert.equal(during.json().code, 'CHATZY_STORE_UNAVAILABLE')
  const newSession = await startSession(a)
  assert.equal(newSession.statusCode, 503)
  assert.equal(newSession.json().code, 'CHATZY_STORE_UNAVAILABLE')

  const mints = chatzy.calls.mint

  await redisServer.start()
  let after = during
  for (let i = 0; i < 100 && after.statusCode === 503; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    after = await refresh(a, started)
  }
  assert.equal(after.statusCode, 200, 'the instance reconnected by itself')
  assert.equal(chatzy.calls.mint, mints, 'the session survived the outage: refreshed, not minted again')
  assert.equal(chatzy.calls.refresh, 1)
  assert.deepEqual(unhandled, [])
})

test('behind a TLS-terminating load balancer, with trustProxy, instances share a secure __Host- session', async (t) => {
  const { chatzy, connect } = await cluster(t)
  async function behindProxy(trustProxy: boolean): Promise<FastifyInstance> {
    const app = Fastify({ trustProxy })
    await app.register(chatzyAgent, {
      apiKey: API_KEY,
      chatbotId: CHATBOT_ID,
      apiUrl: chatzy.url,
      identify: (request) => (request.headers['x-test-user'] as string | undefined) ?? null,
      cookie: { secret: COOKIE_SECRET },
      store: redisStore({ client: await connect() }),
      encryptionKey: ENCRYPTION_KEY,
      minRefreshIntervalMs: 0,
    })
    t.after(() => app.close())
    return app
  }
  // What the balancer forwards for https://shop.example: plain http, the browser's origin, X-Forwarded-*.
  const fromBrowser = { ...user, origin: 'https://shop.example', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' }
  const [a, b, untrusting] = [await behindProxy(true), await behindProxy(true), await behindProxy(false)]

  const started = await a.inject({ method: 'POST', url: '/chatzy/session', headers: fromBrowser, payload: {} })
  assert.equal(started.statusCode, 200)
  const cookie = started.cookies.find((c) => c.name === '__Host-chatzy_session')
  assert.ok(cookie, 'the cookie is __Host- prefixed')
  assert.equal(cookie.secure, true)
  const refreshed = await b.inject({
    method: 'POST', url: '/chatzy/refresh',
    headers: { ...fromBrowser, cookie: `${cookie.name}=${cookie.value}` }, payload: { expires_at: started.json().expires_at },
  })
  assert.equal(refreshed.statusCode, 200, 'the next instance takes the same cookie')

  const refused = await untrusting.inject({ method: 'POST', url: '/chatzy/session', headers: fromBrowser, payload: {} })
  assert.equal(refused.statusCode, 403, 'without trustProxy the browser origin looks foreign')
  assert.equal(refused.json().code, 'CHATZY_FORBIDDEN_ORIGIN')
})
