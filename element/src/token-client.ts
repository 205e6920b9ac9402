import type { ErrorAnswer, RefreshAnswer, SessionAnswer } from '../../contract/wire.js'
import type { ChatzyErrorCode } from './events.js'

/** A failed call to the plugin, classified for `chatzy-error`. */
export class TokenError extends Error {
  constructor(readonly code: ChatzyErrorCode, readonly retryable: boolean, message: string, readonly status = 0) {
    super(message)
  }
}

/** What a renewal gives: a refreshed token, or a whole new session when the old one was gone. */
export type Renewal = RefreshAnswer & Partial<SessionAnswer>

/** How hard the element tries before it gives up and shows the error. */
export const policy = {
  /** Retries after the first try, for network errors, timeouts and 5xx. */
  retries: 3,
  /** Backoff before retry n is random in [0, min(cap, base * 2^n)) ("full jitter"). */
  backoffBaseMs: 400,
  backoffCapMs: 4_000,
  /** No retry starts once this long has passed since the first try. */
  retryBudgetMs: 12_000,
  /** One request may take this long. */
  timeoutMs: 15_000,
  /**
   * Loop breaker: at most this many refreshes in any window; more asks wait for a free slot.
   * Tokens that live less than a third of the window get two refreshes per lifetime instead,
   * never more than one per `minLifetimeMs`.
   */
  refreshesPerWindow: 6,
  windowMs: 60_000,
  minLifetimeMs: 2_000,
}

// The abort listener goes as soon as the wait ends: the signal lives as long as the page.
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort)
      resolve()
    }, ms)
    signal.addEventListener('abort', abort, { once: true })
  })

/**
 * The element's side of the plugin's routes: HTTP with retries, one renewal in flight at a
 * time (every ask that arrives meanwhile shares its answer), and a loop breaker.
 */
export class TokenClient {
  /** The server's clock minus ours, from the `Date` header of its answers (Chatzy's expiries are on server time). */
  skewMs = 0
  #renewal: { promise: Promise<Renewal>; signal: AbortSignal } | undefined
  #recent: number[] = []
  /** Longest lifetime of a token the server gave (0: none yet), the loop breaker's yardstick. */
  #lifetimeMs = 0

  constructor(readonly endpoint: string) {}

  async session(chatbotId: string, signal: AbortSignal): Promise<SessionAnswer> {
    return this.#measure(await this.#retrying(() => this.#call<SessionAnswer>('POST', '/session', { chatbot_id: chatbotId }, signal), signal))
  }

