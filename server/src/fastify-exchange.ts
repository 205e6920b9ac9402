import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Exchange, Identified } from './exchange.js'
import type { ChatzyRequest } from './core/request.js'
import { chatzyLog } from './log.js'

export type FastifyIdentify = (request: FastifyRequest) => Identified

/**
 * One Fastify request and its reply as the core sees them, both its neutral request and its
 * exchange: headers as Fastify parsed them, `protocol`, `hostname` and `host` as Fastify sees
 * them (so `trustProxy` counts), cookies set with `reply.header`, which adds a Set-Cookie beside
 * any other. Nothing is read until the core asks.
 *
 * A class, not an object literal of closures and getters: it is made on every request, and
 * getters in a literal give each object a hidden class of its own, which costs a refresh
 * answered from the store more than the rest of its work.
 */
export class FastifyExchange implements Exchange, ChatzyRequest {
  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly identifyUser: FastifyIdentify,
  ) {}

  get method(): string {
    return this.request.method
  }

  get path(): string {
    return this.request.url
  }

  get host(): string {
    return this.request.host
  }

  get body(): unknown {
    return this.request.body
  }

  get protocol(): 'http' | 'https' {
    return this.request.protocol
  }

  get hostname(): string {
    return this.request.hostname
  }

  header(name: string): string | undefined {
    const value = this.request.headers[name]
    return Array.isArray(value) ? value[0] : value
  }

  identify(): Identified {
    return this.identifyUser(this.request)
  }

  setCookie(serialized: string): void {
    this.reply.header('set-cookie', serialized)
  }

  log() {
    return chatzyLog(this.request)
  }

  debug(message: string): void {
    this.request.log.debug(message)
  }
}

/** The exchanges of one registration, each asking the host's `identify`. */
export function fastifyExchange(identify: FastifyIdentify) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyExchange => new FastifyExchange(request, reply, identify)
}
