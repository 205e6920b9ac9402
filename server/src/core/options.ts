import type { ChatzyLogger, Identified } from '../exchange.js'
import type { SessionStore } from '../store.js'

/** The session cookie. */
export interface ChatzyCookieOptions {
  /** Cookie name; `__Host-` is put in front of it whenever the cookie is Secure. Default `chatzy_session`. */
  name?: string
  /** Signing secret(s), at least 32 characters each. An array rotates keys: the first signs, all verify. */
  secret: string | string[]
  /** `'auto'` (default): Secure on https (as the server sees it, so a trusted proxy, or Fastify's `trustProxy`, counts) and on any host but plain-http loopback. */
  secure?: boolean | 'auto'
  /** Default `'strict'`. `'none'` needs a Secure cookie. */
  sameSite?: 'strict' | 'lax' | 'none'
  /** Cookie path when not Secure (a Secure `__Host-` cookie is always `Path=/`). Default `/`. */
  path?: string
  /** Upper bound on the cookie's Max-Age; it never outlives the refresh token either. Default 7 days. */
  maxAgeSeconds?: number
}

/**
 * The options every adapter takes, the same names and meanings as the Fastify plugin's; only
 * `identify`'s argument is the adapter's own request (`Request`, `IncomingMessage`).
 */
export interface ChatzyOptions<Req> {
  /** Chatzy's `client_api_key` ("AI Agent Auth Key"). Never leaves the server. */
  apiKey: string
  /** Allowed chatbot id(s), each a uuid as in Chatzy's embed code; the first one is the default. */
  chatbotId: string | string[]
  /** The host's own signed-in user id for this request, or null when nobody is signed in. Runs on every `/session` and `/refresh`. */
  identify: (request: Req) => Identified
  /** Chatzy API base. Default: the base of Chatzy's docs. */
  apiUrl?: string
  /** Chatzy iframe base. Default `https://app.chatzy.ai`. */
  appUrl?: string
  /** Where the routes live. Default `/chatzy`. */
  prefix?: string
  cookie: ChatzyCookieOptions
  /** Where sessions live. Default: `memoryStore()` (one process only). */
  store?: SessionStore
  /** Origins allowed to call the routes. Default: only the request's own origin. */
  allowedOrigins?: string[]
  /** Deadline of one upstream operation, retries included. Default 10,000 ms. */
  timeoutMs?: number
  /** Extra upstream attempts after a network error or a 5xx. Default 2. */
  retries?: number
  /**
   * Circuit breaker per chatbot: opens when failed operations of `threshold` (default 5) distinct
   * users find no success meanwhile (an outage), or when half the users seen in a 10 s window
   * fail; then fails fast for `cooldownMs` (default 5,000) until one probe succeeds.
   */
  breaker?: { threshold?: number; cooldownMs?: number }
  /** Floor between two upstream calls for one session, whatever clients send. Default 5,000 ms. */
  minRefreshIntervalMs?: number
  /** A stored access token with less life left than this is refreshed rather than handed out. Default 30,000 ms. */
  refreshMarginMs?: number
  /** With a store that has `lock`: longest an upstream refresh may hold a session's lock. Default 15,000 ms. */
  lockTtlMs?: number
  /** Mints per user id and chatbot in any window of `windowMs` (sliding), counted in the store (shared by instances). Over it: 429 `CHATZY_RATE_LIMITED`. Default 10 per 60,000 ms. */
  mintLimit?: { max: number; windowMs: number }
  /** Live sessions per user id and chatbot: one more ends that user's least recently used one. Default 10. */
  sessionsPerUser?: number
  /** Seals each stored session record whole at rest, both tokens included (newest key first, all keys open). */
  encryptionKey?: string | string[]
  /**
   * Where the agent writes its log lines: any logger with pino's signatures (pino itself, a
   * Fastify app's `app.log`). Lines are redacted of this package's secrets whatever the
   * logger. Default: warnings and errors to the console, as JSON.
   */
  logger?: ChatzyLogger & { child?: unknown }
}
