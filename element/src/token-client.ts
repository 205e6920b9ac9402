import type { ErrorAnswer, RefreshAnswer, SessionAnswer } from '../../contract/wire.js'
import type { ChatzyErrorCode } from './events.js'

/** A failed call to the plugin, classified for `chatzy-error`. */
export class TokenError extends Error {
  constructor(readonly code: ChatzyErrorCode, readonly retryable: boolean, message: string, readonly status = 0) {
    super(message)
  }
}

/**
 * The element's side of the plugin's routes. The refresh is single-flight: every ask that
 * arrives while one is in flight shares its answer.
 */
export class TokenClient {
  #inflight: Promise<RefreshAnswer> | undefined

  constructor(readonly endpoint: string) {}

  session(chatbotId: string, signal?: AbortSignal): Promise<SessionAnswer> {
    return this.#call<SessionAnswer>('POST', '/session', { chatbot_id: chatbotId }, signal)
  }

  refresh(expiresAt: number | undefined, signal?: AbortSignal): Promise<RefreshAnswer> {
    this.#inflight ??= this.#call<RefreshAnswer>('POST', '/refresh', expiresAt ? { expires_at: expiresAt } : {}, signal)
      .finally(() => { this.#inflight = undefined })
    return this.#inflight
  }

  end(): Promise<unknown> {
    return this.#call('DELETE', '/session', {})
  }

  async #call<T>(method: string, path: string, body: object, signal?: AbortSignal): Promise<T> {
    let response: Response
    try {
      response = await fetch(this.endpoint.replace(/\/+$/, '') + path, {
        method,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1' },
        body: JSON.stringify(body),
        signal: signal ?? null,
      })
    } catch (error) {
      if (signal?.aborted) throw error
      throw new TokenError('network', true, 'The server could not be reached')
    }
    if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T
    const answer = (await response.json().catch(() => undefined)) as Partial<ErrorAnswer> | undefined
    const message = answer?.message ?? `HTTP ${response.status}`
    if (response.status === 401) {
      const code = answer?.code === 'CHATZY_UNAUTHENTICATED' ? 'unauthenticated' : 'session-expired'
      throw new TokenError(code, false, message, 401)
    }
    if (response.status >= 500) throw new TokenError('server', true, message, response.status)
    throw new TokenError('config', false, message, response.status)
  }
}
