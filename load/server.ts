/**
 * The server side of `npm run load`, in its own process: the mock Chatzy (with fault
 * injection) and the host app with the plugin (one instance, or several sharing Redis), all
 * on loopback. Its parent drives it over IPC:
 *   { type: 'faults', plan } / { type: 'clear' }   inject or clear upstream faults
 *   { type: 'stats' }                              upstream calls and tokens issued, per user
 *   { type: 'close' }
 */
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { createMockChatzy } from '../demo/mock-chatzy/api.js'
import type { FaultPlan } from '../demo/mock-chatzy/faults.js'
import chatzyAgent, { redisStore } from '../server/src/index.js'
import { startRedisServer } from '../test/redis-server.js'

export const LOAD_USER_HEADER = 'x-load-user'
const CHATBOT_ID = '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'

export interface ServerConfig {
  accessTtlMs: number
  refreshMarginMs: number
  minRefreshIntervalMs: number
  timeoutMs: number
  retries: number
  /** App instances; more than one share a Redis store (a throwaway redis-server). */
  instances: number
  /** The user who loops mints and refreshes as fast as it can. */
  hostileUser: string
  mintLimit: { max: number; windowMs: number }
}

/** What the hostile user cost Chatzy, and what everyone else got from the plugin. */
export interface TenantStats {
  /** The hostile user's sessions as Chatzy saw them: when each was minted, and every token issued for it (mint included). */
  hostileSessions: { mintedAt: number; issuedAt: number[] }[]
  /** Answers of the plugin by status code: to the hostile user, to everyone else. */
  hostileStatuses: Record<string, number>
  otherStatuses: Record<string, number>
  /** 503s the others got from a breaker failing fast (no upstream call behind them). */
  othersBreakerFailFast: number
}

export interface UpstreamStats {
  /** Calls received by Chatzy (faulted ones included), per user. */
  calls: Record<string, number>
  /** Access tokens Chatzy issued and sent (mint or refresh), per user. */
  issued: Record<string, number>
  totals: { mint: number; refresh: number; issued: number }
  /** What Chatzy saw of each user, in order (for a look at a session over budget). */
  timeline: Record<string, string[]>
  /** Answers of the plugin by status code. */
  pluginStatuses: Record<string, number>
  /** Lines the plugin logged at level error or above. */
  errorLogLines: number
  /** Those lines by error code and underlying cause. */
  errorCauses: Record<string, number>
  tenants: TenantStats
}

