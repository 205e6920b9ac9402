import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Signs cookie values as @fastify/cookie (and cookie-signature before it) does, so that a
 * cookie signed by any adapter, or by an earlier version of this package, verifies in every
 * other: `value.` then the HMAC-SHA-256 of the value in base64 without padding. The first
 * secret signs; each one verifies, and `renew` says an older one did (sign it again).
 *
 * ESM `node:crypto`, which Node, Bun, Deno and Workers with `nodejs_compat` all provide (a
 * CommonJS `require` of it, as @fastify/cookie has, does not survive a Worker's bundle).
 */
export function cookieSigner(secrets: string | readonly string[]) {
  const keys = [secrets].flat()
  const mac = (value: string, secret: string) => createHmac('sha256', secret).update(value).digest('base64').replace(/=/g, '')

  return {
    sign: (value: string): string => `${value}.${mac(value, keys[0]!)}`,

    unsign(signed: string): { value: string; renew: boolean } | undefined {
      const dot = signed.lastIndexOf('.')
      if (dot === -1) return undefined
      const value = signed.slice(0, dot)
      const actual = new TextEncoder().encode(signed.slice(dot + 1))
      for (const [index, secret] of keys.entries()) {
        const expected = new TextEncoder().encode(mac(value, secret))
        if (expected.length === actual.length && timingSafeEqual(expected, actual)) return { value, renew: index > 0 }
      }
      return undefined
    },
  }
}
