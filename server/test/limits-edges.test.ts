import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { memoryStore, redisStore } from '../src/index.js'
import { connectRedis, startRedisServer, type RedisServer } from '../../test/redis-server.js'
import { buildApp, call, recordKeyOf, sessionCookieOf, startApp, startChatzy } from './helpers.js'

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
const stores = {
  memoryStore: () => memoryStore(),
  redisStore: async () => redisStore({ client: await redis(), keyPrefix: `edges-${Date.now()}-${Math.random()}:` }),
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Records when each upstream call reaches the mock (it counts every call in `calls`). */
function upstreamTimes(chatzy: { calls: { mint: number; refresh: number } }): { endpoint: string; at: number }[] {
  const seen: { endpoint: string; at: number }[] = []
  for (const endpoint of ['mint', 'refresh'] as const) {
    let count = chatzy.calls[endpoint]
    Object.defineProperty(chatzy.calls, endpoint, {
      get: () => count,
      set: (next: number) => { count = next; seen.push({ endpoint, at: Date.now() }) },
    })
  }
  return seen
}

/** A tab that says its token is no good any more: only a new one from Chatzy answers it. */
const staleRefresh = (app: FastifyInstance, cookie: string, user = 'alice') =>
  call(app, 'POST', '/refresh', { user, cookie, body: { expires_at: 8.64e15 } })

test('a re-mint after Chatzy refuses a refresh token keeps the session\'s floor from the refused call', async (t) => {
  const floorMs = 600
  const { chatzy, app } = await startApp(t, { minRefreshIntervalMs: floorMs })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  await sleep(floorMs + 50)
  const seen = upstreamTimes(chatzy)
  chatzy.revokeRefreshTokens()
  const refreshed = await staleRefresh(app, sessionCookieOf(started))
  assert.equal(refreshed.statusCode, 200, refreshed.body)
  assert.deepEqual(seen.map((call) => call.endpoint), ['refresh', 'mint'])
  const gap = seen[1]!.at - seen[0]!.at
  assert.ok(gap >= floorMs - 5, `the mint came ${gap} ms after the refused refresh, inside the ${floorMs} ms floor`)
})

test('a re-mint whose floor is far off is answered 429 with Retry-After, and the session keeps that floor', async (t) => {
  const floorMs = 30_000
  const store = memoryStore()
  const { chatzy, app } = await startApp(t, { store, minRefreshIntervalMs: floorMs })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  // The session's last upstream call was long ago: its next refresh may go upstream at once.
  const key = recordKeyOf(started)
  const record = (await store.get(key))!
  await store.set(key, { ...record, upstream_at: Date.now() - floorMs - 1 }, 60_000)
  chatzy.revokeRefreshTokens()
  const refused = await staleRefresh(app, cookie)
  assert.equal(refused.statusCode, 429, refused.body)
  assert.equal(refused.json().code, 'CHATZY_RATE_LIMITED')
  const retryAfter = Number(refused.headers['retry-after'])
  assert.ok(retryAfter >= 29 && retryAfter <= 30, `Retry-After ${refused.headers['retry-after']}`)
  assert.deepEqual(chatzy.calls, { mint: 1, refresh: 1 }, 'no mint inside the floor of the refused refresh')
  // Asked again at once: inside the floor, the stored token (not yet expired) is the answer.
  const again = await staleRefresh(app, cookie)
  assert.equal(again.json().access_token, started.json().access_token)
  assert.deepEqual(chatzy.calls, { mint: 1, refresh: 1 })
})

for (const [kind, make] of Object.entries(stores)) {
  test(`mintLimit (${kind}): a sliding window, so no more than max mints pass across a window's edge`, async (t) => {
    const { chatzy, app } = await startApp(t, { store: await make(), mintLimit: { max: 2, windowMs: 1_000 } })
    const mint = () => call(app, 'POST', '/session', { user: 'alice' })
    assert.equal((await mint()).statusCode, 200)
    await sleep(700)
    assert.equal((await mint()).statusCode, 200)
    // 1,100 ms after the first: a fixed window would have opened afresh and let two more through.
    await sleep(400)
    assert.equal((await mint()).statusCode, 200, 'the first mint has left the window')
    const over = await mint()
    assert.equal(over.statusCode, 429, 'two mints within the last second already')
    const retryAfter = Number(over.headers['retry-after'])
    assert.ok(retryAfter >= 1 && retryAfter <= 1, `Retry-After: ${over.headers['retry-after']} (the second mint leaves the window within a second)`)
    assert.equal(chatzy.calls.mint, 3)
  })

  test(`mintLimit (${kind}): refused attempts are not counted, so a user who keeps trying is let in once the window has room`, async (t) => {
    const { app } = await startApp(t, { store: await make(), mintLimit: { max: 1, windowMs: 1_000 } })
    const mint = () => call(app, 'POST', '/session', { user: 'alice' })
    assert.equal((await mint()).statusCode, 200)
    for (let i = 0; i < 5; i++) {
      assert.equal((await mint()).statusCode, 429)
      await sleep(150)
    }
    await sleep(400)
    const admitted = await mint()
    assert.equal(admitted.statusCode, 200, admitted.body)
  })

  test(`sessionsPerUser (${kind}): one more session ends the least recently used one, not the first created`, async (t) => {
    const { app } = await startApp(t, { store: await make(), sessionsPerUser: 2, minRefreshIntervalMs: 60_000 })
    const started = []
    for (let i = 0; i < 2; i++) started.push(await call(app, 'POST', '/session', { user: 'alice' }))
    const [first, second] = started.map((response) => sessionCookieOf(response))
    // The first device reloads its page: it is in use; the second sits idle.
    assert.equal((await call(app, 'POST', '/session', { user: 'alice', cookie: first! })).statusCode, 200)
    await call(app, 'POST', '/session', { user: 'alice' })
    const refresh = (cookie: string) => call(app, 'POST', '/refresh', { user: 'alice', cookie, body: {} })
    assert.equal((await refresh(first!)).statusCode, 200, 'the device in use keeps its session')
    assert.equal((await refresh(second!)).statusCode, 401, 'the idle one ends')
  })
}

test('sessionsPerUser: eleven devices of one user, ten of them in use, cost the idle one alone its session', async (t) => {
  const { chatzy, app } = await startApp(t, { sessionsPerUser: 10, mintLimit: { max: 20, windowMs: 60_000 }, minRefreshIntervalMs: 60_000 })
  const devices: string[] = []
  for (let i = 0; i < 10; i++) devices.push(sessionCookieOf(await call(app, 'POST', '/session', { user: 'alice' })))
  // The fifth device sits idle; the others keep reloading their pages, and an eleventh comes.
  const [idle] = devices.splice(4, 1)
  for (const cookie of devices) assert.equal((await call(app, 'POST', '/session', { user: 'alice', cookie })).statusCode, 200)
  devices.push(sessionCookieOf(await call(app, 'POST', '/session', { user: 'alice' })))
  for (let round = 0; round < 3; round++) {
    for (const cookie of devices) assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: {} })).statusCode, 200)
  }
  assert.equal(chatzy.calls.mint, 11, 'no device in use lost its session and minted again')
  assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie: idle!, body: {} })).statusCode, 401)
})

