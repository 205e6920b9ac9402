import type { Exchange } from '../exchange.js'
import type { SessionFlows } from '../session.js'
import type { CoreFlows } from './flows.js'

type FastifyRequest = Parameters<SessionFlows['start']>[0]
type FastifyReply = Parameters<SessionFlows['start']>[1]

/**
 * The session flows as they read a request today (Fastify's request and reply, of which they
 * use a few fields), over an exchange: what the flows touch, and nothing else, taken from it.
 */
export function overExchange(flows: SessionFlows): CoreFlows {
  return {
    start: (exchange, chatbotId) => flows.start(...asFastify(exchange), chatbotId),
    refresh: (exchange, callerExpiresAt) => flows.refresh(...asFastify(exchange), callerExpiresAt),
    end: (exchange) => flows.end(...asFastify(exchange)),
  }
}

/** Which exchange a stand-in request was made from: `identify` asks it. */
export const exchangeOf = new WeakMap<object, Exchange>()

function asFastify(exchange: Exchange): [FastifyRequest, FastifyReply] {
  const request = {
    headers: {
      get cookie() { return exchange.header('cookie') },
      get origin() { return exchange.header('origin') },
    },
    protocol: exchange.protocol,
    hostname: exchange.hostname,
    get log() {
      const log = exchange.log()
      return Object.assign(Object.create(log) as object, { child: () => log })
    },
  }
  exchangeOf.set(request, exchange)
  const reply = {
    header(name: string, value: string) {
      if (name === 'set-cookie') exchange.setCookie(value)
      return reply
    },
  }
  return [request as unknown as FastifyRequest, reply as unknown as FastifyReply]
}
