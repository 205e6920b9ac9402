import { randomBytes } from 'node:crypto'
import type { SessionStore, StoredSession } from '../store.js'

/**
 * The few commands the store uses, in ioredis's signatures: an ioredis `Redis` or `Cluster`
 * fits, and the package's types do not depend on ioredis being installed.
 */
export interface RedisClient {
  get(key: string): Promise<string | null>
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number): Promise<unknown>
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number, xx: 'XX'): Promise<'OK' | null>
  del(key: string): Promise<number>
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>
}

export interface RedisStoreOptions {
  /**
   * An `ioredis` client (or cluster), shared with the rest of the app if you like. Recommended:
   * `new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000 })`
   * so that commands fail at once while Redis is unreachable instead of queueing, and an
   * `error` listener (see docs/scaling.md).
   */
  client: RedisClient
  /** Prepended to every key this store writes. Default `chatzy:`. */
  keyPrefix?: string
}

/**
 * Deletes the lock only if it still holds our token: a holder that outlived its TTL must not
 * free the lock another instance has taken since.
 */
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`

/**
 * ioredis attaches a failed command's arguments to its error, and a host's logger may print
 * them: for SET those are the whole session. Only the command's name is kept.
 */
function withoutArguments(error: unknown): never {
  if (typeof error === 'object' && error !== null && 'command' in error) {
    const { command } = error as { command?: { name?: unknown } }
    Object.assign(error, { command: { name: command?.name } })
  }
  throw error
}

const STRING_FIELDS = ['user_id', 'chatbot_id', 'access_token', 'refresh_token'] as const
const NUMBER_FIELDS = ['access_expires_at', 'refresh_expires_at', 'upstream_at'] as const

/** Whatever is under our key is only trusted as a session if it has exactly the session's shape. */
function toSession(raw: string): StoredSession | undefined {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  if (!STRING_FIELDS.every((field) => typeof record[field] === 'string')) return undefined
  if (!NUMBER_FIELDS.every((field) => typeof record[field] === 'number')) return undefined
  return Object.fromEntries([...STRING_FIELDS, ...NUMBER_FIELDS].map((field) => [field, record[field]])) as unknown as StoredSession
}

/**
 * Sessions in Redis, for several app instances behind one load balancer: one key per session
 * (`{prefix}session:{id}`, JSON, expiring with the session), plus a short-lived lock key per
 * session (`{prefix}lock:{id}`) so that only one instance refreshes a session upstream at a time.
 * Every command touches exactly one key, so it works on Redis Cluster as well.
 */
export function redisStore(options: RedisStoreOptions): SessionStore {
  const { client } = options
  const prefix = options.keyPrefix ?? 'chatzy:'
  if (client === null || typeof client !== 'object' || typeof client.get !== 'function') {
    throw new TypeError('redisStore: client must be an ioredis client')
  }
  const sessionKey = (id: string) => `${prefix}session:${id}`
  const lockKey = (id: string) => `${prefix}lock:${id}`

  return {
    async get(id) {
      const raw = await client.get(sessionKey(id)).catch(withoutArguments)
      return raw === null ? undefined : toSession(raw)
    },

    async set(id, session, ttlMs) {
      const ttl = Math.ceil(ttlMs)
      if (!(ttl > 0)) {
        await client.del(sessionKey(id)).catch(withoutArguments)
        return
      }
      await client.set(sessionKey(id), JSON.stringify(session), 'PX', ttl).catch(withoutArguments)
    },

    async replace(id, session, ttlMs) {
      const ttl = Math.ceil(ttlMs)
      // No life left: gone, as with set.
      if (!(ttl > 0)) return (await client.del(sessionKey(id)).catch(withoutArguments)) > 0
      // SET … XX: written only over a session that is still there, in one command.
      return (await client.set(sessionKey(id), JSON.stringify(session), 'PX', ttl, 'XX').catch(withoutArguments)) === 'OK'
    },

    async delete(id) {
      await client.del(sessionKey(id)).catch(withoutArguments)
    },

    async lock(id, ttlMs) {
      const key = lockKey(id)
      const token = randomBytes(16).toString('base64url')
      const taken = await client.set(key, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX').catch(withoutArguments)
      if (taken !== 'OK') return undefined
      return async () => {
        await client.eval(RELEASE_LOCK, 1, key, token).catch(withoutArguments)
      }
    },
  }
}
