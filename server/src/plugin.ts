import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SessionAnswer } from '../../contract/wire.js'
import { checkOptions, DEFAULT_API_URL, DEFAULT_APP_URL, type ChatzyAgentOptions } from './options.js'
import { createChatzyClient } from './chatzy-client.js'
import { createBroker } from './broker.js'
import { sessionCookie } from './cookie.js'
import { sessionFlows, type SessionFlows } from './session.js'
import { csrfGuard } from './csrf.js'
import { isLoopback } from './loopback.js'
import { routes } from './routes.js'
import { guardStore } from './store-guard.js'
import { memoryStore } from './stores/memory.js'
import { sealSessions } from './seal.js'
import { userLimits } from './limits.js'
import { healthCheck, type ChatzyHealth } from './health.js'
import { inFlight } from './in-flight.js'
import { fastifyExchange } from './fastify-exchange.js'

export interface ChatzyDecorator {
  /** Starts (or resumes) the Chatzy session of the signed-in user: what `POST /session` answers. */
  startSession(request: FastifyRequest, reply: FastifyReply, chatbotId?: string): Promise<SessionAnswer>
  /**
   * Ends the chatbot's session under this request's cookie; with no chatbot (the host's own
   * sign-out), every chatbot's session of the cookie, and clears the cookie.
   */
  endSession(request: FastifyRequest, reply: FastifyReply, chatbotId?: string): Promise<void>
  /**
   * Whether this instance can serve sessions (its store answers, within its 2-second bound) and
   * where each chatbot's circuit breaker stands: for a readiness route and for metrics.
   */
  health(): Promise<ChatzyHealth>
}

declare module 'fastify' {
  interface FastifyInstance {
    chatzy: ChatzyDecorator
  }
}

const WEEK_SECONDS = 7 * 24 * 3600

async function chatzyAgent(fastify: FastifyInstance, options: ChatzyAgentOptions) {
  // Fastify would say FST_ERR_DEC_ALREADY_PRESENT, which names neither the plugin nor the fix.
  if (fastify.hasDecorator('chatzy')) {
    throw new TypeError('chatzy-agent is already registered on this Fastify instance: register it once (one registration serves every chatbot listed in chatbotId)')
  }
  checkOptions(options)
  const prefix = options.prefix ?? '/chatzy'
  // A cookie whose path does not cover the routes would never come back: every refresh a 401.
  const routesPath = `${fastify.prefix}${prefix}`.replace(/\/+$/, '') + '/'
  const cookiePath = (options.cookie.path ?? '/').replace(/\/+$/, '') + '/'
  if (!routesPath.startsWith(cookiePath)) {
    throw new TypeError(`chatzy-agent: invalid option "cookie.path": "${options.cookie.path}" does not cover the routes at "${routesPath}"`)
  }
  const apiUrl = new URL(options.apiUrl ?? DEFAULT_API_URL)
  if (apiUrl.protocol !== 'https:' && !isLoopback(apiUrl.hostname)) {
    fastify.log.warn({ apiUrl: apiUrl.origin }, 'chatzy-agent: apiUrl is plain http; the API key and refresh tokens cross the network unencrypted')
  }

  // Session records are sealed before any store sees them, when an encryptionKey is given.
  const store = sealSessions(guardStore(options.store ?? memoryStore()), options.encryptionKey)
  const client = createChatzyClient({
    apiUrl: options.apiUrl ?? DEFAULT_API_URL,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: options.retries ?? 2,
    breakerThreshold: options.breaker?.threshold ?? 5,
    breakerCooldownMs: options.breaker?.cooldownMs ?? 5_000,
    chatbots: [options.chatbotId].flat(),
    ...(options.dispatcher && { dispatcher: options.dispatcher }),
  })
  // Closing lets the work in flight finish first: a refresh Chatzy has answered gets its token
  // stored and its answer sent. In preClose, because the host's own onClose hooks (which may
  // quit its Redis client) run before this plugin's. Bounded: one upstream deadline, plus the
  // store's bound on the reads and writes around it.
  const work = inFlight()
  const timeoutMs = options.timeoutMs ?? 10_000
  fastify.addHook('preClose', async () => {
    await work.drain(timeoutMs + 5_000)
  })
  fastify.addHook('onClose', (_instance, done) => {
    client.close()
    done()
  })
  const limits = userLimits(store, {
    mintLimit: options.mintLimit ?? { max: 10, windowMs: 60_000 },
    sessionsPerUser: options.sessionsPerUser ?? 10,
  })
  if (options.store !== undefined && limits.perProcess.length > 0) {
    fastify.log.warn({ missing: limits.perProcess }, 'chatzy-agent: the store has no %s; mintLimit and sessionsPerUser are counted in each process on its own', limits.perProcess.join(' or '))
  }
  if (options.allowedOrigins === undefined && process.env.NODE_ENV === 'production') {
    // The default compares Origin with the Host header, which DNS rebinding controls.
    fastify.log.warn('chatzy-agent: allowedOrigins is not set; set it to your site\'s origin(s) in production (see docs/server.md)')
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
  const exchange = fastifyExchange(options.identify)
  const flows = followed(work, sessionFlows({
    chatbots: [options.chatbotId].flat(),
    appUrl: options.appUrl ?? DEFAULT_APP_URL,
    store,
    broker,
    cookie,
  }))

  fastify.decorate('chatzy', {
    startSession: (request, reply, chatbotId) => {
      // The page that renders this token must not be kept by any cache either.
      reply.header('cache-control', 'no-store')
      return flows.start(exchange(request, reply), chatbotId)
    },
    endSession: (request, reply, chatbotId) => flows.end(exchange(request, reply), chatbotId),
    health: healthCheck(store, () => client.breakerStates()),
  } satisfies ChatzyDecorator)

  await fastify.register(routes, {
    prefix,
    flows,
    exchange,
    guard: csrfGuard(options.allowedOrigins),
  })
}

/** The session flows, each call followed until it settles, so that closing the app waits for it. */
function followed(work: ReturnType<typeof inFlight>, flows: SessionFlows): SessionFlows {
  return {
    start: (exchange, chatbotId) => work.track(flows.start(exchange, chatbotId)),
    refresh: (exchange, chatbotId, callerExpiresAt) => work.track(flows.refresh(exchange, chatbotId, callerExpiresAt)),
    end: (exchange, chatbotId) => work.track(flows.end(exchange, chatbotId)),
  }
}

export default fp(chatzyAgent, { fastify: '5.x', name: 'chatzy-agent' })
