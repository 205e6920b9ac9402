import type { SessionAnswer } from '../../../contract/wire.js'
import { checkOptions, DEFAULT_API_URL, DEFAULT_APP_URL } from '../options.js'
import { createChatzyClient } from '../chatzy-client.js'
import { createBroker } from '../broker.js'
import { sessionCookie } from '../cookie.js'
import { sessionFlows } from '../session.js'
import { isLoopback } from '../loopback.js'
import { guardStore } from '../store-guard.js'
import { memoryStore } from '../stores/memory.js'
import { sealSessions } from '../seal.js'
import { userLimits } from '../limits.js'
import { healthCheck, type ChatzyHealth } from '../health.js'
import { inFlight } from '../in-flight.js'
import type { ChatzyLogger, Exchange } from '../exchange.js'
import type { UpstreamTransport } from '../upstream-exchange.js'
import { chatzyHandler, type ChatzyHandler } from './handler.js'
import { requestGuard } from './request-guard.js'
import type { CoreFlows } from './flows.js'
import type { ChatzyOptions } from './options.js'

const WEEK_SECONDS = 7 * 24 * 3600

export interface AgentSetup {
  /** Where setup warnings go (the app's logger). */
  log: ChatzyLogger
  /** The path the routes live under, as the server routes them: the prefix, and any mount point before it (a Fastify prefix). */
  routesPath: string
  /**
   * The adapter's HTTP to Chatzy, given the longest a connect may take: undici on Node (with the
   * host's dispatcher), the runtime's `fetch` on the fetch adapter. The core names neither.
   */
  transport(connectTimeoutMs: number): UpstreamTransport
}

export interface ChatzyCore {
  prefix: string
  /** The session flows, each call followed until it settles (see `close`). */
  flows: CoreFlows
  handler: ChatzyHandler
  /** What `startSession` answers, for a server-rendered page: the same as `POST /session`. */
  startSession(exchange: Exchange, chatbotId?: string): Promise<SessionAnswer>
  /** Ends that chatbot's session of the exchange's cookie; with none named, every one of them, and clears the cookie. */
  endSession(exchange: Exchange, chatbotId?: string): Promise<void>
  health(): Promise<ChatzyHealth>
  /** Lets the work in flight finish (bounded), then closes the connections to Chatzy. */
  close(): Promise<void>
}

/**
 * Builds everything behind the routes from the options, for any adapter: the store (guarded,
 * sealed), the Chatzy client and its breakers, limits, the broker, the cookie, the flows and
 * the routes. Fails fast, with a message naming the option, on a bad one.
 */
export function createAgent(options: ChatzyOptions<never>, setup: AgentSetup): ChatzyCore {
  const { logger: _logger, ...checked } = options
  checkOptions(checked)
  const prefix = setup.routesPath.replace(/\/+$/, '')
  // A cookie whose path does not cover the routes would never come back: every refresh a 401.
  const routesPath = setup.routesPath.replace(/\/+$/, '') + '/'
  const cookiePath = (options.cookie.path ?? '/').replace(/\/+$/, '') + '/'
  if (!routesPath.startsWith(cookiePath)) {
    throw new TypeError(`chatzy-agent: invalid option "cookie.path": "${options.cookie.path}" does not cover the routes at "${routesPath}"`)
  }
  const apiUrl = new URL(options.apiUrl ?? DEFAULT_API_URL)
  if (apiUrl.protocol !== 'https:' && !isLoopback(apiUrl.hostname)) {
    setup.log.warn({ apiUrl: apiUrl.origin }, 'chatzy-agent: apiUrl is plain http; the API key and refresh tokens cross the network unencrypted')
  }

  // Session records are sealed before any store sees them, when an encryptionKey is given.
  const store = sealSessions(guardStore(options.store ?? memoryStore()), options.encryptionKey)
  const timeoutMs = options.timeoutMs ?? 10_000
  const client = createChatzyClient({
    apiUrl: options.apiUrl ?? DEFAULT_API_URL,
    apiKey: options.apiKey,
    timeoutMs,
    retries: options.retries ?? 2,
    breakerThreshold: options.breaker?.threshold ?? 5,
    breakerCooldownMs: options.breaker?.cooldownMs ?? 5_000,
    chatbots: [options.chatbotId].flat(),
    // A connect that outlives the caller's deadline would only hold a socket nobody waits for.
    transport: setup.transport(Math.min(timeoutMs, 10_000)),
  })
  const work = inFlight()
  const limits = userLimits(store, {
    mintLimit: options.mintLimit ?? { max: 10, windowMs: 60_000 },
    sessionsPerUser: options.sessionsPerUser ?? 10,
  })
  if (options.store !== undefined && limits.perProcess.length > 0) {
    setup.log.warn({ missing: limits.perProcess }, 'chatzy-agent: the store has no %s; mintLimit and sessionsPerUser are counted in each process on its own', limits.perProcess.join(' or '))
  }
  if (options.allowedOrigins === undefined && globalThis.process?.env?.NODE_ENV === 'production') {
    // The default compares Origin with the Host header, which DNS rebinding controls.
    setup.log.warn('chatzy-agent: allowedOrigins is not set; set it to your site\'s origin(s) in production (see docs/server.md)')
  }
  const broker = createBroker({
    client,
    store,
    limits,
    refreshMarginMs: options.refreshMarginMs ?? 30_000,
    minRefreshIntervalMs: options.minRefreshIntervalMs ?? 5_000,
    ...(options.lockTtlMs === undefined ? {} : { lockTtlMs: options.lockTtlMs }),
  })
  const cookie = sessionCookie({
    name: options.cookie.name ?? 'chatzy_session',
    secret: options.cookie.secret,
    secure: options.cookie.secure ?? 'auto',
    sameSite: options.cookie.sameSite ?? 'strict',
    path: options.cookie.path ?? '/',
    maxAgeSeconds: options.cookie.maxAgeSeconds ?? WEEK_SECONDS,
  })
  const flows = followed(work, sessionFlows({
    chatbots: [options.chatbotId].flat(),
    appUrl: options.appUrl ?? DEFAULT_APP_URL,
    store,
    broker,
    cookie,
  }))
  const handler = chatzyHandler({ prefix, flows, guard: requestGuard(options.allowedOrigins) })

  return {
    prefix,
    flows,
    handler,
    startSession: (exchange, chatbotId) => flows.start(exchange, chatbotId),
    endSession: (exchange, chatbotId) => flows.end(exchange, chatbotId),
    health: healthCheck(store, () => client.breakerStates()),
    async close() {
      // A refresh Chatzy has answered gets its token stored and its answer sent. Bounded: one
      // upstream deadline, plus the store's bound on the reads and writes around it.
      await work.drain(timeoutMs + 5_000)
      client.close()
    },
  }
}

/** The session flows, each call followed until it settles, so that closing waits for it. */
function followed(work: ReturnType<typeof inFlight>, flows: CoreFlows): CoreFlows {
  return {
    start: (exchange, chatbotId) => work.track(flows.start(exchange, chatbotId)),
    refresh: (exchange, chatbotId, callerExpiresAt) => work.track(flows.refresh(exchange, chatbotId, callerExpiresAt)),
    end: (exchange, chatbotId) => work.track(flows.end(exchange, chatbotId)),
  }
}
