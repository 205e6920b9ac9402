import { TypeCompiler } from '@sinclair/typebox/compiler'
import { MintAnswer, RefreshTokenAnswer } from './schemas.js'
import { UpstreamBadResponse, UpstreamRefused, UpstreamTimeout, UpstreamUnavailable } from './errors.js'

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
}

export interface MintInput { user_id: string; chatbot_id: string }
export interface RefreshInput { user_id: string; chatbot_id: string; refresh_token: string }

export interface ChatzyClient {
  mint(input: MintInput): Promise<MintAnswer['data']>
  refresh(input: RefreshInput): Promise<RefreshTokenAnswer['data']>
}

// Compiled once: unchecked upstream JSON never flows on.
const checkMint = TypeCompiler.Compile(MintAnswer)
const checkRefresh = TypeCompiler.Compile(RefreshTokenAnswer)

const MAX_ANSWER_BYTES = 64 * 1024

/** Thrown for an attempt that may succeed if tried again (network error, 5xx). */
class Retryable extends Error {}

export function createChatzyClient(options: ChatzyClientOptions): ChatzyClient {
  const base = options.apiUrl.replace(/\/+$/, '')
  const breaker = createBreaker(options.breakerThreshold ?? 5, options.breakerCooldownMs ?? 5_000)

  async function call<T>(path: string, body: object, check: { Check(value: unknown): value is T }): Promise<T> {
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
        const answer = await attemptOnce(`${base}${path}`, body, remaining)
        if (!check.Check(answer)) throw new UpstreamBadResponse()
        breaker.success()
        return answer
      } catch (error) {
        lastError = error
        if (!(error instanceof Retryable)) {
          // A refusal or a malformed answer proves Chatzy is up: it does not count against the breaker.
          if (!(error instanceof UpstreamTimeout)) breaker.success()
          else breaker.failure()
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
      return (await call('/ai_agent/get_access_token', { user_id, chatbot_id, client_api_key: options.apiKey }, checkMint)).data
    },
    async refresh({ user_id, chatbot_id, refresh_token }) {
      return (await call('/ai_agent/refresh_token', { user_id, chatbot_id, refresh_token }, checkRefresh)).data
    },
  }
}

async function attemptOnce(url: string, body: object, timeoutMs: number): Promise<unknown> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    })
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') {
      throw new Retryable('timeout', { cause: new UpstreamTimeout() })
    }
    // Never pass the fetch error on as is: its message could quote the request. Its system
    // error code (ECONNREFUSED, UND_ERR_SOCKET…) is safe, and what an operator needs.
    const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code
    throw new Retryable(typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? `network ${code}` : 'network', { cause: new UpstreamUnavailable() })
  }
  let text: string
  try {
    text = await readCapped(response, MAX_ANSWER_BYTES)
  } catch (error) {
    if (error instanceof UpstreamBadResponse) throw error
    throw new Retryable('body', { cause: new UpstreamUnavailable() })
  }
  if (response.status >= 500) throw new Retryable(`status ${response.status}`, { cause: new UpstreamUnavailable() })
  if (response.status >= 400) throw new UpstreamRefused()
  if (response.status < 200 || response.status >= 300) throw new UpstreamBadResponse()
  try {
    return JSON.parse(text)
  } catch {
    throw new UpstreamBadResponse()
  }
}

async function readCapped(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (declared > limit) {
    await response.body?.cancel()
    throw new UpstreamBadResponse()
  }
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      throw new UpstreamBadResponse()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
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