async function main(config: ServerConfig) {
  const apiKey = `ak-load-${randomBytes(8).toString('hex')}`
  const chatzy = createMockChatzy({ apiKey, accessTtlMs: config.accessTtlMs })
  const calls: Record<string, number> = {}
  const issued: Record<string, number> = {}
  const timeline: Record<string, string[]> = {}
  const started = Date.now()
  const note = (user: string, event: string) => (timeline[user] ??= []).push(`${Date.now() - started}ms ${event}`)
  let issuedTotal = 0
  // The hostile user's sessions at Chatzy, by refresh token (one per session: Chatzy does not rotate them).
  const hostileSessions = new Map<string, { mintedAt: number; issuedAt: number[] }>()

  chatzy.app.addHook('preValidation', async (request) => {
    if (!request.url.startsWith('/ai_agent/')) return
    const user = (request.body as { user_id?: unknown } | undefined)?.user_id
    if (typeof user === 'string') {
      calls[user] = (calls[user] ?? 0) + 1
      note(user, `call ${request.url.slice('/ai_agent/'.length)}`)
    }
  })
  // An answer carrying a token Chatzy really issued (a faulted 200 carries none), on a connection
  // still open (a reset one never delivers it).
  chatzy.app.addHook('onSend', async (request, _reply, payload) => {
    if (!request.url.startsWith('/ai_agent/') || typeof payload !== 'string' || request.raw.socket.destroyed) return payload
    const user = (request.body as { user_id?: unknown } | undefined)?.user_id
    try {
      const token = (JSON.parse(payload) as { data?: { access_token?: unknown } }).data?.access_token
      if (typeof user === 'string' && typeof token === 'string' && chatzy.issued.access.has(token)) {
        issued[user] = (issued[user] ?? 0) + 1
        issuedTotal++
        if (user === config.hostileUser) noteHostile(request.url, request.body, payload)
        note(user, `issued by ${request.url.slice('/ai_agent/'.length)}`)
      }
    } catch {
      // not JSON: a faulted answer
    }
    return payload
  })
  function noteHostile(url: string, body: unknown, payload: string) {
    const now = Date.now()
    if (url.startsWith('/ai_agent/get_access_token')) {
      const refreshToken = (JSON.parse(payload) as { data: { refresh_token: string } }).data.refresh_token
      hostileSessions.set(refreshToken, { mintedAt: now, issuedAt: [now] })
    } else {
      hostileSessions.get((body as { refresh_token: string }).refresh_token)?.issuedAt.push(now)
    }
  }
  await chatzy.app.listen({ host: '127.0.0.1', port: 0 })
  const chatzyUrl = `http://127.0.0.1:${(chatzy.app.server.address() as { port: number }).port}`

  const pluginStatuses: Record<string, number> = {}
  const hostileStatuses: Record<string, number> = {}
  const otherStatuses: Record<string, number> = {}
  let othersBreakerFailFast = 0
  let errorLogLines = 0
  const errorCauses: Record<string, number> = {}
  const logStream = {
    write: (line: string) => {
      errorLogLines++
      // What failed underneath: a 503 with no cause is the circuit breaker failing fast.
      try {
        const err = (JSON.parse(line) as { err?: { code?: string; cause?: { code?: string; message?: string } } }).err
        const key = `${err?.code ?? '?'} <- ${err?.cause ? (err.cause.code ?? err.cause.message ?? 'cause') : 'no cause'}`
        errorCauses[key] = (errorCauses[key] ?? 0) + 1
      } catch {
        errorCauses['unparsed line'] = (errorCauses['unparsed line'] ?? 0) + 1
      }
    },
  }

  const redis = config.instances > 1
    ? await startRedisServer().catch((error: Error) => {
      console.error(`load: ${error.message}; LOAD_INSTANCES > 1 needs redis-server on the PATH`)
      process.exit(1)
    })
    : undefined
  const redisClients: Redis[] = []
  const cookieSecret = randomBytes(32).toString('hex')
  const apps: FastifyInstance[] = []
  for (let i = 0; i < config.instances; i++) {
    const app = Fastify({ logger: { level: 'error', stream: logStream } })
    let store
    if (redis !== undefined) {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 1 })
      redisClients.push(client)
      store = redisStore({ client })
    }
    await app.register(chatzyAgent, {
      apiKey,
      chatbotId: CHATBOT_ID,
      apiUrl: chatzyUrl,
      appUrl: chatzyUrl,
      identify: (request) => (request.headers[LOAD_USER_HEADER] as string | undefined) ?? null,
      cookie: { secret: cookieSecret },
      ...(store && { store }),
      refreshMarginMs: config.refreshMarginMs,
      minRefreshIntervalMs: config.minRefreshIntervalMs,
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      mintLimit: config.mintLimit,
    })
    app.addHook('onResponse', async (request, reply) => {
      pluginStatuses[reply.statusCode] = (pluginStatuses[reply.statusCode] ?? 0) + 1
      const tally = request.headers[LOAD_USER_HEADER] === config.hostileUser ? hostileStatuses : otherStatuses
      tally[reply.statusCode] = (tally[reply.statusCode] ?? 0) + 1
    })
    // A 503 with no cause is a breaker failing fast: the one way a user's failures could reach others.
    app.addHook('onError', async (request, _reply, error) => {
      const unavailable = (error as { code?: string }).code === 'CHATZY_UPSTREAM_UNAVAILABLE' && error.cause === undefined
      if (unavailable && request.headers[LOAD_USER_HEADER] !== config.hostileUser) othersBreakerFailFast++
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    apps.push(app)
  }

  process.on('message', async (message: { type: string; plan?: FaultPlan }) => {
    switch (message.type) {
      case 'faults':
        chatzy.faults.inject(message.plan!)
        process.send!({ type: 'faults' })
        break
      case 'clear':
        chatzy.faults.clear()
        process.send!({ type: 'clear' })
        break
      case 'stats': {
        const stats: UpstreamStats = {
          calls,
          issued,
          timeline,
          totals: { ...chatzy.calls, issued: issuedTotal },
          pluginStatuses,
          errorLogLines,
          errorCauses,
          tenants: { hostileSessions: [...hostileSessions.values()], hostileStatuses, otherStatuses, othersBreakerFailFast },
        }
        process.send!({ type: 'stats', stats })
        break
      }
      case 'close':
        chatzy.faults.clear()
        for (const app of apps) await app.close()
        for (const client of redisClients) client.disconnect()
        await redis?.close()
        await chatzy.app.close()
        process.exit(0)
    }
  })
  const urls = apps.map((app) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}`)
  process.send!({ type: 'ready', urls, chatzyUrl, store: redis === undefined ? 'memory' : 'redis' })
}

if (process.send !== undefined) await main(JSON.parse(process.env.LOAD_SERVER_CONFIG!) as ServerConfig)
