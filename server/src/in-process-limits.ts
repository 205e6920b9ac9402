import type { WindowCount } from './store.js'

/**
 * Sliding-window counters kept in this process: `memoryStore`'s `hit`, and the fallback for a
 * store without one. Each key keeps the times of its counted events in the last window (at
 * most `max` of them), so no two windows' worth can pass across a window's edge. Bounded:
 * keys whose events have all left their window go first; past `maxKeys` live keys, the one
 * least recently counted goes.
 */
export function slidingCounter(maxKeys = 100_000) {
  // Map order is order of last count: the first keys are the ones idle longest.
  const events = new Map<string, number[]>()
  return {
    hit(key: string, windowMs: number, max = Infinity): WindowCount {
      const now = Date.now()
      const times = (events.get(key) ?? []).filter((at) => at > now - windowMs)
      events.delete(key)
      const counted = times.length < max
      if (counted) times.push(now)
      events.set(key, times)
      for (const [idle, held] of events) {
        if (events.size <= maxKeys && held.at(-1)! > now - windowMs) break
        events.delete(idle)
      }
      // Over the limit, the next event is counted once the oldest one leaves the window.
      return { count: counted ? times.length : times.length + 1, resetInMs: times[0]! + windowMs - now }
    },
  }
}

/**
 * Each user's sessions, least recently used first, kept in this process: `memoryStore`'s
 * `addUserSession`, and the fallback for a store without one. `isLive` (when the store can say at once) lets
 * sessions that ended otherwise drop out; past `maxUsers` users the least recent one goes.
 */
export function userSessionIndex(maxUsers = 100_000, isLive: (id: string) => boolean = () => true) {
  const byUser = new Map<string, Map<string, number>>()
  return {
    add(user: string, id: string, expiresAt: number, max: number): string[] {
      const now = Date.now()
      const sessions = byUser.get(user) ?? new Map<string, number>()
      byUser.delete(user)
      for (const [known, until] of sessions) if (until <= now || !isLive(known)) sessions.delete(known)
      sessions.delete(id)
      sessions.set(id, expiresAt)
      const ended: string[] = []
      for (const oldest of sessions.keys()) {
        if (sessions.size <= max) break
        sessions.delete(oldest)
        ended.push(oldest)
      }
      byUser.set(user, sessions)
      for (const least of byUser.keys()) {
        if (byUser.size <= maxUsers) break
        byUser.delete(least)
      }
      return ended
    },
  }
}
