import type { EndRequest, ErrorAnswer, RefreshAnswer, RefreshRequest, SessionAnswer, SessionRequest } from '../../contract/wire.js'
import type { ChatzyErrorCode } from './events.js'
import { SETUP } from './strings.js'

/** A failed call to the plugin, classified for `chatzy-error`. */
export class TokenError extends Error {
  constructor(
    readonly code: ChatzyErrorCode,
    readonly retryable: boolean,
    message: string,
    readonly status = 0,
    /** The server's `Retry-After`, in ms: no new try before it. */
    readonly retryAfterMs?: number,
  ) {
    super(message)
  }
}

/**
 * When to try again after a failure. A rate-limited answer is tried again by itself once its
 * `Retry-After` has passed (never sooner); without one, after 4 s, then twice as long each time
 * up to 2 min until a token comes. `notBefore` holds the page's own recovery (focus, online)
 * back as long. One pending try at most; `cancel` drops it (the element restarted or left).
 */
export class RetryLater {
  #timer: ReturnType<typeof setTimeout> | undefined
  #fallbackMs = BACKOFF_CAP_MS
  /** No automatic try before this time (epoch ms). */
  notBefore = 0

  arm(error: TokenError, retry: () => void): void {
    this.cancel()
    const limited = error.code === 'rate-limited'
    const wait = error.retryAfterMs ?? (limited ? this.#fallbackMs : 0)
    if (limited && error.retryAfterMs === undefined) this.#fallbackMs = Math.min(2 * this.#fallbackMs, RETRY_LATER_CAP_MS)
    this.notBefore = Date.now() + wait
    if (limited) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined
        retry()
      }, wait)
    }
  }

  /** A token came: the next rate-limited answer without `Retry-After` waits 4 s again. */
  reset(): void {
    this.#fallbackMs = BACKOFF_CAP_MS
  }

  cancel(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}

/** What a renewal gives: a refreshed token, or a whole new session when the old one was gone. */
export type Renewal = RefreshAnswer & Partial<SessionAnswer>

/*
 * How hard the element tries before it gives up and shows the error. Plain constants, which the
 * minifier writes in place (the CDN file's budget); `policy` holds the one the benchmark lifts.
 */
/** Retries after the first try, for network errors, timeouts and 5xx. */
const RETRIES = 3
/** Backoff before retry n is random in [0, min(cap, base * 2^n)) ("full jitter"). */
const BACKOFF_BASE_MS = 400
const BACKOFF_CAP_MS = 4_000
/** No retry starts once this long has passed since the first try. */
const RETRY_BUDGET_MS = 12_000
/** One request may take this long. */
const TIMEOUT_MS = 15_000
/** Longest wait before trying again by itself after rate-limited answers without `Retry-After`. */
const RETRY_LATER_CAP_MS = 120_000
/** The loop breaker's window, and the shortest token lifetime it counts with. */
const WINDOW_MS = 60_000
const MIN_LIFETIME_MS = 2_000

