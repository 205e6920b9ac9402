import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { inspect, promisify } from 'node:util'
import type { Redis } from 'ioredis'
import { redisStore, type StoredSession } from '../src/index.js'
import { connectRedis, startRedisServer, type RedisServer } from '../../test/redis-server.js'
import { API_KEY, buildApp, browserHeaders, sessionCookieOf, startChatzy } from './helpers.js'

const run = promisify(execFile)

let server: RedisServer
let redis: Redis

before(async () => {
  server = await startRedisServer()
  redis = await connectRedis(server.url)
})
after(async () => {
  redis?.disconnect()
  await server?.close()
})

const session: StoredSession = {
  user_id: 'user123',
  chatbot_id: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1',
  access_token: 'at_example',
  access_expires_at: Date.now() + 60_000,
  refresh_token: 'rt_example',
  refresh_expires_at: Date.now() + 3_600_000,
  upstream_at: Date.now(),
}

test('redisStore keeps a session as JSON under its prefix, expiring with the session', async () => {
  const store = redisStore({ client: redis, keyPrefix: 'shop-a:' })
  await store.set('id-1', session, 60_000)

  assert.deepEqual(await store.get('id-1'), session)
  const ttl = await redis.pttl('shop-a:session:id-1')
  assert.ok(ttl > 0 && ttl <= 60_000, `the key expires with the session (pttl ${ttl})`)
  assert.equal(await redisStore({ client: redis, keyPrefix: 'shop-b:' }).get('id-1'), undefined, 'another prefix sees nothing')

  await store.delete('id-1')
  assert.equal(await store.get('id-1'), undefined)
  assert.equal(await redis.exists('shop-a:session:id-1'), 0)
})

test('redisStore drops a session whose lifetime is already over, and reads a foreign value as no session', async () => {
  const store = redisStore({ client: redis })
  await store.set('gone', session, 60_000)
  await store.set('gone', session, 0)
  assert.equal(await redis.exists('chatzy:session:gone'), 0)

  await redis.set('chatzy:session:garbage', '{not json', 'PX', 60_000)
  await redis.set('chatzy:session:wrong-shape', JSON.stringify({ user_id: 42 }), 'PX', 60_000)
  assert.equal(await store.get('garbage'), undefined)
  assert.equal(await store.get('wrong-shape'), undefined)
})

test('redisStore replace writes only over a session still there, in one command (SET XX)', async () => {
  const store = redisStore({ client: redis, keyPrefix: 'replace:' })
  assert.equal(await store.replace!('gone', session, 60_000), false)
  assert.equal(await redis.exists('replace:session:gone'), 0, 'nothing was created')
  await store.set('live', session, 60_000)
  const next = { ...session, access_token: 'at_next' }
  assert.equal(await store.replace!('live', next, 30_000), true)
  assert.deepEqual(await store.get('live'), next)
  const ttl = await redis.pttl('replace:session:live')
  assert.ok(ttl > 25_000 && ttl <= 30_000, `TTL ${ttl} ms`)
  await store.delete('live')
  assert.equal(await store.replace!('live', next, 30_000), false)
  assert.equal(await store.get('live'), undefined)
})

test('redisStore lock is exclusive, expires by itself, and a late release never frees the next holder', async () => {
  const store = redisStore({ client: redis })
  const other = redisStore({ client: redis })

  const release = await store.lock!('locked', 60_000)
  assert.ok(release, 'the first caller takes the lock')
  assert.equal(await other.lock!('locked', 60_000), undefined, 'a second caller does not')
  await release()
  const next = await other.lock!('locked', 60_000)
  assert.ok(next, 'released, it can be taken again')
  await next()

  const stale = await store.lock!('expiring', 50)
  assert.ok(stale)
  for (let i = 0; i < 100 && (await redis.exists('chatzy:lock:expiring')) === 1; i++) await new Promise((r) => setTimeout(r, 10))
  const successor = await other.lock!('expiring', 60_000)
  assert.ok(successor, 'an expired lock can be taken over')
  await stale() // the dead holder wakes up late
  assert.equal(await other.lock!('expiring', 60_000), undefined, "the successor's lock is still held")
  await successor()
})

