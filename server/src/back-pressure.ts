export interface BackPressureOptions {
  /** Distinct users throttled within `windowMs` before everyone waits. */
  users?: number
  windowMs?: number
  /** The clock (ms), for tests. */
  now?: () => number
}

/** Users remembered at most: past it the ones whose wait ends first are forgotten. */
const MAX_USERS = 10_000

/**
 * Chatzy's "later" (a 429, or a 503 with `Retry-After`), honoured. Chatzy documents no rate
 * limit, so whether its throttle is per user or per API key is unknown: one user's throttle
 * slows that user only, and once `users` distinct users were throttled within `windowMs` it is
 * the API key's, and everyone waits it out. One user who keeps getting throttled (or keeps
 * asking to be) never makes the others wait.
 */
export function createBackPressure(options: BackPressureOptions = {}) {
  const users = options.users ?? 3
  const windowMs = options.windowMs ?? 10_000
  const now = options.now ?? Date.now
  /** Until when each throttled user waits (a wait that has passed is dropped when seen). */
  const waits = new Map<string, number>()
  /** When each user was last throttled, within the window, oldest first. */
  const sightings = new Map<string, number>()
  let everyoneUntil = 0

  return {
    /** Chatzy throttled `user`, asking for `retryAfterMs` (undefined: it did not say how long). */
    throttle(user: string, retryAfterMs: number | undefined) {
      const at = now()
      const until = at + (retryAfterMs ?? 0)
      const before = waits.get(user) ?? 0
      waits.delete(user)
      waits.set(user, Math.max(until, before))
      for (const [oldest, wait] of waits) {
        if (wait > at && waits.size <= MAX_USERS) break
        waits.delete(oldest)
      }
      sightings.delete(user)
      sightings.set(user, at)
      for (const [oldest, seen] of sightings) {
        if (at - seen < windowMs && sightings.size <= MAX_USERS) break
        sightings.delete(oldest)
      }
      if (sightings.size >= users) everyoneUntil = Math.max(everyoneUntil, until)
    },
    /** How long `user` must wait before asking Chatzy again (0: not at all). */
    waitFor(user: string): number {
      const at = now()
      const own = waits.get(user) ?? 0
      if (own !== 0 && own <= at) waits.delete(user)
      return Math.max(0, everyoneUntil - at, own - at)
    },
  }
}

export type BackPressure = ReturnType<typeof createBackPressure>
