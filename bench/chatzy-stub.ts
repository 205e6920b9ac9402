/**
 * Chatzy's two endpoints as an in-process stub: an undici Dispatcher that answers at once, with
 * no socket, no HTTP parsing and no delay. Handed to the plugin as its `dispatcher`, it leaves
 * in a refresh that reaches Chatzy only what the plugin itself does (session, identify, single
 * flight, the answer's schema check, the store), which is what `upstream_ratio` measures.
 */
import { Buffer } from 'node:buffer'
import { Dispatcher } from 'undici'

const ACCESS_TTL_MS = 15 * 60_000
const REFRESH_TTL_MS = 7 * 24 * 3_600_000
const JSON_HEADERS = { 'content-type': 'application/json' }

export class ChatzyStub extends Dispatcher {
  readonly calls = { mint: 0, refresh: 0 }
  #issued = 0

  /** Unique and as long as real tokens (32 characters), without a CSPRNG call per token. */
  #token(prefix: string): string {
    return `${prefix}_${(++this.#issued).toString(36).padStart(32, '0')}`
  }

  #answer(path: string): { status: number; body: object } {
    const now = Date.now()
    if (path.endsWith('/ai_agent/refresh_token')) {
      this.calls.refresh++
      return { status: 200, body: { data: { access_token: this.#token('at'), expires_at: now + ACCESS_TTL_MS } } }
    }
    if (path.endsWith('/ai_agent/get_access_token')) {
      this.calls.mint++
      return {
        status: 200,
        body: { data: { access_token: this.#token('at'), refresh_token: this.#token('rt'), access_token_expires_at: now + ACCESS_TTL_MS, refresh_token_expires_at: now + REFRESH_TTL_MS } },
      }
    }
    return { status: 404, body: { message: 'Not Found' } }
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = new StubController()
    // Answered on the next microtask, as a pooled connection's answer would be: never inside the call.
    queueMicrotask(() => {
      handler.onRequestStart?.(controller, {})
      if (controller.aborted) return
      const { status, body } = this.#answer(options.path)
      const payload = Buffer.from(JSON.stringify(body))
      handler.onResponseStart?.(controller, status, { ...JSON_HEADERS, 'content-length': String(payload.byteLength) }, 'OK')
      if (controller.aborted) return
      handler.onResponseData?.(controller, payload)
      if (controller.aborted) return
      handler.onResponseEnd?.(controller, {})
    })
    return true
  }

  override close(): Promise<void> {
    return Promise.resolve()
  }

  override destroy(): Promise<void> {
    return Promise.resolve()
  }
}

class StubController implements Dispatcher.DispatchController {
  aborted = false
  paused = false
  reason: Error | null = null
  abort(reason: Error): void {
    this.aborted = true
    this.reason = reason
  }
  pause(): void {
    this.paused = true
  }
  resume(): void {
    this.paused = false
  }
}
