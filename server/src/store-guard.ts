import type { SessionStore, StoredSession } from './store.js'
import { StoreUnavailable } from './errors.js'

const inProcess = new WeakSet<SessionStore>()

/**
 * Marks a store that lives in this process's memory: its operations settle within the same
 * turn of the event loop and cannot hang on a network, so guarding them would only cost a
 * timer per operation.
 */
export function inProcessStore<S extends SessionStore>(store: S): S {
  inProcess.add(store)
  return store
}

/**
 * Wraps a store so that a failing or hanging one becomes 503 `CHATZY_STORE_UNAVAILABLE`
 * within a bounded time, instead of a 500 or a request that never ends.
 */
export function guardStore(store: SessionStore, timeoutMs = 2_000): SessionStore {
  if (inProcess.has(store)) return store
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
    ...(store.lock && {
      lock: async (id: string, ttlMs: number) => {
        const release = await bounded(() => store.lock!(id, ttlMs))
        // Letting go is bounded too: a flight waits on it, and every later refresh on that flight.
        return release && (() => bounded(release))
      },
    }),
  }
}