test('memoryStore: a user\'s mint count is not forgotten when other users fill the store', async (t) => {
  const { app } = await startApp(t, { store: memoryStore({ maxSessions: 2 }), mintLimit: { max: 1, windowMs: 60_000 } })
  assert.equal((await call(app, 'POST', '/session', { user: 'mallory' })).statusCode, 200)
  for (const user of ['u1', 'u2', 'u3', 'u4']) assert.equal((await call(app, 'POST', '/session', { user })).statusCode, 200)
  assert.equal((await call(app, 'POST', '/session', { user: 'mallory' })).statusCode, 429)
})

test('a refresh with no expires_at is answered with the stored token while it is fresh, past the floor too', async (t) => {
  const { chatzy, app } = await startApp(t, { minRefreshIntervalMs: 0 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  for (let i = 0; i < 5; i++) {
    const refreshed = await call(app, 'POST', '/refresh', { user: 'alice', cookie: sessionCookieOf(started), body: {} })
    assert.equal(refreshed.json().access_token, started.json().access_token)
  }
  assert.equal(chatzy.calls.refresh, 0)
})

for (const [kind, make] of Object.entries(stores)) {
  test(`a refresh that read the session before a sign-out landed is answered 401, never the old token (${kind}, identify answering later)`, async (t) => {
    const chatzy = await startChatzy()
    t.after(() => chatzy.app.close())
    let releaseIdentify: (() => void) | undefined
    const app = await buildApp(chatzy, {
      store: await make(),
      minRefreshIntervalMs: 0,
      identify: async (request) => {
        if (request.headers['x-slow'] === '1') await new Promise<void>((resolve) => { releaseIdentify = resolve })
        return (request.headers['x-test-user'] as string | undefined) ?? null
      },
    })
    t.after(() => app.close())
    const started = await call(app, 'POST', '/session', { user: 'alice' })
    const cookie = sessionCookieOf(started)
    // The tab holds an older token: the stored one would answer it, had the sign-out not landed.
    const refreshing = call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: 0 }, headers: { 'x-slow': '1' } })
    for (let i = 0; i < 200 && releaseIdentify === undefined; i++) await sleep(5)
    assert.equal((await call(app, 'DELETE', '/session', { cookie })).statusCode, 204)
    releaseIdentify!()
    const answered = await refreshing
    assert.equal(answered.statusCode, 401, answered.body)
    assert.ok(!answered.body.includes(started.json().access_token))
  })
}

test('a reload whose session is signed out while it is being resumed starts a new session: 200, never 401', async (t) => {
  const inner = memoryStore()
  let signOutOnRead: string | undefined
  const store = {
    get: async (id: string) => {
      if (id === signOutOnRead) {
        signOutOnRead = undefined
        const before = await inner.get(id)
        // Another tab's sign-out lands between the reload's first read and the next.
        setImmediate(() => void inner.delete(id))
        return before
      }
      return inner.get(id)
    },
    set: inner.set, delete: inner.delete, replace: inner.replace, hit: inner.hit, addUserSession: inner.addUserSession,
  }
  // Tokens inside the margin: a reload refreshes, so it reads the session a second time.
  const { chatzy, app } = await startApp(t, { store, minRefreshIntervalMs: 0 }, { accessTtlMs: 20_000 })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  signOutOnRead = recordKeyOf(started)
  const reloaded = await call(app, 'POST', '/session', { user: 'alice', cookie: sessionCookieOf(started) })
  assert.equal(reloaded.statusCode, 200, reloaded.body)
  assert.equal(chatzy.calls.mint, 2, 'a new session was started')
})
