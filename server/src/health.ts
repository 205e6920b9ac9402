import type { BreakerState } from './breaker.js'
import type { SessionStore } from './store.js'

/** What `fastify.chatzy.health()` reports. */
export interface ChatzyHealth {
  /** Whether this instance can serve sessions now: its store answered. The answer for a readiness probe. */
  ready: boolean
  store: {
    /** The store answered a read within its bound (2 seconds). */
    reachable: boolean
  }
  /**
   * Each allowed chatbot's circuit breaker: `closed` (calls go to Chatzy), `open` (Chatzy kept
   * failing for it: calls fail fast with 503 until the cooldown ends), `half-open` (one probe
   * call decides). Shared by nothing: each instance has its own.
   */
  breakers: Record<string, BreakerState>
}

/**
 * A session id no session can have (real ones are 43 base64url characters): reading it asks the
 * store a real question, and never finds anything.
 */
const PROBE_ID = 'health-probe'

/** `health()`: one read of the store (bounded, like every store operation), and the breakers as they stand. */
export function healthCheck(store: SessionStore, breakerStates: () => Record<string, BreakerState>) {
  return async function health(): Promise<ChatzyHealth> {
    const reachable = await store.get(PROBE_ID).then(() => true, () => false)
    return { ready: reachable, store: { reachable }, breakers: breakerStates() }
  }
}
