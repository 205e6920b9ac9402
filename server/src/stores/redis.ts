import { randomBytes } from 'node:crypto'
import { asStoredSession, type SessionStore, type StoredSession } from '../store.js'

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
 * One more event in a fixed window: INCR, and the window's TTL set with the first event (or
 * again, should a key ever be left without one), in one atomic step. Answers { count, ms left }.
 */
const HIT = `local count = redis.call('incr', KEYS[1])
local ttl = redis.call('pttl', KEYS[1])
if ttl < 0 then redis.call('pexpire', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return { count, ttl }`

/**
 * A user's sessions in a sorted set scored by expiry (all live as long as a refresh token, so
 * the lowest score is the oldest session). In one atomic step: drop the expired, add the new
 * one, take the oldest beyond the maximum off and answer their ids, and let the set expire
 * with its last session. The session being added is never among them: mints that run at once
 * may carry expiries in another order than they reach this script, and the one that just
 * arrived must not end itself, unindexed and alive.
 */
const ADD_USER_SESSION = `redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[4])
redis.call('zadd', KEYS[1], ARGV[2], ARGV[1])
local over = redis.call('zcard', KEYS[1]) - tonumber(ARGV[3])
local ended = {}
if over > 0 then
  for _, old in ipairs(redis.call('zrange', KEYS[1], 0, over)) do
    if old ~= ARGV[1] and #ended < over then ended[#ended + 1] = old end
  end
  if #ended > 0 then redis.call('zrem', KEYS[1], unpack(ended)) end
end
local last = redis.call('zrange', KEYS[1], -1, -1, 'withscores')
redis.call('pexpireat', KEYS[1], last[2])
return ended`

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

/** Whatever is under our key is only trusted as a session if it has exactly the session's shape. */
function toSession(raw: string): StoredSession | undefined {
  try {
    return asStoredSession(JSON.parse(raw))
  } catch {
    return undefined
  }
}

/**
 * Sessions in Redis, for several app instances behind one load balancer: one key per session
 * (`{prefix}session:{id}`, JSON, expiring with the session), plus a short-lived lock key per
 * session (`{prefix}lock:{id}`) so that only one instance refreshes a session upstream at a time.
 * Per user: a mint counter (`{prefix}limit:mint:{user}`, expiring with its window) and the
 * user's session ids (`{prefix}user:{user}`, a sorted set expiring with its last session).
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
  const limitKey = (key: string) => `${prefix}limit:${key}`
  const userKey = (user: string) => `${prefix}user:${user}`

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

    async hit(key, windowMs) {
      const answer = await client.eval(HIT, 1, limitKey(key), String(Math.max(1, Math.ceil(windowMs)))).catch(withoutArguments)
      const [count, ttl] = Array.isArray(answer) ? answer.map(Number) : []
      if (!Number.isInteger(count) || !Number.isFinite(ttl)) throw new TypeError('redisStore: unexpected answer to a rate-limit count')
      return { count: count!, resetInMs: ttl! }
    },

    async addUserSession(user, id, expiresAt, max) {
      const args = [id, String(Math.ceil(expiresAt)), String(max), String(Date.now())]
      const ended = await client.eval(ADD_USER_SESSION, 1, userKey(user), ...args).catch(withoutArguments)
      return Array.isArray(ended) ? ended.filter((value): value is string => typeof value === 'string') : []
    },
  }
}
