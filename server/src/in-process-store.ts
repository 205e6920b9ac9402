import type { SessionStore, StoredSession } from './store.js'

/** A store's synchronous read: the live session under an id, or undefined. */
export type ReadNow = (id: string) => StoredSession | undefined

const readers = new WeakMap<SessionStore, ReadNow>()

/**
 * Marks a store that lives in this process's memory, with its synchronous read. Its
 * operations settle within the same turn of the event loop and cannot hang on a network, so
 * guarding them would only cost a timer per operation; and the plugin's hot path (a token
 * that can be handed out again) can read it without a single await.
 */
export function inProcessStore<S extends SessionStore>(store: S, readNow: ReadNow): S {
  readers.set(store, readNow)
  return store
}

/** The synchronous read of a store marked by `inProcessStore`, or undefined for any other store. */
export function readNowOf(store: SessionStore): ReadNow | undefined {
  return readers.get(store)
}
