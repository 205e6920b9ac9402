import type { WindowCount } from './store.js'

/**
 * Fixed-window counters kept in this process: `memoryStore`'s `hit`, and the fallback for a
 * store without one. Bounded: a window is dropped once it closes, and past `maxKeys` open
 * windows the oldest goes first.
 */
export function windowCounter(maxKeys = 100_000) {
  // Insertion order is opening order: with one window length, the first ones close first.
  const windows = new Map<string, { count: number; closesAt: number }>()
  return {
    hit(key: string, windowMs: number): WindowCount {
      const now = Date.now()
      let window = windows.get(key)
      if (window === undefined || window.closesAt <= now) {
        windows.delete(key)
        for (const [open, { closesAt }] of windows) {
          if (closesAt > now && windows.size < maxKeys) break
          windows.delete(open)
        }
        window = { count: 0, closesAt: now + windowMs }
        windows.set(key, window)
      }
      window.count++
      return { count: window.count, resetInMs: window.closesAt - now }
    },
  }
}

/**
 * Each user's sessions, oldest first, kept in this process: `memoryStore`'s `addUserSession`,
 * and the fallback for a store without one. `isLive` (when the store can say at once) lets
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
