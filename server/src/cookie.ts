import { randomBytes } from 'node:crypto'
import { parse as parseCookie, serialize } from 'cookie'
import type { Exchange } from './exchange.js'
import { isLoopback } from './loopback.js'
import { verifiedCookies, type VerifiedCookie } from './verified-cookies.js'
import { cookieSigner } from './core/cookie-signer.js'

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

/** Cookie values as the header spells them: ours alone is decoded, and only when not seen before. */
const AS_SENT = { decode: (value: string) => value }

/** A cookie value URL-decoded as `cookie`'s parser decodes it (a malformed one stays as it is). */
function decodeCookieValue(value: string): string {
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

export const DROPPED_WARNING = 'chatzy-agent: the session cookie is Secure, but this page is plain http at a host other than localhost, '
  + 'so the browser drops it: every refresh will answer 401 and the element will mint again. '
  + 'Serve the page over https; behind a proxy that ends TLS, set Fastify\'s trustProxy; for local work, use http://localhost'

/**
 * Whether the page that sent this request is evidently plain http at a host where browsers
 * refuse Secure cookies. The browser's own `Origin` says how the page was loaded; the request's
 * protocol alone could be a TLS proxy without `trustProxy`, whose page is https and keeps it.
 */
function pageIsPlainHttp(exchange: Exchange): boolean {
  const origin = exchange.header('origin')
  if (origin === undefined || !origin.startsWith('http://')) return false
  try {
    return !isLoopback(new URL(origin).hostname)
  } catch {
    return false
  }
}

/**
 * The session cookie: a signed random id and nothing else. HttpOnly always; Secure on https
 * and everywhere but plain-http loopback (so a misconfigured plain-http deployment fails
 * closed), and then `__Host-` prefixed, which pins it to this host and Path=/.
 *
 * Signed as @fastify/cookie signs (`cookieSigner`), parsed and serialized by `cookie` (the
 * library under @fastify/cookie), without registering @fastify/cookie itself: its hooks would
 * parse every cookie of every request on every route of the host app, for one cookie read on
 * our routes. An app that registers @fastify/cookie for its own cookies may do so anywhere;
 * both write their Set-Cookie headers side by side.
 */
export function sessionCookie(options: CookieOptions) {
  const signer = cookieSigner(options.secret)
  // Memoized by the value as the header spells it (URL-encoded), so that a cookie seen before
  // costs neither its decoding nor its HMAC.
  const verify = verifiedCookies((encoded) => {
    const result = signer.unsign(decodeCookieValue(encoded))
    if (result === undefined || !SESSION_ID.test(result.value)) return undefined
    return { id: result.value, renew: result.renew }
  })

  let warnedDropped = false

  /** Once per plugin instance: the first Secure cookie set for, or missed from, a plain-http page. */
  function warnIfDropped(exchange: Exchange) {
    if (warnedDropped || !pageIsPlainHttp(exchange)) return
    warnedDropped = true
    exchange.log().warn({ origin: exchange.header('origin') }, DROPPED_WARNING)
  }

  function isSecure(exchange: Exchange): boolean {
    if (options.secure !== 'auto') return options.secure
    return exchange.protocol === 'https' || !isLoopback(exchange.hostname)
  }

  function nameFor(exchange: Exchange): string {
    return isSecure(exchange) ? `__Host-${options.name}` : options.name
  }

  return {
    /**
     * The session id, or undefined for a missing, tampered or malformed cookie (never throws).
     * `renew` says the cookie was signed with an older secret and should be signed again.
     */
    read(exchange: Exchange): VerifiedCookie | undefined {
      const header = exchange.header('cookie')
      const raw = header === undefined ? undefined : parseCookie(header, AS_SENT)[nameFor(exchange)]
      if (raw === undefined) {
        exchange.debug('chatzy: no session cookie')
        if (isSecure(exchange)) warnIfDropped(exchange)
        return undefined
      }
      const verified = verify(raw)
      if (verified === undefined) exchange.debug('chatzy: session cookie rejected (bad signature or shape)')
      return verified
    },

    write(exchange: Exchange, id: string, maxAgeSeconds: number) {
      const secure = isSecure(exchange)
      if (secure) warnIfDropped(exchange)
      exchange.setCookie(serialize(nameFor(exchange), signer.sign(id), {
        httpOnly: true,
        secure,
        sameSite: options.sameSite,
        // __Host- cookies must have Path=/.
        path: secure ? '/' : options.path,
        maxAge: Math.max(0, Math.min(options.maxAgeSeconds, Math.floor(maxAgeSeconds))),
      }))
    },

    clear(exchange: Exchange) {
      const secure = isSecure(exchange)
      exchange.setCookie(serialize(nameFor(exchange), '', {
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
