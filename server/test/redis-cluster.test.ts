import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { Redis, type Cluster } from 'ioredis'
import { redisStore } from '../src/index.js'
import { connectCluster, startRedisCluster, type RedisCluster } from '../../test/redis-cluster.js'
import { browserHeaders, buildApp, recordKeyOf, sessionCookieOf, startChatzy } from './helpers.js'

/**
 * Two app instances on a real three-master Redis Cluster, each with its own ioredis `Cluster`
 * client set up as docs/scaling.md shows. One cluster for the whole file (it takes seconds to
 * form); the test that kills a master runs last.
 */
const ENCRYPTION_KEY = 'an-encryption-key-for-tests-0123456789'
/** Past this an answer counts as a hang: the store's own bound is 2 seconds. */
const HANG_MS = 6_000

let redisCluster: RedisCluster
let chatzy: Awaited<ReturnType<typeof startChatzy>>
const clients: Cluster[] = []
let a: FastifyInstance
let b: FastifyInstance

before(async () => {
  redisCluster = await startRedisCluster(3)
  chatzy = await startChatzy()
  async function instance(): Promise<FastifyInstance> {
    const client = await connectCluster(redisCluster.nodes)
    clients.push(client)
    return buildApp(chatzy, {
      store: redisStore({ client }),
      encryptionKey: ENCRYPTION_KEY,
      minRefreshIntervalMs: 0,
      mintLimit: { max: 4, windowMs: 60_000 },
      sessionsPerUser: 2,
    })
  }
  a = await instance()
  b = await instance()
})

after(async () => {
  await Promise.all([a, b].map((app) => app?.close()))
  for (const client of clients) client.disconnect()
  await chatzy?.app.close()
  await redisCluster?.close()
})

const headersOf = (user: string) => ({ ...browserHeaders, 'x-test-user': user })

async function startSession(app: FastifyInstance, user: string): Promise<LightMyRequestResponse> {
  const started = await app.inject({ method: 'POST', url: '/chatzy/session', headers: headersOf(user), payload: {} })
  assert.equal(started.statusCode, 200, started.body)
  return started
}

/** A refresh of a session whose browser token has expired: a new one is due. */
function refresh(app: FastifyInstance, user: string, started: LightMyRequestResponse) {
  return app.inject({
    method: 'POST', url: '/chatzy/refresh',
    headers: { ...headersOf(user), cookie: sessionCookieOf(started) },
    payload: { expires_at: started.json().expires_at },
  })
}