test('with an encryptionKey, a scan of Redis finds no token (access or refresh) and no API key', async (t) => {
  const chatzy = await startChatzy()
  const app = await buildApp(chatzy, {
    store: redisStore({ client: redis, keyPrefix: 'sealed:' }),
    encryptionKey: 'an-encryption-key-for-tests-0123456789',
    minRefreshIntervalMs: 0,
  })
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))
  const headers = { ...browserHeaders, 'x-test-user': 'user123' }

  const started = await app.inject({ method: 'POST', url: '/chatzy/session', headers, payload: {} })
  assert.equal(started.statusCode, 200)
  const refreshed = await app.inject({
    method: 'POST', url: '/chatzy/refresh',
    headers: { ...headers, cookie: sessionCookieOf(started) }, payload: { expires_at: started.json().expires_at },
  })
  assert.equal(refreshed.statusCode, 200, 'the sealed refresh token still refreshes')
  assert.equal(chatzy.calls.refresh, 1)
  assert.equal(chatzy.calls.mint, 1, 'no re-mint: Chatzy accepted the unsealed refresh token')

  // What an operator (or an attacker with a dump) sees, with Redis's own client.
  const cli = (...args: string[]) => run('redis-cli', ['-h', '127.0.0.1', '-p', String(server.port), '--raw', ...args])
  const keys = (await cli('--scan', '--pattern', 'sealed:session:*')).stdout.split('\n').filter(Boolean)
  assert.equal(keys.length, 1, `one session key, no lock left behind: ${keys.join(' ')}`)
  const dump = (await Promise.all(keys.map(async (key) => (await cli('GET', key)).stdout))).join('\n')
  assert.equal(chatzy.issued.refresh.size, 1)
  for (const token of chatzy.issued.refresh) assert.ok(!dump.includes(token), 'no plaintext refresh token in Redis')
  for (const token of chatzy.issued.access) assert.ok(!dump.includes(token), 'no plaintext access token in Redis')
  assert.ok(!dump.includes(API_KEY))
  assert.match(JSON.parse(dump).refresh_token, /^v2\./)

  // Someone who can write to Redis puts their own access token and an endless expiry in the record.
  await cli('SET', keys[0]!, JSON.stringify({ ...JSON.parse(dump), access_token: 'at_attacker', access_expires_at: 8.64e15 }), 'KEEPTTL')
  const forged = await app.inject({
    method: 'POST', url: '/chatzy/refresh',
    headers: { ...headers, cookie: sessionCookieOf(started) }, payload: { expires_at: refreshed.json().expires_at },
  })
  assert.equal(forged.statusCode, 401, 'a rewritten record is no session')
  assert.ok(!forged.body.includes('at_attacker'))
})

test('a mint and a refresh never make Redis walk its keyspace (no KEYS, no SCAN)', async (t) => {
  const chatzy = await startChatzy()
  const app = await buildApp(chatzy, { store: redisStore({ client: redis }), minRefreshIntervalMs: 0 })
  const monitor = await redis.monitor()
  const commands: string[] = []
  monitor.on('monitor', (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase()))
  t.after(() => Promise.all([app.close(), chatzy.app.close(), monitor.disconnect()]))
  const headers = { ...browserHeaders, 'x-test-user': 'user123' }

  const started = await app.inject({ method: 'POST', url: '/chatzy/session', headers, payload: {} })
  const refreshed = await app.inject({
    method: 'POST', url: '/chatzy/refresh',
    headers: { ...headers, cookie: sessionCookieOf(started) }, payload: { expires_at: started.json().expires_at },
  })
  assert.equal(refreshed.statusCode, 200)
  await redis.ping() // MONITOR reports asynchronously: wait for everything before this to show up
  for (let i = 0; i < 100 && !commands.includes('ping'); i++) await new Promise((r) => setTimeout(r, 10))

  assert.ok(commands.includes('get') && commands.includes('set'), `the flow used Redis: ${commands.join(' ')}`)
  assert.ok(!commands.some((name) => name === 'keys' || name === 'scan'), `no keyspace walk: ${commands.join(' ')}`)
})

test('a failing Redis write is reported without the session it carried', async (t) => {
  const store = redisStore({ client: redis })
  // Redis out of memory refuses writes with an error naming the command (and, in ioredis, its arguments).
  await redis.config('SET', 'maxmemory', '1')
  t.after(() => redis.config('SET', 'maxmemory', '0'))

  const error = await store.set('full', { ...session, refresh_token: 'rt_must_not_leak' }, 60_000).then(() => undefined, (e: unknown) => e)

  assert.ok(error instanceof Error, 'the write fails')
  assert.match(error.message, /OOM/)
  assert.ok(!inspect(error, { depth: 10, showHidden: true }).includes('rt_must_not_leak'), 'the session is not in the error')
})
