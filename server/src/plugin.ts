import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SessionAnswer } from '../../contract/wire.js'
import { checkOptions, type ChatzyAgentOptions } from './options.js'
import { createAgent } from './core/agent.js'
import { routes } from './routes.js'
import type { ChatzyHealth } from './health.js'
import { fastifyExchange } from './fastify-exchange.js'
import { upstreamHttp } from './upstream-http.js'

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

async function chatzyAgent(fastify: FastifyInstance, options: ChatzyAgentOptions) {
  // Fastify would say FST_ERR_DEC_ALREADY_PRESENT, which names neither the plugin nor the fix.
  if (fastify.hasDecorator('chatzy')) {
    throw new TypeError('chatzy-agent is already registered on this Fastify instance: register it once (one registration serves every chatbot listed in chatbotId)')
  }
  checkOptions(options)
  const prefix = options.prefix ?? '/chatzy'
  const core = createAgent(options, {
    log: fastify.log,
    routesPath: `${fastify.prefix}${prefix}`,
    transport: (connectTimeoutMs) => upstreamHttp(options.dispatcher, connectTimeoutMs),
  })
  // Closing lets the work in flight finish first: a refresh Chatzy has answered gets its token
  // stored and its answer sent. In preClose, because the host's own onClose hooks (which may
  // quit its Redis client) run before this plugin's.
  fastify.addHook('preClose', () => core.close())

  const exchange = fastifyExchange(options.identify)
  fastify.decorate('chatzy', {
    startSession: (request, reply, chatbotId) => {
      // The page that renders this token must not be kept by any cache either.
      reply.header('cache-control', 'no-store')
      return core.startSession(exchange(request, reply), chatbotId)
    },
    endSession: (request, reply, chatbotId) => core.endSession(exchange(request, reply), chatbotId),
    health: () => core.health(),
  } satisfies ChatzyDecorator)

  await fastify.register(routes, { prefix, handler: core.handler, exchange })
}

export default fp(chatzyAgent, { fastify: '5.x', name: 'chatzy-agent' })
