import type { SessionStore } from './store.js'
import { rateLimited } from './retry-after.js'
import { userSessionIndex, slidingCounter } from './in-process-limits.js'

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
 * The per-user limits, each counted per user and chatbot: mints in any window of `windowMs`
 * (`mintLimit`) and live sessions (`sessionsPerUser`). Counted in the store when it can (shared
 * by every instance), otherwise in this process.
 */
export function userLimits(store: SessionStore, options: UserLimitsOptions) {
  const { mintLimit, sessionsPerUser } = options
  const counter = store.hit === undefined ? slidingCounter() : undefined
  const index = store.addUserSession === undefined ? userSessionIndex() : undefined

  const hit = (key: string) => counter?.hit(key, mintLimit.windowMs, mintLimit.max) ?? store.hit!(key, mintLimit.windowMs, mintLimit.max)

  return {
    /** What a store without the methods loses: each instance then counts on its own. */
    perProcess: [...(counter ? ['hit'] : []), ...(index ? ['addUserSession'] : [])],

    /** Counts one mint for `user` and `chatbot`: 429 `CHATZY_RATE_LIMITED`, with when to come back, past `mintLimit`. */
    async admitMint(user: string, chatbot: string): Promise<void> {
      const { count, resetInMs } = await hit(`mint:${perChatbot(user, chatbot)}`)
      if (count > mintLimit.max) throw rateLimited(resetInMs)
    },

    /**
     * Records a use of a session of `user` and `chatbot` (a new one, a page load, a refresh);
     * resolves the ids of that user's least recently used sessions of the chatbot past
     * `sessionsPerUser`, to end.
     */
    addSession(user: string, chatbot: string, id: string, expiresAt: number): Promise<string[]> | string[] {
      const key = perChatbot(user, chatbot)
      return index?.add(key, id, expiresAt, sessionsPerUser) ?? store.addUserSession!(key, id, expiresAt, sessionsPerUser)
    },
  }
}

export type UserLimits = ReturnType<typeof userLimits>

/**
 * A user's key for one chatbot. Chatbot ids are uuids (checked at registration), so the last
 * colon always separates them from a user id, whatever that holds.
 */
function perChatbot(user: string, chatbot: string): string {
  return `${user}:${chatbot}`
}