/** Rejects instead of waiting forever: a request on a broken cluster must end by itself. */
function withinBound<T>(answer: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms: the request hangs`)), HANG_MS)
  })
  return Promise.race([answer, hang]).finally(() => clearTimeout(timer))
}

function sessionIdOf(started: LightMyRequestResponse): string {
  return recordKeyOf(started)
}

/** Every key and its value as text, master by master, read with a plain client. */
async function contentsOfMasters(): Promise<Map<string, string>[]> {
  return Promise.all(redisCluster.nodes.map(async ({ host, port }) => {
    const node = new Redis(port, host, { lazyConnect: true, maxRetriesPerRequest: 1 })
    node.on('error', () => {})
    try {
      await node.connect()
      const keys = await node.keys('*')
      // Sessions and counters are strings, a user's session ids a sorted set.
      const values = await Promise.all(keys.map(async (key) => (await node.type(key)) === 'zset'
        ? (await node.zrange(key, 0, -1, 'WITHSCORES')).join(' ')
        : (await node.get(key)) ?? ''))
      return new Map(keys.map((key, i) => [key, values[i]!]))
    } finally {
      node.disconnect()
    }
  }))
}

test('a session minted on one instance is refreshed on the other', async () => {
  const started = await startSession(a, 'cross-instance')
  const before = { ...chatzy.calls }

  const refreshed = await refresh(b, 'cross-instance', started)

  assert.equal(refreshed.statusCode, 200)
  assert.notEqual(refreshed.json().access_token, started.json().access_token)
  assert.ok(chatzy.issued.access.has(refreshed.json().access_token))
  assert.deepEqual(chatzy.calls, { mint: before.mint, refresh: before.refresh + 1 }, 'B refreshed with the token A stored: no second mint')
})

test('a burst of refreshes across both instances costs one upstream call', async () => {
  const started = await startSession(b, 'burst')
  const before = { ...chatzy.calls }
  // A slow Chatzy keeps the first refresh in flight while the others arrive.
  chatzy.faults.inject({ fault: 'delay', delayMs: 300, endpoints: ['refresh'] })
  try {
    const answers = await Promise.all([a, b, a, b, a, b, a, b].map((app) => refresh(app, 'burst', started)))

    assert.deepEqual(answers.map((answer) => answer.statusCode), Array(8).fill(200))
    assert.equal(new Set(answers.map((answer) => answer.json().access_token)).size, 1, 'every tab gets the same new token')
    assert.deepEqual(chatzy.calls, { mint: before.mint, refresh: before.refresh + 1 })
  } finally {
    chatzy.faults.clear()
  }
})

test('per-user limits are shared by both instances: sessionsPerUser ends the oldest, mintLimit answers 429', async () => {
  const user = 'limited'
  const sessions: LightMyRequestResponse[] = []
  for (const app of [a, b, a, b]) sessions.push(await startSession(app, user))

  const live = await Promise.all(sessions.map((started, i) => refresh(i % 2 ? a : b, user, started)))
  assert.deepEqual(live.map((answer) => answer.statusCode), [401, 401, 200, 200], 'two sessions per user: the two oldest ended')

  const over = await b.inject({ method: 'POST', url: '/chatzy/session', headers: headersOf(user), payload: {} })
  assert.equal(over.statusCode, 429)
  assert.equal(over.json().code, 'CHATZY_RATE_LIMITED')
  assert.ok(Number(over.headers['retry-after']) > 0)
})

/** Sessions of many users, so that every master holds some: the key of each hashes to its own slot. */
const spread: { user: string; started: LightMyRequestResponse }[] = []

test('no master holds a refresh token in the clear', async () => {
  for (let i = 0; i < 24; i++) {
    const user = `spread-${i}`
    spread.push({ user, started: await startSession(i % 2 ? a : b, user) })
  }

  const masters = await contentsOfMasters()

  const sessionKeys = masters.map((contents) => [...contents.keys()].filter((key) => key.includes('session:')))
  assert.ok(sessionKeys.every((keys) => keys.length > 0), `every master holds sessions: ${sessionKeys.map((keys) => keys.length).join(', ')}`)
  assert.ok(chatzy.issued.refresh.size >= spread.length)
  for (const contents of masters) {
    for (const [key, value] of contents) {
      for (const token of chatzy.issued.refresh) assert.ok(!value.includes(token) && !key.includes(token), `a clear refresh token under ${key}`)
    }
  }
})

test('a master killed mid-run: its sessions answer 503 CHATZY_STORE_UNAVAILABLE in bounded time, the others keep working', async (t) => {
  const unhandled: unknown[] = []
  const collect = (error: unknown) => unhandled.push(error)
  process.on('unhandledRejection', collect)
  t.after(() => process.off('unhandledRejection', collect))
  assert.equal(spread.length, 24, 'the sessions of the previous test')
  const victim = 0
  const masters = await contentsOfMasters()
  const onVictim = (entry: (typeof spread)[number]) => masters[victim]!.has(`chatzy:session:${sessionIdOf(entry.started)}`)
  const doomed = spread.filter(onVictim)
  const survivors = spread.filter((entry) => !onVictim(entry))
  assert.ok(doomed.length > 0 && survivors.length > 0)

  // Mid-run: every session is being refreshed (Chatzy slow to answer) when the master dies.
  chatzy.faults.inject({ fault: 'delay', delayMs: 400, endpoints: ['refresh'] })
  const calls = chatzy.calls.refresh
  const inFlight = spread.map((entry, i) => withinBound(refresh(i % 2 ? b : a, entry.user, entry.started)))
  for (let i = 0; i < 200 && chatzy.calls.refresh < calls + spread.length; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  assert.equal(chatzy.calls.refresh, calls + spread.length, 'every refresh reached Chatzy before the master died')
  await redisCluster.masters[victim]!.stop()
  const during = await Promise.all(inFlight)
  chatzy.faults.clear()

  for (const [i, answer] of during.entries()) {
    if (onVictim(spread[i]!)) {
      assert.equal(answer.statusCode, 503, answer.body)
      assert.equal(answer.json().code, 'CHATZY_STORE_UNAVAILABLE')
    } else {
      assert.equal(answer.statusCode, 200, `a session on a live master: ${answer.body}`)
    }
  }

  // After the failure: the same split, on both instances, with never a hang.
  const afterwards = await Promise.all(spread.flatMap((entry) => [a, b].map((app) => withinBound(refresh(app, entry.user, entry.started)))))
  for (const [i, answer] of afterwards.entries()) {
    if (onVictim(spread[Math.floor(i / 2)]!)) {
      assert.equal(answer.statusCode, 503)
      assert.equal(answer.json().code, 'CHATZY_STORE_UNAVAILABLE')
    } else {
      assert.equal(answer.statusCode, 200, answer.body)
    }
  }
  assert.deepEqual(unhandled, [])
})
