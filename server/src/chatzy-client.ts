import { TypeCompiler } from '@sinclair/typebox/compiler'
import { MintAnswer, RefreshTokenAnswer } from './schemas.js'
import { UpstreamBadResponse, UpstreamRefused, UpstreamTimeout, UpstreamUnavailable } from './errors.js'
import { retryLater } from './retry-after.js'
import { createBreaker, type Breaker, type BreakerState } from './breaker.js'
import { createBackPressure } from './back-pressure.js'
import { traceUpstream, upstreamTraced, type UpstreamCallMessage, type UpstreamOutcome } from './diagnostics.js'
import { ExchangeFailed, type Answer, type Endpoint, type UpstreamTransport } from './upstream-exchange.js'

export interface ChatzyClientOptions {
  apiUrl: string
  apiKey: string
  /** Deadline of one upstream operation, retries included; each attempt gets its share of it (`attemptShare`). */
  timeoutMs: number
  /** Extra attempts after a network error, a 5xx or an attempt past its share of the deadline. */
  retries: number
  /** Failed operations of this many distinct users (with no success meanwhile) open a chatbot's breaker; how long it then fails fast. */
  breakerThreshold?: number
  breakerCooldownMs?: number
  /** Chatbots whose breakers exist from the start (others get theirs when first asked for). */
  chatbots?: readonly string[]
  /**
   * What does the HTTP: undici on Node (`upstreamHttp`, through the host's dispatcher if it
   * gives one), the runtime's `fetch` elsewhere (`upstreamFetch`). Passed in, so that the
   * fetch adapter's bundle holds no undici. Closed with the client.
   */
  transport: UpstreamTransport
}

export type { BreakerState }

export interface MintInput { user_id: string; chatbot_id: string }
export interface RefreshInput { user_id: string; chatbot_id: string; refresh_token: string }

export interface ChatzyClient {
  mint(input: MintInput): Promise<MintAnswer['data']>
  refresh(input: RefreshInput): Promise<RefreshTokenAnswer['data']>
  /**
   * Where each chatbot's circuit breaker stands, by chatbot id: `open` fails fast, `half-open`
   * lets one probe through. A snapshot, read-only; a chatbot not listed is `closed`.
   */
  breakerStates(): Record<string, BreakerState>
  /** Closes pooled connections to Chatzy. */
  close(): void
}

// Compiled once: unchecked upstream JSON never flows on.
const checkMint = TypeCompiler.Compile(MintAnswer)
const checkRefresh = TypeCompiler.Compile(RefreshTokenAnswer)

const MAX_ANSWER_BYTES = 64 * 1024

/** Thrown for an attempt that may succeed if tried again (network error, 5xx, timeout). */
class Retryable extends Error {}

/** Chatzy said "later" (429, or 503 with `Retry-After`): back-pressure, which never opens a breaker. */
class Throttled extends Error {
  constructor(readonly retryAfterMs: number | undefined) {
    super('throttled')
  }
}

/**
 * How long one attempt may take of the `remaining` time: half of it while a retry is left, all of
 * it for the last attempt. A hung attempt then leaves half the deadline to a retry, and the first
 * attempt still gets the longest share, so a slow but healthy Chatzy is not cut off early.
 */
function attemptShare(remaining: number, last: boolean): number {
  return last ? remaining : Math.max(1, Math.floor(remaining / 2))
}

/** Longest `Retry-After` honoured: a wild value must not silence Chatzy for everyone for hours. */
const MAX_RETRY_AFTER_MS = 120_000

