import type { SessionStore } from './store.js'
import { rateLimited } from './retry-after.js'
import { userSessionIndex, windowCounter } from './in-process-limits.js'

export interface MintLimit {
  /** Mints allowed per user id in one window. */
  max: number
  windowMs: number
}

export interface UserLimitsOptions {
  mintLimit: MintLimit
  sessionsPerUser: number
}

/**
 * The per-user limits: mints per window (`mintLimit`) and live sessions (`sessionsPerUser`).
 * Counted in the store when it can (shared by every instance), otherwise in this process.
 */
export function userLimits(store: SessionStore, options: UserLimitsOptions) {
  const { mintLimit, sessionsPerUser } = options
  const counter = store.hit === undefined ? windowCounter() : undefined
  const index = store.addUserSession === undefined ? userSessionIndex() : undefined

  const hit = (key: string, windowMs: number) => counter?.hit(key, windowMs) ?? store.hit!(key, windowMs)

  return {
    /** What a store without the methods loses: each instance then counts on its own. */
    perProcess: [...(counter ? ['hit'] : []), ...(index ? ['addUserSession'] : [])],

    /** Counts one mint for `user`: 429 `CHATZY_RATE_LIMITED`, with when to come back, past `mintLimit`. */
    async admitMint(user: string): Promise<void> {
      const { count, resetInMs } = await hit(`mint:${user}`, mintLimit.windowMs)
      if (count > mintLimit.max) throw rateLimited(resetInMs)
    },

    /** Records a new session of `user`; resolves the ids of that user's oldest sessions past `sessionsPerUser`, to end. */
    addSession(user: string, id: string, expiresAt: number): Promise<string[]> | string[] {
      return index?.add(user, id, expiresAt, sessionsPerUser) ?? store.addUserSession!(user, id, expiresAt, sessionsPerUser)
    },
  }
}

export type UserLimits = ReturnType<typeof userLimits>
