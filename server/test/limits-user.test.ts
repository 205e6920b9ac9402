import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { memoryStore, redisStore, type SessionStore, type StoredSession } from '../src/index.js'
import { connectRedis, startRedisServer, type RedisServer } from '../../test/redis-server.js'
import { CHATBOT_ID, buildApp, call, captureLogs, sessionCookieOf, startApp, startChatzy } from './helpers.js'

let server: RedisServer
const clients: Redis[] = []
before(async () => {
  server = await startRedisServer()
})
after(async () => {
  for (const client of clients) client.disconnect()
  await server?.close()
})

async function redis(): Promise<Redis> {
  const client = await connectRedis(server.url)
  clients.push(client)
  return client
}

/** `n` sessions for `user`, in order; their cookies. */
async function sessions(app: FastifyInstance, user: string, n: number): Promise<string[]> {
  const cookies: string[] = []
  for (let i = 0; i < n; i++) {
    const started = await call(app, 'POST', '/session', { user })
    assert.equal(started.statusCode, 200, started.body)
    cookies.push(sessionCookieOf(started))
  }
  return cookies
}

/** A refresh from a tab that holds a token newer than the stored one: only an upstream call answers it. */
const refreshWith = (app: FastifyInstance, user: string, cookie: string) => call(app, 'POST', '/refresh', { user, cookie, body: { expires_at: 8.64e15 } })

test('mintLimit: the 11th mint of one user within a minute is 429 CHATZY_RATE_LIMITED with Retry-After, and costs Chatzy nothing; others go on', async (t) => {
  const { chatzy, app } = await startApp(t)
  await sessions(app, 'mallory', 10)
  const refused = await call(app, 'POST', '/session', { user: 'mallory' })
  assert.equal(refused.statusCode, 429)
  assert.equal(refused.json().code, 'CHATZY_RATE_LIMITED')
  const retryAfter = Number(refused.headers['retry-after'])
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${refused.headers['retry-after']}`)
  assert.equal(refused.headers['set-cookie'], undefined)
  assert.equal(chatzy.calls.mint, 10)

  assert.equal((await call(app, 'POST', '/session', { user: 'bob' })).statusCode, 200)
  assert.equal(chatzy.calls.mint, 11)
})

test('mintLimit: the window closes and the user may mint again', async (t) => {
  const { app } = await startApp(t, { mintLimit: { max: 2, windowMs: 1_000 } })
  await sessions(app, 'alice', 2)
  assert.equal((await call(app, 'POST', '/session', { user: 'alice' })).statusCode, 429)
  await new Promise((resolve) => setTimeout(resolve, 1_050))
  assert.equal((await call(app, 'POST', '/session', { user: 'alice' })).statusCode, 200)
})

test('mintLimit: a re-mint after Chatzy refuses a refresh token counts too', async (t) => {
  const { chatzy, app } = await startApp(t, { mintLimit: { max: 1, windowMs: 60_000 }, minRefreshIntervalMs: 0 })
  const [cookie] = await sessions(app, 'alice', 1)
  chatzy.revokeRefreshTokens()
  chatzy.expireAccessTokens()
  const refused = await refreshWith(app, 'alice', cookie!)
  assert.equal(refused.statusCode, 429)
  assert.equal(refused.json().code, 'CHATZY_RATE_LIMITED')
  assert.equal(chatzy.calls.mint, 1)
})

test('mintLimit: instances sharing a redisStore share the count (one key per user, with a TTL)', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const prefix = `mints-${Date.now()}:`
  const apps = [await buildApp(chatzy, { store: redisStore({ client: await redis(), keyPrefix: prefix }) }), await buildApp(chatzy, { store: redisStore({ client: await redis(), keyPrefix: prefix }) })]
  t.after(() => Promise.all(apps.map((app) => app.close())))
  for (let i = 0; i < 10; i++) assert.equal((await call(apps[i % 2]!, 'POST', '/session', { user: 'mallory' })).statusCode, 200)
  for (const app of apps) assert.equal((await call(app, 'POST', '/session', { user: 'mallory' })).statusCode, 429)
  assert.equal(chatzy.calls.mint, 10)
  const ttl = await clients[0]!.pttl(`${prefix}limit:mint:mallory:${CHATBOT_ID}`)
  assert.ok(ttl > 0 && ttl <= 60_000, `the counter expires with its window (pttl ${ttl})`)
})

test('redisStore.hit counts atomically: 50 concurrent hits from two clients give counts 1..50', async () => {
  const [a, b] = [redisStore({ client: await redis(), keyPrefix: 'atomic:' }), redisStore({ client: await redis(), keyPrefix: 'atomic:' })]
  const counts = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).hit!('k', 10_000)))
  assert.deepEqual(counts.map((c) => c.count).sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i + 1))
  assert.ok(counts.every((c) => c.resetInMs > 0 && c.resetInMs <= 10_000))
})

for (const kind of ['memoryStore', 'redisStore'] as const) {
  test(`sessionsPerUser (${kind}): one more session ends that user's oldest; the others and other users' live on`, async (t) => {
    const store = kind === 'memoryStore' ? memoryStore() : redisStore({ client: await redis(), keyPrefix: `per-user-${Date.now()}:` })
    const { app } = await startApp(t, { store, sessionsPerUser: 3, minRefreshIntervalMs: 60_000 })
    const [bobs] = await sessions(app, 'bob', 1)
    const cookies = await sessions(app, 'alice', 5)
    for (const [i, cookie] of cookies.entries()) {
      assert.equal((await refreshWith(app, 'alice', cookie)).statusCode, i < 2 ? 401 : 200, `alice's session ${i}`)
    }
    assert.equal((await refreshWith(app, 'bob', bobs!)).statusCode, 200)
  })
}

