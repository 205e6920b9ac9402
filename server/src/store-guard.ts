import type { SessionStore, StoredSession } from './store.js'
import { StoreUnavailable } from './errors.js'
import { readNowOf } from './in-process-store.js'

/**
 * Wraps a store so that a failing or hanging one becomes 503 `CHATZY_STORE_UNAVAILABLE`
 * within a bounded time, instead of a 500 or a request that never ends. A store in this
 * process's memory (see `inProcessStore`) cannot hang, and is used as is.
 */
export function guardStore(store: SessionStore, timeoutMs = 2_000): SessionStore {
  if (readNowOf(store) !== undefined) return store
  function bounded<T>(operation: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StoreUnavailable()), timeoutMs)
      Promise.resolve().then(operation).then(
        (value) => { clearTimeout(timer); resolve(value) },
        (error: unknown) => { clearTimeout(timer); reject(new StoreUnavailable({ cause: error })) },
      )
    })
  }
  return {
    get: (id) => bounded(() => store.get(id)),
    set: (id, session, ttlMs) => bounded(() => store.set(id, session, ttlMs)),
    delete: (id) => bounded(() => store.delete(id)),
    ...(store.replace && { replace: (id: string, session: StoredSession, ttlMs: number) => bounded(() => store.replace!(id, session, ttlMs)) }),
    ...(store.hit && { hit: (key: string, windowMs: number, max?: number) => bounded(() => store.hit!(key, windowMs, max)) }),
    ...(store.addUserSession && {
      addUserSession: (user: string, id: string, expiresAt: number, max: number) => bounded(() => store.addUserSession!(user, id, expiresAt, max)),
    }),
    ...(store.lock && {
      lock: async (id: string, ttlMs: number) => {
        const release = await bounded(() => store.lock!(id, ttlMs))
        // Letting go is bounded too: a flight waits on it, and every later refresh on that flight.
        return release && (() => bounded(release))
      },
    }),
  }
}
