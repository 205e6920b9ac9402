import type { SessionStore, StoredSession } from '../store.js'
import { inProcessStore } from '../in-process-store.js'
import { userSessionIndex, slidingCounter } from '../in-process-limits.js'

export interface MemoryStoreOptions {
  /** Upper bound on live sessions; the least recently used one is evicted beyond it. Default 10,000. */
  maxSessions?: number
}

/** The embedded store; `size` counts the sessions it holds (expired ones not yet swept included). */
export interface MemoryStore extends SessionStore {
  readonly size: number
}

interface Entry {
  session: StoredSession
  expiresAt: number
}

/** How often a write may sweep expired entries that nobody reads any more. */
const SWEEP_EVERY_MS = 60_000

/**
 * The embedded default: a bounded LRU with per-entry TTL, for a single process.
 * A `Map` keeps insertion order, so re-inserting on read makes its first key the LRU one.
 * Memory stays bounded by `maxSessions` whatever happens; expired sessions are never returned,
 * and are dropped when read or by a sweep that rides on writes (no timer keeps the process up).
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxSessions = options.maxSessions ?? 10_000
  if (!Number.isInteger(maxSessions) || maxSessions < 1) {
    throw new TypeError('memoryStore: maxSessions must be a positive integer')
  }
  const entries = new Map<string, Entry>()
  // Mint counts outnumber sessions (each session took at least one mint, and mints go on while
  // the LRU ends sessions), so they get room for ten times as many: a user's count must not be
  // forgotten because others filled the store, or its limit could be walked around.
  const counter = slidingCounter(maxSessions * 10)
  const users = userSessionIndex(maxSessions, (id) => (entries.get(id)?.expiresAt ?? 0) > Date.now())
  let nextSweep = Date.now() + SWEEP_EVERY_MS

  function sweep(now: number) {
    if (now < nextSweep) return
    nextSweep = now + SWEEP_EVERY_MS
    for (const [id, entry] of entries) if (entry.expiresAt <= now) entries.delete(id)
  }

  function put(id: string, session: StoredSession, ttlMs: number) {
    const now = Date.now()
    entries.delete(id)
    sweep(now)
    if (!(ttlMs > 0)) return
    entries.set(id, { session, expiresAt: now + ttlMs })
    while (entries.size > maxSessions) {
      const oldest = entries.keys().next().value as string
      entries.delete(oldest)
    }
  }

  /** A read makes the session the most recently used one; an expired one is dropped. */
  function read(id: string): StoredSession | undefined {
    const entry = entries.get(id)
    if (entry === undefined) return undefined
    entries.delete(id)
    if (entry.expiresAt <= Date.now()) return undefined
    entries.set(id, entry)
    return entry.session
  }

  return inProcessStore({
    get size() {
      return entries.size
    },
    async get(id) {
      return read(id)
    },
    async set(id, session, ttlMs) {
      put(id, session, ttlMs)
    },
    async replace(id, session, ttlMs) {
      const entry = entries.get(id)
      if (entry === undefined || entry.expiresAt <= Date.now()) return false
      put(id, session, ttlMs)
      return true
    },
    async delete(id) {
      entries.delete(id)
    },
    async hit(key, windowMs, max) {
      return counter.hit(key, windowMs, max)
    },
    async addUserSession(user, id, expiresAt, max) {
      return users.add(user, id, expiresAt, max)
    },
  }, read)
}
