/**
 * coalesce_upstream_calls: 100 sessions, 50 concurrent refreshes each (a burst from many tabs),
 * all at once: how many refresh calls reach Chatzy. Single-flight per session makes it 100.
 */
import { randomBytes } from 'node:crypto'
import Fastify from 'fastify'
import { createMockChatzy } from '../demo/mock-chatzy/api.js'
import chatzyAgent from '../server/src/index.js'

const CHATBOT_ID = '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'
const browserHeaders = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

export interface CoalesceResult {
  sessions: number
  refreshes_per_session: number
  requests: number
  answered_200: number
  coalesce_upstream_calls: number
  /** Sessions whose concurrent callers did not all receive the same token. */
  sessions_with_split_answers: number
}

export interface CoalesceOptions {
  sessions?: number
  perSession?: number
  /** Longest time the host's `identify` takes (random per request; 0 = answers at once). */
  identifyMaxMs?: number
  /** Refreshes arrive over this long (random per request; 0 = all at once). */
  spreadMs?: number
}

export async function measureCoalescing(options: CoalesceOptions = {}): Promise<CoalesceResult> {
  const { sessions = 100, perSession = 50, identifyMaxMs = 0, spreadMs = 0 } = options
  const pause = (maxMs: number) => (maxMs > 0 ? new Promise((resolve) => setTimeout(resolve, Math.random() * maxMs)) : undefined)
  const apiKey = `ak-bench-${randomBytes(6).toString('hex')}`
  const chatzy = createMockChatzy({ apiKey })
  await chatzy.app.listen({ host: '127.0.0.1', port: 0 })
  const app = Fastify({ logger: false })
  await app.register(chatzyAgent, {
    apiKey,
    chatbotId: CHATBOT_ID,
    apiUrl: `http://127.0.0.1:${(chatzy.app.server.address() as { port: number }).port}`,
    identify: async (request) => {
      await pause(identifyMaxMs)
      return (request.headers['x-bench-user'] as string | undefined) ?? null
    },
    cookie: { secret: randomBytes(32).toString('hex') },
    // Every caller holds the current token and asks for a new one: each session must refresh once.
    minRefreshIntervalMs: 0,
  })
  try {
    const clients: { user: string; cookie: string; expires_at: number }[] = []
    for (let i = 0; i < sessions; i++) {
      const user = `burst-user-${i}`
      const started = await app.inject({ method: 'POST', url: '/chatzy/session', headers: { ...browserHeaders, 'x-bench-user': user }, payload: {} })
      const cookie = started.cookies.find((c) => c.name.endsWith('chatzy_session'))!
      clients.push({ user, cookie: `${cookie.name}=${cookie.value}`, expires_at: started.json().expires_at })
    }

    const before = chatzy.calls.refresh
    const answers = await Promise.all(clients.flatMap((client) => Array.from({ length: perSession }, async () => {
      await pause(spreadMs)
      return app.inject({
        method: 'POST',
        url: '/chatzy/refresh',
        headers: { ...browserHeaders, 'x-bench-user': client.user, cookie: client.cookie },
        payload: { expires_at: client.expires_at },
      }).then((response) => ({ user: client.user, status: response.statusCode, token: response.statusCode === 200 ? response.json().access_token as string : '' }))
    })))
    const tokens = new Map<string, Set<string>>()
    for (const answer of answers) {
      const set = tokens.get(answer.user) ?? new Set<string>()
      set.add(answer.token)
      tokens.set(answer.user, set)
    }
    return {
      sessions,
      refreshes_per_session: perSession,
      requests: answers.length,
      answered_200: answers.filter((a) => a.status === 200).length,
      coalesce_upstream_calls: chatzy.calls.refresh - before,
      sessions_with_split_answers: [...tokens.values()].filter((set) => set.size > 1).length,
    }
  } finally {
    await app.close()
    await chatzy.app.close()
  }
}
