/** Where one chatbot's circuit breaker stands. */
export type BreakerState = 'closed' | 'open' | 'half-open'

/**
 * A circuit breaker for one chatbot. It opens after failed operations of `threshold` distinct
 * users in a row (no success in between), fails fast for `cooldownMs`, then lets one probe
 * through; the probe's outcome closes or re-opens it.
 *
 * Distinct users, because the breaker speaks for everyone: one user whose calls keep failing
 * (or who keeps making them fail) is that user's problem, already bounded by `mintLimit` and
 * the per-session floor, and must not shut the others out. When Chatzy itself is down, every
 * user fails and the breaker opens after `threshold` of them.
 */
export function createBreaker(threshold: number, cooldownMs: number) {
  /** Users whose operations failed since the last success (never more than `threshold`). */
  const failing = new Set<string>()
  let openUntil = 0
  let tripped = false
  let probing = false

  function trip() {
    tripped = true
    probing = false
    openUntil = Date.now() + cooldownMs
  }

  return {
    /** May an operation go upstream now? In half-open, only the one probe may. */
    allow(): boolean {
      if (!tripped) return true
      if (Date.now() < openUntil || probing) return false
      probing = true
      return true
    },
    success() {
      failing.clear()
      tripped = false
      probing = false
    },
    failure(user: string) {
      // A failed probe re-opens it, whoever made it: Chatzy is still down for this chatbot.
      if (tripped) return trip()
      if (failing.size < threshold) failing.add(user)
      if (failing.size >= threshold) trip()
    },
    /** An operation that let go of its probe without an outcome (back-pressure): another may probe. */
    release() {
      probing = false
    },
    get state(): BreakerState {
      if (!tripped) return 'closed'
      return Date.now() < openUntil ? 'open' : 'half-open'
    },
  }
}

export type Breaker = ReturnType<typeof createBreaker>
