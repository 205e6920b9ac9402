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
 * One more event in a sliding window: a sorted set of the events' times (at most `max` of
 * them), the ones older than the window dropped, the new one added unless `max` are there
 * already, and the set expiring with its newest event's window, in one atomic step. Answers
 * { count, ms until the oldest event leaves the window }. ARGV: now, windowMs, max, member.
 */
const HIT = `local now, window, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('zremrangebyscore', KEYS[1], '-inf', now - window)
local count = redis.call('zcard', KEYS[1])
if count < max then
  redis.call('zadd', KEYS[1], now, ARGV[4])
  redis.call('pexpire', KEYS[1], window)
end
local oldest = redis.call('zrange', KEYS[1], 0, 0, 'withscores')
return { count + 1, tonumber(oldest[2]) + window - now }`

/**
 * A user's sessions (of one chatbot) in a sorted set scored by last use, each member
 * `{expiresAt}:{id}`. In one atomic step: drop the expired and the session's own old entry,
 * add it as used now, take the least recently used beyond the maximum off and answer their
 * ids, and let the set expire with its longest-lived session. The set holds at most `max`
 * live members, so reading it whole is cheap. The session being added is never among the ended.
 * ARGV: id, expiresAt, max, now.
 */
const ADD_USER_SESSION = `local id, now = ARGV[1], tonumber(ARGV[4])
-- Kept as the string it came in: a Lua number prints as 1.7e+12, which PEXPIREAT refuses.
local last = ARGV[2]
for _, member in ipairs(redis.call('zrange', KEYS[1], 0, -1)) do
  local sep = string.find(member, ':', 1, true)
  local expires = tonumber(string.sub(member, 1, sep - 1))
  if expires == nil or expires <= now or string.sub(member, sep + 1) == id then
    redis.call('zrem', KEYS[1], member)
  elseif expires > tonumber(last) then
    last = string.sub(member, 1, sep - 1)
  end
end
-- Uses within one millisecond keep their order: each scores above the latest before it.
local score = now
local latest = redis.call('zrange', KEYS[1], -1, -1, 'withscores')
if latest[2] ~= nil and tonumber(latest[2]) >= score then score = tonumber(latest[2]) + 0.001 end
redis.call('zadd', KEYS[1], string.format('%.3f', score), ARGV[2] .. ':' .. id)
local over = redis.call('zcard', KEYS[1]) - tonumber(ARGV[3])
local ended = {}
if over > 0 then
  for _, member in ipairs(redis.call('zrange', KEYS[1], 0, over)) do
    local sep = string.find(member, ':', 1, true)
    if string.sub(member, sep + 1) ~= id and #ended < over then
      redis.call('zrem', KEYS[1], member)
      ended[#ended + 1] = string.sub(member, sep + 1)
    end
  end
end
redis.call('pexpireat', KEYS[1], last)
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
 * Per user and chatbot: the times of recent mints (`{prefix}limit:mint:{user}:{chatbot}`, a
 * sorted set expiring with its window) and the user's session ids (`{prefix}user:{user}:{chatbot}`,
 * a sorted set by last use, expiring with its last session).
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

    async hit(key, windowMs, max = Number.MAX_SAFE_INTEGER) {
      const args = [String(Date.now()), String(Math.max(1, Math.ceil(windowMs))), String(max), `${Date.now()}:${randomBytes(6).toString('base64url')}`]
      const answer = await client.eval(HIT, 1, limitKey(key), ...args).catch(withoutArguments)
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
