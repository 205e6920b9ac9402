import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Exchange, Identified } from './exchange.js'
import { chatzyLog } from './log.js'

export type FastifyIdentify = (request: FastifyRequest) => Identified

/**
 * The exchange of one Fastify request: headers as Fastify parsed them, `protocol` and
 * `hostname` as Fastify sees them (so `trustProxy` counts), cookies set with `reply.header`,
 * which adds a Set-Cookie beside any other. Nothing is read until the core asks.
 */
export function fastifyExchange(identify: FastifyIdentify) {
  return (request: FastifyRequest, reply: FastifyReply): Exchange => ({
    header(name) {
      const value = request.headers[name]
      return Array.isArray(value) ? value[0] : value
    },
    get protocol() {
      return request.protocol
    },
    get hostname() {
      return request.hostname
    },
    identify: () => identify(request),
    setCookie(serialized) {
      reply.header('set-cookie', serialized)
    },
    log: () => chatzyLog(request),
    debug(message) {
      request.log.debug(message)
    },
  })
}