export function createChatzyClient(options: ChatzyClientOptions): ChatzyClient {
  const base = options.apiUrl.replace(/\/+$/, '')
  const http = options.transport
  const endpoints = {
    mint: http.endpoint(new URL(`${base}/ai_agent/get_access_token`)),
    refresh: http.endpoint(new URL(`${base}/ai_agent/refresh_token`)),
  }
  // One breaker per chatbot: a broken chatbot fails fast alone. Chatbot ids come from the
  // allowed list, so the map stays that small.
  const breakers = new Map<string, Breaker>()
  const breakerOf = (chatbot: string): Breaker => {
    let breaker = breakers.get(chatbot)
    if (breaker === undefined) {
      breaker = createBreaker({ threshold: options.breakerThreshold ?? 5, cooldownMs: options.breakerCooldownMs ?? 5_000 })
      breakers.set(chatbot, breaker)
    }
    return breaker
  }
  for (const chatbot of options.chatbots ?? []) breakerOf(chatbot)
  // Chatzy's throttle, per user until several users see it (then per API key: every chatbot).
  const backPressure = createBackPressure()

  async function call<T>(operation: CallName, body: object, who: MintInput, check: { Check(value: unknown): value is T }): Promise<T> {
    const url = endpoints[operation]
    const breaker = breakerOf(who.chatbot_id)
    const ticket = breaker.allow(who.user_id)
    if (ticket === undefined) throw new UpstreamUnavailable()
    const deadline = Date.now() + options.timeoutMs
    let lastError: unknown
    try {
      for (let attempt = 0; attempt <= options.retries; attempt++) {
        if (attempt > 0) {
          // Full jitter on an exponential base, never past the deadline.
          const pause = Math.random() * Math.min(1_000, 100 * 2 ** attempt)
          if (Date.now() + pause >= deadline) break
          await sleep(pause)
        }
        await waitOutThrottle(who.user_id, deadline, lastError)
        const remaining = deadline - Date.now()
        if (remaining <= 0) break
        try {
          const share = attemptShare(remaining, attempt === options.retries)
          const answer = await traced({ operation, chatbotId: who.chatbot_id, attempt: attempt + 1 }, async (seen) => {
            const parsed = await attemptOnce(http, url, body, share, seen, (status) => refusal(operation, status, who.chatbot_id))
            if (!check.Check(parsed)) throw new UpstreamBadResponse()
            return parsed
          })
          breaker.success(ticket)
          return answer
        } catch (error) {
          lastError = error
          if (error instanceof Throttled) {
            backPressure.throttle(who.user_id, error.retryAfterMs)
            continue
          }
          if (!(error instanceof Retryable)) {
            // A refusal or a malformed answer proves Chatzy is up: it does not count against the breaker.
            breaker.success(ticket)
            throw error
          }
        }
      }
      if (lastError instanceof Throttled) throw retryLater(new UpstreamUnavailable({ cause: lastError }), backPressure.waitFor(who.user_id))
      breaker.failure(ticket)
    } finally {
      // An operation that settled nothing (back-pressure, a throw) lets the next probe go.
      breaker.release(ticket)
    }
    if (lastError instanceof Retryable && lastError.cause instanceof UpstreamTimeout) throw lastError.cause
    if (Date.now() >= deadline) throw new UpstreamTimeout({ cause: lastError })
    throw new UpstreamUnavailable({ cause: lastError })
  }

  /** Honours Chatzy's `Retry-After` for this user: waits it out within the deadline, or says at once when to come back. */
  async function waitOutThrottle(user: string, deadline: number, lastError: unknown): Promise<void> {
    const wait = backPressure.waitFor(user)
    if (wait <= 0) return
    if (Date.now() + wait >= deadline) throw retryLater(new UpstreamUnavailable({ cause: lastError ?? new Throttled(wait) }), wait)
    await sleep(wait)
  }

  return {
    async mint({ user_id, chatbot_id }) {
      return (await call('mint', { user_id, chatbot_id, client_api_key: options.apiKey }, { user_id, chatbot_id }, checkMint)).data
    },
    async refresh({ user_id, chatbot_id, refresh_token }) {
      return (await call('refresh', { user_id, chatbot_id, refresh_token }, { user_id, chatbot_id }, checkRefresh)).data
    },
    breakerStates() {
      return Object.fromEntries([...breakers].map(([chatbot, breaker]) => [chatbot, breaker.state]))
    },
    close: () => http.close(),
  }
}

/**
 * One attempt, inside the diagnostics TracingChannel. Subscribers see its outcome and a
 * `CHATZY_*` error, never the answer (it holds tokens); the caller gets both as they are.
 */