  /**
   * A new access token for the one the caller holds (expiring at `expiresAt`). When the
   * server no longer knows the session (401), one attempt to start a new one through
   * `/session`: the server mints again while the host's user is still signed in.
   */
  renew(chatbotId: string, expiresAt: number, signal: AbortSignal): Promise<Renewal> {
    // A renewal of an aborted run (the element restarted meanwhile) is not shared with the new one.
    if (this.#renewal?.signal !== signal) {
      const renewal = {
        signal,
        promise: this.#renewOnce(chatbotId, expiresAt, signal).finally(() => {
          if (this.#renewal === renewal) this.#renewal = undefined
        }),
      }
      this.#renewal = renewal
    }
    return this.#renewal.promise
  }

  end(): Promise<unknown> {
    return this.#call('DELETE', '/session', {}, new AbortController().signal)
  }

  async #renewOnce(chatbotId: string, expiresAt: number, signal: AbortSignal): Promise<Renewal> {
    await this.#slot(signal)
    try {
      return this.#measure(await this.#retrying(() => this.#call<RefreshAnswer>('POST', '/refresh', expiresAt > 0 ? { expires_at: expiresAt } : {}, signal), signal))
    } catch (error) {
      if (!(error instanceof TokenError) || error.status !== 401) throw error
      return this.session(chatbotId, signal).catch((again: unknown) => {
        throw again instanceof TokenError && again.status === 401 ? again : error
      })
    }
  }

  #measure<T extends RefreshAnswer>(answer: T): T {
    // The longest seen: a token the server hands out again has less of its life left.
    this.#lifetimeMs = Math.max(this.#lifetimeMs, answer.expires_at - (Date.now() + this.skewMs))
    return answer
  }

  /** Waits for a free refresh slot in the window: a looping iframe costs a few requests a minute, never more. */
  async #slot(signal: AbortSignal) {
    const now = Date.now()
    this.#recent = this.#recent.filter((at) => now - at < policy.windowMs)
    const oldest = this.#recent[0]
    const perLifetime = this.#lifetimeMs > 0 ? Math.ceil((2 * policy.windowMs) / Math.max(this.#lifetimeMs, policy.minLifetimeMs)) : 0
    const limit = Math.max(policy.refreshesPerWindow, perLifetime)
    if (this.#recent.length >= limit && oldest !== undefined) {
      await sleep(oldest + policy.windowMs - now, signal)
      this.#recent.shift()
    }
    this.#recent.push(Date.now())
  }

  async #retrying<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const started = Date.now()
    for (let attempt = 0; ; attempt++) {
      try {
        return await call()
      } catch (error) {
        if (!(error instanceof TokenError) || !error.retryable || attempt >= policy.retries) throw error
        const wait = Math.random() * Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** attempt)
        if (Date.now() + wait - started > policy.retryBudgetMs) throw error
        await sleep(wait, signal)
      }
    }
  }

  async #call<T>(method: string, path: string, body: object, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw signal.reason
    const timeout = new AbortController()
    const timer = setTimeout(() => timeout.abort(), policy.timeoutMs)
    const stop = () => timeout.abort()
    signal.addEventListener('abort', stop)
    const sent = Date.now()
    try {
      let response: Response
      try {
        response = await fetch(this.endpoint.replace(/\/+$/, '') + path, {
          method,
          // The session cookie goes along to an endpoint on another origin too (with CORS and
          // allowedOrigins on the server); same-origin endpoints are unaffected.
          credentials: 'include',
          headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1' },
          body: JSON.stringify(body),
          signal: timeout.signal,
        })
      } catch {
        if (signal.aborted) throw signal.reason
        throw new TokenError('network', true, 'The server could not be reached')
      }
      this.#clock(response, sent)
      const answer = response.status === 204 ? undefined : await response.json().catch(() => undefined)
      if (response.ok) return check<T>(path, method, answer)
      const message = (answer as Partial<ErrorAnswer> | undefined)?.message ?? `HTTP ${response.status}`
      if (response.status === 401) {
        const code = (answer as Partial<ErrorAnswer> | undefined)?.code === 'CHATZY_UNAUTHENTICATED' ? 'unauthenticated' : 'session-expired'
        throw new TokenError(code, false, message, 401)
      }
      const retryable = response.status >= 500 || response.status === 408 || response.status === 429
      throw new TokenError(retryable ? 'server' : 'config', retryable, message, response.status)
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', stop)
    }
  }

  /** Server time = Date header + half its one-second resolution, taken at the middle of the round trip. */
  #clock(response: Response, sent: number) {
    const date = Date.parse(response.headers.get('date') ?? '')
    if (Number.isFinite(date)) this.skewMs = date + 500 - (sent + Date.now()) / 2
  }
}

/** A 2xx answer must have the documented shape: nothing else reaches the iframe. */
function check<T>(path: string, method: string, answer: unknown): T {
  const a = answer as Partial<SessionAnswer> | undefined
  const ok = method === 'DELETE'
    || (typeof a === 'object' && a !== null && typeof a.access_token === 'string' && a.access_token !== ''
      && typeof a.expires_at === 'number'
      && (path !== '/session' || (typeof a.iframe_url === 'string' && typeof a.user_id === 'string')))
  if (!ok) throw new TokenError('server', true, 'The server answered in an unknown shape')
  return answer as T
}
