import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { redisStore } from '../server/src/index.js'
import { createMockChatzy, type MockChatzy } from './mock-chatzy/api.js'
import { buildHostApp } from './host-app.js'

export interface DemoOptions {
  port?: number
  mockPort?: number
  /** Access-token lifetime of the mock Chatzy. */
  accessTtlMs?: number
  /** Delay of every answer of the mock Chatzy, as across the internet (default 0). */
  mockLatencyMs?: number
  /** Real Chatzy credentials: when both are set, no mock runs. */
  apiKey?: string
  chatbotId?: string
  logger?: boolean
  /** Keep sessions in this Redis (`redis://…`) instead of in memory. */
  redisUrl?: string
  /** The plugin's per-session floor between upstream calls (default: the plugin's). */
  minRefreshIntervalMs?: number
}

export interface Demo {
  host: FastifyInstance
  hostUrl: string
  mock?: MockChatzy
  mockUrl?: string
  /** Where sessions live. */
  store: 'memory' | 'redis'
  close(): Promise<void>
}

export const DEMO_CHATBOT_ID = '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'
/** The mock's second chatbot: one user may talk to both on one page, each in a session of its own. */
export const DEMO_SUPPORT_CHATBOT_ID = '3b7c1d2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e'

/**
 * Starts the host app on http://localhost and, unless real credentials are given, the mock
 * Chatzy on http://127.0.0.1: another origin, so postMessage truly crosses origins.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const real = options.apiKey !== undefined && options.chatbotId !== undefined
  // First, so that an unreachable Redis stops the demo before anything else is listening.
  const redis = options.redisUrl === undefined ? undefined : await connectRedis(options.redisUrl)
  let mock: MockChatzy | undefined
  let mockUrl: string | undefined
  const apiKey = real ? options.apiKey! : `mock-key-${randomBytes(8).toString('hex')}`
  if (!real) {
    mock = createMockChatzy({ apiKey, accessTtlMs: options.accessTtlMs ?? 20_000, latencyMs: options.mockLatencyMs ?? 0, logger: options.logger ?? false })
    await mock.app.listen({ host: '127.0.0.1', port: options.mockPort ?? 0 })
    const address = mock.app.server.address()
    mockUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  }
  const host = await buildHostApp({
    apiKey,
    chatbotId: real ? options.chatbotId! : DEMO_CHATBOT_ID,
    ...(!real && { supportChatbotId: DEMO_SUPPORT_CHATBOT_ID }),
    apiUrl: mockUrl,
    appUrl: mockUrl,
    cookieSecret: process.env.COOKIE_SECRET ?? randomBytes(32).toString('hex'),
    // Refresh tokens are sealed in the store even in the demo; set ENCRYPTION_KEY to keep
    // sessions readable across restarts (with REDIS_URL).
    encryptionKey: process.env.ENCRYPTION_KEY ?? randomBytes(32).toString('hex'),
    logger: options.logger ?? false,
    ...(redis && { store: redisStore({ client: redis }) }),
    ...(options.minRefreshIntervalMs !== undefined && { minRefreshIntervalMs: options.minRefreshIntervalMs }),
  })
  await host.listen({ host: 'localhost', port: options.port ?? 0 })
  const hostAddress = host.server.address()
  const hostUrl = `http://localhost:${typeof hostAddress === 'object' && hostAddress ? hostAddress.port : 0}`
  return {
    host,
    hostUrl,
    mock,
    mockUrl,
    store: redis ? 'redis' : 'memory',
    async close() {
      await host.close()
      await mock?.app.close()
      await redis?.quit().catch(() => redis.disconnect())
    },
  }
}

/**
 * The client settings docs/scaling.md recommends: while Redis is unreachable, commands fail at
 * once (the plugin answers 503) instead of piling up, and the client keeps reconnecting.
 */
async function connectRedis(url: string): Promise<Redis> {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000, connectTimeout: 2_000, lazyConnect: true })
  let lastError: Error | undefined
  const report = (error: Error) => { lastError = error }
  client.on('error', report)
  try {
    await client.connect()
  } catch (error) {
    client.disconnect()
    throw new Error(`cannot reach Redis at REDIS_URL: ${(lastError ?? (error as Error)).message}`, { cause: error })
  }
  client.off('error', report)
  // From now on an outage is answered with 503s and the client reconnects by itself.
  client.on('error', (error) => console.error(`redis: ${error.message}`))
  return client
}
