import type { ChatzyLogger, Exchange, Identified } from '../exchange.js'
import type { ChatzyAnswer } from './request.js'

export interface ExchangeParts {
  header(name: string): string | undefined
  protocol: 'http' | 'https'
  hostname: string
  identify(): Identified
  log: ChatzyLogger
}

/** An exchange whose Set-Cookie values are collected, for an adapter to write as it writes headers. */
export interface CollectingExchange extends Exchange {
  readonly cookies: readonly string[]
}

/** The exchange an adapter hands the core: `identify` asked at most once, each cookie kept in order. */
export function collectingExchange(parts: ExchangeParts): CollectingExchange {
  const cookies: string[] = []
  let identified: { value: Identified } | undefined
  return {
    header: parts.header,
    protocol: parts.protocol,
    hostname: parts.hostname,
    identify() {
      identified ??= { value: parts.identify() }
      return identified.value
    },
    setCookie: (serialized) => void cookies.push(serialized),
    log: () => parts.log,
    debug: (message) => parts.log.debug(message),
    cookies,
  }
}

/** Fastify's answer for a path no route serves, for adapters that have no framework to ask. */
export function notFound(method: string, path: string): ChatzyAnswer {
  return {
    status: 404,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: { message: `Route ${method}:${path} not found`, error: 'Not Found', statusCode: 404 },
  }
}
