import type { FastifyRequest } from 'fastify'
import { ForbiddenOrigin, UnsupportedMediaType } from './errors.js'
import { boundedMemo } from './bounded-memo.js'

/**
 * CSRF defence for the plugin's routes (OAuth 2.0 for Browser-Based Apps BCP): a static custom
 * header and a JSON content type force a CORS preflight on any cross-site request, and an
 * `Origin`, when the browser sends one, must be allowed (by default: this server's own).
 */
export function csrfGuard(allowedOrigins: readonly string[] | undefined) {
  const allowed = allowedOrigins && new Set(allowedOrigins.map((origin) => new URL(origin).origin))

  return function checkRequest(request: FastifyRequest): void {
    if (request.headers['x-chatzy-agent'] !== '1') throw new ForbiddenOrigin('missing X-Chatzy-Agent header')
    const origin = request.headers.origin
    if (origin !== undefined) {
      const ok = allowed ? allowed.has(origin) : origin === ownOrigin(request)
      if (!ok) throw new ForbiddenOrigin('origin not allowed')
    }
    const type = request.headers['content-type']
    // `DELETE /session` carries nothing, so it may carry no Content-Type either: the custom
    // header and the Origin check above are what force and check a preflight.
    if (type === undefined && request.method === 'DELETE' && hasNoBody(request)) return
    if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) throw new UnsupportedMediaType()
  }
}

function hasNoBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length']
  return request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')
}

/**
 * This server's origin as a browser writes it (default ports left out, host in lower case), or
 * undefined for a bad Host. Parsed once per Host.
 */
const ownOrigins = boundedMemo<string | undefined>()

function ownOrigin(request: FastifyRequest): string | undefined {
  const key = `${request.protocol}://${request.host}`
  return ownOrigins(key, () => {
    try {
      return new URL(key).origin
    } catch {
      return undefined
    }
  })
}
