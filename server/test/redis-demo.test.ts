import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startDemo, type Demo } from '../../demo/server.js'
import { connectRedis, startRedisServer } from '../../test/redis-server.js'

async function signedInSession(demo: Demo): Promise<Response> {
  const signin = await fetch(`${demo.hostUrl}/signin`, {
    method: 'POST', body: 'user=alice', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  const userCookie = signin.headers.getSetCookie()[0]!.split(';')[0]!
  return fetch(`${demo.hostUrl}/chatzy/session`, {
    method: 'POST', body: '{}',
    headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1', cookie: userCookie },
  })
}

test('the demo keeps sessions in Redis when given a REDIS_URL', async (t) => {
  const server = await startRedisServer()
  const demo = await startDemo({ redisUrl: server.url })
  const redis = await connectRedis(server.url)
  t.after(async () => {
    redis.disconnect()
    await demo.close()
    await server.close()
  })

  const session = await signedInSession(demo)

  assert.equal(session.status, 200)
  assert.equal(demo.store, 'redis')
  assert.equal((await redis.keys('chatzy:session:*')).length, 1)
})

test('the demo keeps sessions in memory by default, and refuses to start on an unreachable REDIS_URL', async (t) => {
  const demo = await startDemo()
  t.after(() => demo.close())
  assert.equal((await signedInSession(demo)).status, 200)
  assert.equal(demo.store, 'memory')

  const server = await startRedisServer()
  await server.close() // a port where Redis is not (any more)
  await assert.rejects(startDemo({ redisUrl: server.url }), /cannot reach Redis at REDIS_URL/)
})
