import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { Dispatcher } from 'undici'
import { MintAnswer, RefreshTokenAnswer } from './schemas.js'
import { UpstreamBadResponse, UpstreamRefused, UpstreamTimeout, UpstreamUnavailable } from './errors.js'
import { ExchangeFailed, upstreamHttp, type Answer, type Endpoint } from './upstream-http.js'

type UpstreamHttp = ReturnType<typeof upstreamHttp>

export interface ChatzyClientOptions {
  apiUrl: string
  apiKey: string
  /** Deadline of one upstream operation, retries included. */
  timeoutMs: number
  /** Extra attempts after a network error or a 5xx. */
  retries: number
  /** Consecutive failures that open the breaker, and how long it then fails fast. */
  breakerThreshold?: number
  breakerCooldownMs?: number
  /** The host's undici dispatcher for calls to Chatzy; default: a keep-alive pool of our own. */
  dispatcher?: Dispatcher
}

export interface MintInput { user_id: string; chatbot_id: string }
export interface RefreshInput { user_id: string; chatbot_id: string; refresh_token: string }

export interface ChatzyClient {
  mint(input: MintInput): Promise<MintAnswer['data']>
  refresh(input: RefreshInput): Promise<RefreshTokenAnswer['data']>
  /** Closes pooled connections to Chatzy. */
  close(): void
}

// Compiled once: unchecked upstream JSON never flows on.
const checkMint = TypeCompiler.Compile(MintAnswer)
const checkRefresh = TypeCompiler.Compile(RefreshTokenAnswer)

const MAX_ANSWER_BYTES = 64 * 1024

/** Thrown for an attempt that may succeed if tried again (network error, 5xx). */
class Retryable extends Error {}

export function createChatzyClient(options: ChatzyClientOptions): ChatzyClient {
  const base = options.apiUrl.replace(/\/+$/, '')
  const http = upstreamHttp(options.dispatcher, Math.min(options.timeoutMs, 10_000))
  const endpoints = {
    mint: http.endpoint(new URL(`${base}/ai_agent/get_access_token`)),
    refresh: http.endpoint(new URL(`${base}/ai_agent/refresh_token`)),
  }
  const breaker = createBreaker(options.breakerThreshold ?? 5, options.breakerCooldownMs ?? 5_000)

  async function call<T>(name: CallName, url: Endpoint, body: { chatbot_id: string; [field: string]: string }, check: { Check(value: unknown): value is T }): Promise<T> {
    if (!breaker.allow()) throw new UpstreamUnavailable()
    const deadline = Date.now() + options.timeoutMs
    let lastError: unknown
    for (let attempt = 0; attempt <= options.retries; attempt++) {
      if (attempt > 0) {
        // Full jitter on an exponential base, never past the deadline.
        const pause = Math.random() * Math.min(1_000, 100 * 2 ** attempt)
        if (Date.now() + pause >= deadline) break
        await new Promise((resolve) => setTimeout(resolve, pause))
      }
      const remaining = deadline - Date.now()
      if (remaining <= 0) break
      try {
        const answer = await attemptOnce(http, url, body, remaining, (status) => refusal(name, status, body.chatbot_id))
        if (!check.Check(answer)) throw new UpstreamBadResponse()
        breaker.success()
        return answer
      } catch (error) {
        lastError = error
        if (!(error instanceof Retryable)) {
          // A refusal or a malformed answer proves Chatzy is up: it does not count against the breaker.
          breaker.success()
          throw error
        }
      }
    }
    breaker.failure()
    if (lastError instanceof Retryable && lastError.cause instanceof UpstreamTimeout) throw lastError.cause
    if (Date.now() >= deadline) throw new UpstreamTimeout({ cause: lastError })
    throw new UpstreamUnavailable({ cause: lastError })
  }

  return {
    async mint({ user_id, chatbot_id }) {
      return (await call('mint', endpoints.mint, { user_id, chatbot_id, client_api_key: options.apiKey }, checkMint)).data
    },
    async refresh({ user_id, chatbot_id, refresh_token }) {
      return (await call('refresh', endpoints.refresh, { user_id, chatbot_id, refresh_token }, checkRefresh)).data
    },
    close: () => http.close(),
  }
}

/** One exchange with Chatzy, sorted into what may be retried and what may not. */
async function attemptOnce(http: UpstreamHttp, url: Endpoint, body: object, timeoutMs: number, refused: (status: number) => Error): Promise<unknown> {
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
  // A throttle (429) or a request timeout (408) says "later", not "these credentials are wrong".
  if (status >= 500 || status === 429 || status === 408) throw new Retryable(`status ${status}`, { cause: new UpstreamUnavailable() })
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

/**
 * A small circuit breaker: after `threshold` consecutive failures it fails fast for
 * `cooldownMs`, then lets one probe through; the probe's outcome closes or re-opens it.
 */
function createBreaker(threshold: number, cooldownMs: number) {
  let failures = 0
  let openUntil = 0
  let probing = false
  return {
    allow(): boolean {
      if (failures < threshold) return true
      if (Date.now() < openUntil || probing) return false
      probing = true
      return true
    },
    success() {
      failures = 0
      probing = false
    },
    failure() {
      failures++
      probing = false
      if (failures >= threshold) openUntil = Date.now() + cooldownMs
    },
  }
}