for (const kind of ['memoryStore', 'redisStore'] as const) {
  test(`sessionsPerUser (${kind}): a session minted again (its refresh token refused) still counts, after its first refresh token's expiry`, async (t) => {
    const store = kind === 'memoryStore' ? memoryStore() : redisStore({ client: await redis(), keyPrefix: `re-mint-${Date.now()}:` })
    const { chatzy, app } = await startApp(t, { store, sessionsPerUser: 2, minRefreshIntervalMs: 0 }, { refreshTtlMs: 2_000 })
    const [first] = await sessions(app, 'alice', 1)
    await new Promise((resolve) => setTimeout(resolve, 800))
    chatzy.revokeRefreshTokens()
    chatzy.expireAccessTokens()
    // Minted again: its new refresh token lives until about 2.8 s from the start.
    assert.equal((await refreshWith(app, 'alice', first!)).statusCode, 200)
    assert.equal(chatzy.calls.mint, 2)
    // Past the first refresh token's expiry, within the second's: the session is alive and is alice's oldest.
    await new Promise((resolve) => setTimeout(resolve, 1_400))
    await sessions(app, 'alice', 2)
    assert.equal((await refreshWith(app, 'alice', first!)).statusCode, 401, 'the third live session ends the oldest')
  })
}

for (const kind of ['memoryStore', 'redisStore'] as const) {
  test(`addUserSession (${kind}): the session being added never ends itself, even when its expiry is the earliest (mints that ran at once)`, async () => {
    const store = kind === 'memoryStore' ? memoryStore() : redisStore({ client: await redis(), keyPrefix: `self-${Date.now()}:` })
    const now = Date.now()
    const add = async (id: string, expiresAt: number) => {
      const session: StoredSession = { user_id: 'alice', chatbot_id: CHATBOT_ID, access_token: `at-${id}`, access_expires_at: now + 5_000, refresh_token: `rt-${id}`, refresh_expires_at: expiresAt, upstream_at: now }
      await store.set(id, session, expiresAt - now)
      return store.addUserSession!('alice', id, expiresAt, 2)
    }
    assert.deepEqual(await add('a', now + 20_000), [])
    assert.deepEqual(await add('b', now + 30_000), [])
    assert.deepEqual(await add('c', now + 10_000), ['a'])
  })
}

test('sessionsPerUser: concurrent mints of one user on two redisStore instances still leave at most that many sessions', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const prefix = `concurrent-${Date.now()}:`
  const client = await redis()
  const apps = [await buildApp(chatzy, { store: redisStore({ client, keyPrefix: prefix }), sessionsPerUser: 2 }), await buildApp(chatzy, { store: redisStore({ client: await redis(), keyPrefix: prefix }), sessionsPerUser: 2 })]
  t.after(() => Promise.all(apps.map((app) => app.close())))
  const started = await Promise.all(Array.from({ length: 8 }, (_, i) => call(apps[i % 2]!, 'POST', '/session', { user: 'alice' })))
  assert.ok(started.every((response) => response.statusCode === 200))
  const live = await client.keys(`${prefix}session:*`)
  assert.equal(live.length, 2)
})

test('sessionsPerUser: one user minting as fast as allowed does not evict other users from a bounded memoryStore', async (t) => {
  const store = memoryStore({ maxSessions: 20 })
  const { app } = await startApp(t, { store, mintLimit: { max: 1_000, windowMs: 60_000 } })
  const [bobs] = await sessions(app, 'bob', 1)
  await sessions(app, 'mallory', 40)
  assert.equal((await refreshWith(app, 'bob', bobs!)).statusCode, 200)
  assert.equal(store.size, 11)
})

test('a custom store without hit/addUserSession works, counted in each process, and says so once at startup', async (t) => {
  const sessionsById = new Map<string, StoredSession>()
  const store: SessionStore = {
    get: async (id) => sessionsById.get(id),
    set: async (id, session) => void sessionsById.set(id, session),
    delete: async (id) => void sessionsById.delete(id),
  }
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const logs = captureLogs()
  const app = await buildApp(chatzy, { store, mintLimit: { max: 2, windowMs: 60_000 }, sessionsPerUser: 1 }, { logger: { level: 'warn', stream: logs.stream } })
  t.after(() => app.close())
  assert.match(logs.text(), /the store has no hit or addUserSession; mintLimit and sessionsPerUser are counted in each process/)
  const [first] = await sessions(app, 'alice', 2)
  assert.equal((await call(app, 'POST', '/session', { user: 'alice' })).statusCode, 429)
  assert.equal((await refreshWith(app, 'alice', first!)).statusCode, 401)
  assert.equal(sessionsById.size, 1)
})
