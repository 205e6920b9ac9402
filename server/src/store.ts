/** What the plugin keeps for one browser session. Only ever lives on the server. */
export interface StoredSession {
  user_id: string
  chatbot_id: string
  access_token: string
  /** Epoch ms, Chatzy's clock. */
  access_expires_at: number
  /** The refresh token; sealed (`v1.…`) when the plugin has an `encryptionKey`. */
  refresh_token: string
  /** Epoch ms, Chatzy's clock: the session cannot outlive it. */
  refresh_expires_at: number
  /** Epoch ms of the last upstream call made for this session (mint or refresh). */
  upstream_at: number
}

/**
 * Where sessions live. Every method may reject (a store that is down); the plugin turns that
 * into 503 `CHATZY_STORE_UNAVAILABLE`.
 */
export interface SessionStore {
  get(id: string): Promise<StoredSession | undefined>
  /** Stores the session; it must disappear by itself after `ttlMs`. */
  set(id: string, session: StoredSession, ttlMs: number): Promise<void>
  delete(id: string): Promise<void>
  /**
   * Optional, and worth having: stores the session only if one is stored under `id` now, in
   * one atomic step, and resolves whether it did. The plugin saves a refreshed token with it,
   * so that a sign-out landing at that moment (on another instance, say) stays a sign-out.
   * Without it the plugin reads, then writes, and a sign-out between the two is undone: the
   * session lives on (for whoever holds its cookie) until its TTL.
   */
  replace?(id: string, session: StoredSession, ttlMs: number): Promise<boolean>
  /**
   * Optional, for stores shared by several app instances: a short exclusive lock on one
   * session around its upstream refresh. Resolves to a release function when taken, or to
   * undefined when another holder has it (the caller then waits for the stored result).
   */
  lock?(id: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>
  /**
   * Optional, for `mintLimit`: counts one more event under `key` in a sliding window of the last
   * `windowMs`, unless `max` events are in it already (then nothing is counted), in one atomic
   * step, so that every instance sharing the store shares the count. Resolves the count in the
   * window (this event included, counted or not) and the ms until the oldest event in it leaves
   * the window. Without it each process counts on its own. (A store written for 0.2 counts in a
   * fixed window and ignores `max`: it still works, with that window's looser edge.)
   */
  hit?(key: string, windowMs: number, max?: number): Promise<WindowCount>
  /**
   * Optional, for `sessionsPerUser`: records `id` as the most recently used session of `user`
   * (living until `expiresAt`, epoch ms; `user` is the user's key for one chatbot), and in the
   * same atomic step takes that user's least recently used sessions beyond `max` off the record,
   * resolving their ids (the plugin then deletes them). `id` itself is never among them. Without
   * it each process keeps its own record.
   */
  addUserSession?(user: string, id: string, expiresAt: number, max: number): Promise<string[]>
}

/** A window's count so far, and the ms until its oldest event leaves it. */
export interface WindowCount {
  count: number
  resetInMs: number
}

const STRING_FIELDS = ['user_id', 'chatbot_id', 'access_token', 'refresh_token'] as const
const NUMBER_FIELDS = ['access_expires_at', 'refresh_expires_at', 'upstream_at'] as const

/** `value` as a session when it has exactly a session's shape (extra fields dropped), otherwise undefined. */
export function asStoredSession(value: unknown): StoredSession | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  if (!STRING_FIELDS.every((field) => typeof record[field] === 'string')) return undefined
  if (!NUMBER_FIELDS.every((field) => typeof record[field] === 'number')) return undefined
  return Object.fromEntries([...STRING_FIELDS, ...NUMBER_FIELDS].map((field) => [field, record[field]])) as unknown as StoredSession
}
