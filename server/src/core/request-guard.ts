import { ForbiddenOrigin, UnsupportedMediaType } from '../errors.js'
import { boundedMemo } from '../bounded-memo.js'
import type { Exchange } from '../exchange.js'
import type { ChatzyRequest } from './request.js'

/**
 * CSRF defence for the routes (OAuth 2.0 for Browser-Based Apps BCP): a static custom header
 * and a JSON content type force a CORS preflight on any cross-site request, and an `Origin`,
 * when the browser sends one, must be allowed (by default: this server's own).
 */
export function requestGuard(allowedOrigins: readonly string[] | undefined) {
  const allowed = allowedOrigins && new Set(allowedOrigins.map((origin) => new URL(origin).origin))

  return function checkRequest(request: Pick<ChatzyRequest, 'method' | 'header' | 'host'>, exchange: Pick<Exchange, 'protocol'>): void {
    if (request.header('x-chatzy-agent') !== '1') throw new ForbiddenOrigin('missing X-Chatzy-Agent header')
    const origin = request.header('origin')
    if (origin !== undefined) {
      const ok = allowed ? allowed.has(origin) : origin === ownOrigin(exchange.protocol, request.host)
      if (!ok) throw new ForbiddenOrigin('origin not allowed')
    }
    const type = request.header('content-type')
    // `DELETE /session` carries nothing, so it may carry no Content-Type either: the custom
    // header and the Origin check above are what force and check a preflight.
    if (type === undefined && request.method === 'DELETE' && hasNoBody(request)) return
    if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) throw new UnsupportedMediaType()
  }
}

function hasNoBody(request: Pick<ChatzyRequest, 'header'>): boolean {
  const length = request.header('content-length')
  return request.header('transfer-encoding') === undefined && (length === undefined || length === '0')
}

/**
 * This server's origin as a browser writes it (default ports left out, host in lower case), or
 * undefined for a bad Host. Parsed once per Host.
 */
const ownOrigins = boundedMemo<string | undefined>()

function ownOrigin(protocol: string, host: string | undefined): string | undefined {
  if (host === undefined) return undefined
  const key = `${protocol}://${host}`
  return ownOrigins(key, () => {
    try {
      return new URL(key).origin
    } catch {
      return undefined
    }
  })
}