export const policy = {
  /**
   * Loop breaker: at most this many refreshes in any `WINDOW_MS`; more asks wait for a free slot.
   * Tokens that live less than a third of the window get two refreshes per lifetime instead,
   * never more than one per `MIN_LIFETIME_MS`.
   */
  refreshesPerWindow: 6,
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

  /** Ends this chatbot's session only (other chatbots' sessions under the same cookie stay). */
  end(chatbotId: string): Promise<unknown> {
    return this.#call('DELETE', '/session', { chatbot_id: chatbotId } satisfies EndRequest, new AbortController().signal)
  }

  async #renewOnce(chatbotId: string, expiresAt: number, signal: AbortSignal): Promise<Renewal> {
    await this.#slot(signal)
    try {
      return this.#measure(await this.#retrying(() => this.#call<RefreshAnswer>('POST', '/refresh', { chatbot_id: chatbotId, ...(expiresAt > 0 && { expires_at: expiresAt }) } satisfies RefreshRequest, signal), signal))
    } catch (error) {
      if (!(error instanceof TokenError) || error.status !== 401) throw error
      return this.session(chatbotId, signal).catch((again: unknown) => {
        throw again instanceof TokenError && (again.status === 401 || again.code === 'rate-limited') ? again : error
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
    this.#recent = this.#recent.filter((at) => now - at < WINDOW_MS)
    const oldest = this.#recent[0]
    const perLifetime = this.#lifetimeMs > 0 ? Math.ceil((2 * WINDOW_MS) / Math.max(this.#lifetimeMs, MIN_LIFETIME_MS)) : 0
    const limit = Math.max(policy.refreshesPerWindow, perLifetime)
    if (this.#recent.length >= limit && oldest !== undefined) {
      await sleep(oldest + WINDOW_MS - now, signal)
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
        if (!(error instanceof TokenError) || !error.retryable || attempt >= RETRIES) throw error
        // Rate limited: shown as such, and tried again by the element once Retry-After has passed.
        if (error.code === 'rate-limited') throw error
        // Never sooner than the server's Retry-After; past the budget, the element tries later by itself.
        const wait = Math.max(error.retryAfterMs ?? 0, Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt))
        if (Date.now() + wait - started > RETRY_BUDGET_MS) throw error
        await sleep(wait, signal)
      }
    }
  }

  async #call<T>(method: string, path: string, body: object, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw signal.reason
    const [timeout, done] = within(signal, TIMEOUT_MS)
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
          signal: timeout,
        })
      } catch {
        if (signal.aborted) throw signal.reason
        // Connected but never answered: the server's fault, and no probe (it could hang as long).
        if (timeout.aborted) throw new TokenError('server', true, 'No answer in time')
        throw await unreachable(this.endpoint, signal)
      }
      this.#clock(response, sent)
      const answer = response.status === 204 ? undefined : await response.json().catch(() => undefined)
      if (response.ok) return check<T>(path, method, answer)
      const error = answer as Partial<ErrorAnswer> | undefined
      const status = response.status
      const message = error?.message ?? `HTTP ${status}`
      if (status === 401) throw new TokenError(error?.code === 'CHATZY_UNAUTHENTICATED' ? 'unauthenticated' : 'session-expired', false, message, 401)
      const retryAfterMs = retryAfter(response)
      if (status === 429) throw new TokenError('rate-limited', true, message, 429, retryAfterMs)
      // The server's own setup, named with its fix: retrying cannot help, and each try of a refused mint costs one.
      const setup = error?.code === 'CHATZY_CHATBOT_NOT_ALLOWED' ? SETUP.notAllowed((body as SessionRequest).chatbot_id!)
        : error?.code === 'CHATZY_UPSTREAM_BAD_RESPONSE' && path === '/session' ? SETUP.mint : undefined
      const retryable = !setup && (status >= 500 || status === 408)
      throw new TokenError(retryable ? 'server' : 'config', retryable, setup ?? message, status, retryAfterMs)
    } finally {
      done()
    }
  }

  /** Server time = Date header + half its one-second resolution, taken at the middle of the round trip. */
  #clock(response: Response, sent: number) {
    const date = Date.parse(response.headers.get('date') ?? '')
    if (Number.isFinite(date)) this.skewMs = date + 500 - (sent + Date.now()) / 2
  }
}

/** `Retry-After` (seconds, or an HTTP date) in ms, capped so that a wild value cannot park the element for hours. */
function retryAfter(response: Response): number | undefined {
  const value = response.headers.get('retry-after')
  if (value === null) return undefined
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now()
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 10 * 60_000) : undefined
}

/**
 * Why a fetch of the endpoint failed with no answer, as far as the page can tell: a failed
 * fetch looks the same whether the device is offline, the server is down, or the browser
 * blocked a cross-origin answer (CORS). Offline is what `navigator.onLine` says; for an
 * endpoint on another origin, a no-cors probe that gets through proves the server is up, so
 * the answer was blocked.
 */
async function unreachable(endpoint: string, signal: AbortSignal): Promise<TokenError> {
  const down = (detail: string) => new TokenError('network', true, detail)
  if (navigator.onLine === false) return down('Server unreachable: this device is offline')
  const url = new URL(endpoint, location.href)
  const { origin } = url
  if (origin === location.origin) return down('Server unreachable')
  // A probe that hangs is no answer: after 3 s the error goes out.
  const [probe, done] = within(signal, 3000)
  const answered = await fetch(url, { method: 'HEAD', mode: 'no-cors', credentials: 'omit', cache: 'no-store', signal: probe })
    .then(() => true, () => false)
  done()
  // The server is up and the browser refused its answer: the site's setup, which no retry mends.
  return answered ? new TokenError('config', false, SETUP.cors(origin)) : down(`${origin} is down or blocked by CORS`)
}

/**
 * `signal`, also aborted after `ms` (`AbortSignal.any` is newer than some browsers the element
 * runs in); `done` drops the timer and the listener, since the run's signal lives on.
 */
function within(signal: AbortSignal, ms: number) {
  const controller = new AbortController()
  const stop = () => controller.abort()
  const timer = setTimeout(stop, ms)
  signal.addEventListener('abort', stop)
  return [controller.signal, () => {
    clearTimeout(timer)
    signal.removeEventListener('abort', stop)
  }] as const
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
