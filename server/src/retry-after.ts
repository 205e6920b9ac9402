import { RateLimited } from './errors.js'

/** When it is worth asking again, carried by an error to the answer's `Retry-After` header. */
const retryAfters = new WeakMap<Error, number>()

/** Marks `error` as worth trying again in `ms` (rounded up to whole seconds on the wire). */
export function retryLater<E extends Error>(error: E, ms: number): E {
  retryAfters.set(error, Math.max(1, Math.ceil(ms / 1000)))
  return error
}

/** The `Retry-After` seconds an error carries, if any. */
export function retryAfterOf(error: Error): number | undefined {
  return retryAfters.get(error)
}

/** 429 `CHATZY_RATE_LIMITED`, with its `Retry-After`. */
export function rateLimited(retryAfterMs: number) {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
  return retryLater(new RateLimited(seconds), seconds * 1000)
}
