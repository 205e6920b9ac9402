/**
 * coalesce_upstream_calls_two_instances: the coalescing burst (100 sessions × 50 concurrent
 * refreshes) spread over two app instances that share a Redis store, as behind a load
 * balancer. One refresh per session across both means 100. Needs `redis-server` on the PATH
 * (a throwaway one is started on a free loopback port); undefined without it.
 */
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { createMockChatzy } from '../demo/mock-chatzy/api.js'
import chatzyAgent, { redisStore } from '../server/src/index.js'
import { startRedisServer } from '../test/redis-server.js'

const CHATBOT_ID = '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'
const browserHeaders = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

export interface SharedCoalesceResult {
  instances: number
  requests: number
  answered_200: number
  coalesce_upstream_calls: number
  sessions_with_split_answers: number
}

export async function measureSharedCoalescing(sessions = 100, perSession = 50): Promise<SharedCoalesceResult | undefined> {
  const redis = await startRedisServer().catch(() => undefined)
  if (redis === undefined) return undefined
  const apiKey = `ak-bench-${randomBytes(6).toString('hex')}`
  const chatzy = createMockChatzy({ apiKey })
  await chatzy.app.listen({ host: '127.0.0.1', port: 0 })
  const cookieSecret = randomBytes(32).toString('hex')
  const clients: Redis[] = []
  const apps: FastifyInstance[] = []
  try {
    for (let i = 0; i < 2; i++) {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 1 })
      clients.push(client)
      const app = Fastify({ logger: false })
      await app.register(chatzyAgent, {
        apiKey,
        chatbotId: CHATBOT_ID,
        apiUrl: `http://127.0.0.1:${(chatzy.app.server.address() as { port: number }).port}`,
        identify: (request) => (request.headers['x-bench-user'] as string | undefined) ?? null,
        cookie: { secret: cookieSecret },
        store: redisStore({ client }),
        minRefreshIntervalMs: 0,
      })
      apps.push(app)
    }

    const started: { user: string; cookie: string; expires_at: number }[] = []
    for (let i = 0; i < sessions; i++) {
      const user = `shared-user-${i}`
      const answer = await apps[i % 2]!.inject({ method: 'POST', url: '/chatzy/session', headers: { ...browserHeaders, 'x-bench-user': user }, payload: {} })
      const cookie = answer.cookies.find((c) => c.name.endsWith('chatzy_session'))!
      started.push({ user, cookie: `${cookie.name}=${cookie.value}`, expires_at: answer.json().expires_at })
    }

    const before = chatzy.calls.refresh
    const answers = await Promise.all(started.flatMap((client) => Array.from({ length: perSession }, (_, n) =>
      apps[n % 2]!.inject({
        method: 'POST',
        url: '/chatzy/refresh',
        headers: { ...browserHeaders, 'x-bench-user': client.user, cookie: client.cookie },
        payload: { expires_at: client.expires_at },
      }).then((response) => ({ user: client.user, status: response.statusCode, token: response.statusCode === 200 ? response.json().access_token as string : '' })),
    )))
    const tokens = new Map<string, Set<string>>()
    for (const answer of answers) tokens.set(answer.user, (tokens.get(answer.user) ?? new Set<string>()).add(answer.token))
    return {
      instances: 2,
      requests: answers.length,
      answered_200: answers.filter((a) => a.status === 200).length,
      coalesce_upstream_calls: chatzy.calls.refresh - before,
      sessions_with_split_answers: [...tokens.values()].filter((set) => set.size > 1).length,
    }
  } finally {
    for (const app of apps) await app.close()
    for (const client of clients) client.disconnect()
    await chatzy.app.close()
    await redis.close()
  }
}
