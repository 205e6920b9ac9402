import type { SessionStore, StoredSession } from '../store.js'

export interface MemoryStoreOptions {
  /** Upper bound on live sessions; the least recently used one is evicted beyond it. Default 10,000. */
  maxSessions?: number
}

interface Entry {
  session: StoredSession
  expiresAt: number
}

/**
 * The embedded default: a bounded LRU with per-entry TTL, for a single process.
 * A `Map` keeps insertion order, so re-inserting on read makes its first key the LRU one.
 */
export function memoryStore(options: MemoryStoreOptions = {}): SessionStore {
  const maxSessions = options.maxSessions ?? 10_000
  if (!Number.isInteger(maxSessions) || maxSessions < 1) {
    throw new TypeError('memoryStore: maxSessions must be a positive integer')
  }
  const entries = new Map<string, Entry>()

  return {
    async get(id) {
      const entry = entries.get(id)
      if (entry === undefined) return undefined
      entries.delete(id)
      if (entry.expiresAt <= Date.now()) return undefined
      entries.set(id, entry)
      return entry.session
    },
    async set(id, session, ttlMs) {
      entries.delete(id)
      if (ttlMs <= 0) return
      entries.set(id, { session, expiresAt: Date.now() + ttlMs })
      while (entries.size > maxSessions) {
        const oldest = entries.keys().next().value as string
        entries.delete(oldest)
      }
    },
    async delete(id) {
      entries.delete(id)
    },
  }
}
