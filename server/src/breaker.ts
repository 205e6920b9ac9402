/** Where one chatbot's circuit breaker stands. */
export type BreakerState = 'closed' | 'open' | 'half-open'

export interface BreakerOptions {
  /** Failed operations of this many distinct users, with no success since they began, open it. */
  threshold: number
  /** How long it fails fast once open, before one probe goes through. */
  cooldownMs: number
  /** The sliding window over which the share of failing users is measured. */
  windowMs?: number
  /** Users with an outcome in the window before the share counts (a few calls prove nothing). */
  minimumUsers?: number
  /** The share of those users whose latest operation failed that opens it. */
  failureShare?: number
  /** The clock (ms), for tests. */
  now?: () => number
}

/**
 * One operation's pass through the breaker, taken at `allow()`. It carries the breaker's
 * generation then: an outcome of another generation (the call began before the breaker opened,
 * or before it closed again) is stale and moves nothing.
 */
export interface BreakerTicket {
  readonly user: string
  readonly generation: number
  /** The half-open breaker's single probe: only its outcome closes or re-opens it. */
  readonly probe: boolean
  /** Successes counted when the operation began: one since then means Chatzy answered meanwhile. */
  readonly successesBefore: number
  settled: boolean
}

/** Users remembered in the window at most: past it the oldest are forgotten (memory stays bounded). */
const MAX_WINDOW_USERS = 10_000

/**
 * A circuit breaker for one chatbot, with two ways to open, both counting users rather than
 * calls (one user whose calls keep failing, or who keeps making them fail, is that user's
 * problem, already bounded by `mintLimit` and the per-session floor):
 *
 * - An outage: failed operations of `threshold` distinct users, none of which saw a success
 *   finish after it began. When Chatzy is down every call fails and this opens it after
 *   `threshold` users. When it fails one call in ten, the failures that end together (hung
 *   calls timing out at once) began before the successes that finished meanwhile, so they prove
 *   nothing about an outage and do not count.
 * - A failure share, as opossum's error percentage or resilience4j's sliding window: over the
 *   last `windowMs`, at least `minimumUsers` users had an outcome and `failureShare` of them
 *   (and at least `threshold`) saw their latest operation fail.
 *
 * Open, it fails fast for `cooldownMs`, then lets one probe through; only the probe's outcome
 * closes or re-opens it. Outcomes of operations from another generation are ignored.
 */
export function createBreaker(options: BreakerOptions) {
  const { threshold, cooldownMs } = options
  const windowMs = options.windowMs ?? 10_000
  const minimumUsers = Math.max(options.minimumUsers ?? 20, threshold)
  const failureShare = options.failureShare ?? 0.5
  const now = options.now ?? Date.now

  let generation = 0
  let tripped = false
  let openUntil = 0
  /** The probe's ticket while one is out. */
  let probe: BreakerTicket | undefined
  let successes = 0
  /** Users whose failed operations count toward an outage (never more than `threshold`). */
  const failing = new Set<string>()
  /** Each user's latest outcome in the window, oldest first. */
  const latest = new Map<string, { at: number; failed: boolean }>()
  let failedInWindow = 0

  function forget(user: string) {
    const outcome = latest.get(user)
    if (outcome === undefined) return
    latest.delete(user)
    if (outcome.failed) failedInWindow--
  }

  function record(user: string, failed: boolean) {
    const at = now()
    forget(user)
    latest.set(user, { at, failed })
    if (failed) failedInWindow++
    for (const [oldest, outcome] of latest) {
      if (at - outcome.at < windowMs && latest.size <= MAX_WINDOW_USERS) break
      forget(oldest)
    }
  }

  /** A new generation: every operation in flight is now stale. */
  function change(open: boolean) {
    generation++
    tripped = open
    openUntil = open ? now() + cooldownMs : 0
    probe = undefined
    failing.clear()
    latest.clear()
    failedInWindow = 0
  }

  const current = (ticket: BreakerTicket) => !ticket.settled && ticket.generation === generation

  return {
    /** A pass for an operation of `user`, or undefined to fail fast. In half-open, only one probe gets one. */
    allow(user: string): BreakerTicket | undefined {
      if (tripped && (now() < openUntil || probe !== undefined)) return undefined
      const ticket: BreakerTicket = { user, generation, probe: tripped, successesBefore: successes, settled: false }
      if (tripped) probe = ticket
      return ticket
    },
    /** Chatzy answered (a token, or a refusal: it is up). */
    success(ticket: BreakerTicket) {
      if (!current(ticket)) return
      ticket.settled = true
      if (ticket.probe) return change(false)
      successes++
      failing.clear()
      record(ticket.user, false)
    },
    /** The operation failed (5xx, network, timeout), its retries included. */
    failure(ticket: BreakerTicket) {
      if (!current(ticket)) return
      ticket.settled = true
      // A failed probe re-opens it: Chatzy is still down for this chatbot.
      if (ticket.probe) return change(true)
      record(ticket.user, true)
      // A success finished while this operation was under way: Chatzy was answering.
      if (successes === ticket.successesBefore && failing.size < threshold) failing.add(ticket.user)
      const share = latest.size >= minimumUsers && failedInWindow >= threshold && failedInWindow >= failureShare * latest.size
      if (failing.size >= threshold || share) change(true)
    },
    /** The operation ended with no outcome (back-pressure): if it was the probe, another may probe. */
    release(ticket: BreakerTicket) {
      if (!current(ticket)) return
      ticket.settled = true
      if (ticket === probe) probe = undefined
    },
    get state(): BreakerState {
      if (!tripped) return 'closed'
      return now() < openUntil ? 'open' : 'half-open'
    },
  }
}

export type Breaker = ReturnType<typeof createBreaker>
