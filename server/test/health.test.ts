import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { redisStore } from '../src/index.js'
import { connectRedis, startRedisServer } from '../../test/redis-server.js'
import { CHATBOT_ID, buildApp, call, startApp, startChatzy } from './helpers.js'

const OTHER_CHATBOT = '0b7c2d4e-5f60-4a1b-8c9d-0e1f2a3b4c5d'

/** The readiness route of docs/server.md, as a host writes it. */
function addReadyRoute(app: FastifyInstance) {
  app.get('/ready', async (_request, reply) => {
    const health = await app.chatzy.health()
    return reply.code(health.ready ? 200 : 503).send(health)
  })
}

test('health(): /ready answers 503 while Redis is down, and 200 again once it is back', async (t) => {
  const redisServer = await startRedisServer()
  const chatzy = await startChatzy()
  const redis = await connectRedis(redisServer.url)
  const app = await buildApp(chatzy, { store: redisStore({ client: redis }) })
  addReadyRoute(app)
  t.after(async () => {
    await app.close()
    redis.disconnect()
    await chatzy.app.close()
    await redisServer.close()
  })

  const up = await app.inject({ method: 'GET', url: '/ready' })
  assert.equal(up.statusCode, 200)
  assert.deepEqual(up.json(), { ready: true, store: { reachable: true }, breakers: { [CHATBOT_ID]: 'closed' } })

  await redisServer.stop()
  const down = await app.inject({ method: 'GET', url: '/ready' })
  assert.equal(down.statusCode, 503)
  assert.deepEqual(down.json(), { ready: false, store: { reachable: false }, breakers: { [CHATBOT_ID]: 'closed' } }, 'Chatzy is fine: only the store is down')

  await redisServer.start()
  let back = down
  for (let i = 0; i < 100 && back.statusCode !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    back = await app.inject({ method: 'GET', url: '/ready' })
  }
  assert.equal(back.statusCode, 200, 'ready again once the client has reconnected')
  assert.equal(back.json().store.reachable, true)
})

test('health(): the breaker of each allowed chatbot, open for the one Chatzy keeps failing', async (t) => {
  const { app, chatzy } = await startApp(t, { chatbotId: [CHATBOT_ID, OTHER_CHATBOT], retries: 0, breaker: { threshold: 2, cooldownMs: 60_000 } })

  assert.deepEqual((await app.chatzy.health()).breakers, { [CHATBOT_ID]: 'closed', [OTHER_CHATBOT]: 'closed' })

  chatzy.faults.inject({ fault: 'status-500', endpoints: ['mint'] })
  for (const user of ['ann', 'bob']) {
    const failed = await call(app, 'POST', '/session', { user, body: { chatbot_id: OTHER_CHATBOT } })
    assert.equal(failed.statusCode, 503)
  }

  const health = await app.chatzy.health()
  assert.deepEqual(health.breakers, { [CHATBOT_ID]: 'closed', [OTHER_CHATBOT]: 'open' })
  assert.equal(health.ready, true, 'an open breaker does not take the instance out: every instance shares the same Chatzy')
})
