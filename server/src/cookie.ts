import { randomBytes } from 'node:crypto'
import fastifyCookie from '@fastify/cookie'
import { parse as parseCookie, serialize } from 'cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { isLoopback } from './loopback.js'
import { verifiedCookies, type VerifiedCookie } from './verified-cookies.js'

export interface CookieOptions {
  name: string
  /** Signing secrets; the first signs, all verify (key rotation). */
  secret: string | string[]
  secure: boolean | 'auto'
  sameSite: 'strict' | 'lax' | 'none'
  path: string
  maxAgeSeconds: number
}

/** 32 random bytes: 256 bits, base64url. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url')
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/

/**
 * The session cookie: a signed random id and nothing else. HttpOnly always; Secure on https
 * and everywhere but plain-http loopback (so a misconfigured plain-http deployment fails
 * closed), and then `__Host-` prefixed, which pins it to this host and Path=/.
 *
 * Signed by @fastify/cookie's signer, parsed and serialized by `cookie` (the library under
 * @fastify/cookie), without registering @fastify/cookie itself: its hooks would parse every
 * cookie of every request on every route of the host app, for one cookie read on our routes.
 * An app that registers @fastify/cookie for its own cookies may do so anywhere; both write
 * their Set-Cookie headers side by side.
 */
export function sessionCookie(options: CookieOptions) {
  const signer = fastifyCookie.signerFactory(options.secret)
  const verify = verifiedCookies((raw) => {
    const result = signer.unsign(raw)
    if (!result.valid || result.value === null || !SESSION_ID.test(result.value)) return undefined
    return { id: result.value, renew: result.renew }
  })

  function isSecure(request: FastifyRequest): boolean {
    if (options.secure !== 'auto') return options.secure
    return request.protocol === 'https' || !isLoopback(request.hostname)
  }

  function nameFor(request: FastifyRequest): string {
    return isSecure(request) ? `__Host-${options.name}` : options.name
  }

  return {
    /**
     * The session id, or undefined for a missing, tampered or malformed cookie (never throws).
     * `renew` says the cookie was signed with an older secret and should be signed again.
     */
    read(request: FastifyRequest): VerifiedCookie | undefined {
      const header = request.headers.cookie
      const raw = header === undefined ? undefined : parseCookie(header)[nameFor(request)]
      if (raw === undefined) {
        // Constant messages: the request's own logger will do, no redacting child needed.
        request.log.debug('chatzy: no session cookie')
        return undefined
      }
      const verified = verify(raw)
      if (verified === undefined) request.log.debug('chatzy: session cookie rejected (bad signature or shape)')
      return verified
    },

    write(request: FastifyRequest, reply: FastifyReply, id: string, maxAgeSeconds: number) {
      const secure = isSecure(request)
      reply.header('set-cookie', serialize(nameFor(request), signer.sign(id), {
        httpOnly: true,
        secure,
        sameSite: options.sameSite,
        // __Host- cookies must have Path=/.
        path: secure ? '/' : options.path,
        maxAge: Math.max(0, Math.min(options.maxAgeSeconds, Math.floor(maxAgeSeconds))),
      }))
    },

    clear(request: FastifyRequest, reply: FastifyReply) {
      const secure = isSecure(request)
      reply.header('set-cookie', serialize(nameFor(request), '', {
        expires: new Date(0),
        maxAge: 0,
        httpOnly: true,
        secure,
        sameSite: options.sameSite,
        path: secure ? '/' : options.path,
      }))
    },
  }
}

export type SessionCookie = ReturnType<typeof sessionCookie>