async function traced<T>(message: UpstreamCallMessage, attempt: (seen: { statusCode?: number }) => Promise<T>): Promise<T> {
  if (!upstreamTraced()) return attempt(message)
  let answer: T | undefined
  let failure: unknown
  try {
    await traceUpstream(message, async () => {
      try {
        answer = await attempt(message)
        message.outcome = 'ok'
      } catch (error) {
        failure = error
        message.outcome = outcomeOf(error)
        throw error instanceof Retryable ? error.cause : error instanceof Throttled ? new UpstreamUnavailable() : error
      }
    })
  } catch (error) {
    throw failure ?? error
  }
  return answer as T
}

function outcomeOf(error: unknown): UpstreamOutcome {
  if (error instanceof Throttled) return 'throttled'
  if (error instanceof UpstreamRefused) return 'refused'
  if (error instanceof UpstreamBadResponse) return 'bad-response'
  if (error instanceof Retryable && error.cause instanceof UpstreamTimeout) return 'timeout'
  if (error instanceof Retryable && error.message.startsWith('status')) return 'server-error'
  return 'network'
}

/** One exchange with Chatzy, sorted into what may be retried and what may not. */
async function attemptOnce(http: UpstreamTransport, url: Endpoint, body: object, timeoutMs: number, seen: { statusCode?: number }, refused: (status: number) => Error): Promise<unknown> {
  let answer: Answer
  try {
    answer = await http.post(url, JSON.stringify(body), timeoutMs, MAX_ANSWER_BYTES)
  } catch (error) {
    if (!(error instanceof ExchangeFailed)) throw error
    const { failure } = error
    if (failure.kind === 'too-large') throw new UpstreamBadResponse()
    if (failure.kind === 'timeout') throw new Retryable('timeout', { cause: new UpstreamTimeout() })
    // A redirect is a misconfigured apiUrl (or a hijacked one): trying again cannot help.
    if (failure.kind === 'redirect') throw new UpstreamBadResponse()
    // Never pass the network error on as is: its message could quote the request. Its system
    // error code (ECONNREFUSED, undici's UND_ERR_SOCKET…) is safe, and what an operator needs.
    const code = failure.code
    throw new Retryable(typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? `network ${code}` : 'network', { cause: new UpstreamUnavailable() })
  }
  const { status, text } = answer
  seen.statusCode = status
  // A throttle says "later", and may say when: back-pressure, not breakage.
  const retryAfterMs = parseRetryAfter(answer.retryAfter)
  if (status === 429 || (status === 503 && retryAfterMs !== undefined)) throw new Throttled(retryAfterMs)
  // A request timeout (408) says "later" too, not "these credentials are wrong".
  if (status >= 500 || status === 408) throw new Retryable(`status ${status}`, { cause: new UpstreamUnavailable() })
  if (status >= 400) throw refused(status)
  if (status < 200 || status >= 300) throw new UpstreamBadResponse()
  try {
    return JSON.parse(text)
  } catch {
    throw new UpstreamBadResponse()
  }
}

type CallName = 'mint' | 'refresh'

/**
 * What an operator reads in the log when Chatzy says no: the call, Chatzy's status, and what
 * to check. Chatzy documents no error statuses, so the cause is a likelihood, not a verdict.
 * The chatbot id is no secret; the API key and tokens are never named by value.
 */
function refusal(name: CallName, status: number, chatbotId: string) {
  if (name === 'refresh') {
    return new UpstreamRefused(`refresh call (HTTP ${status}): the refresh token is likely expired or revoked; a new token is minted`)
  }
  const likely = status === 401 || status === 403
    ? 'likely a wrong apiKey (Chatzy\'s "AI Agent Auth Key"; is CHATZY_API_KEY right?)'
    : status === 400 || status === 404 || status === 422
      ? `likely a wrong chatbotId ("${chatbotId}" is not a chatbot of this API key)`
      : `check apiKey and chatbotId ("${chatbotId}")`
  return new UpstreamRefused(`mint call (HTTP ${status}): ${likely}`)
}

/** `Retry-After` in seconds or as an HTTP date, in ms from now (capped), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now()
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
