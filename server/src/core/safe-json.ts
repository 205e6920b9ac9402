/**
 * JSON.parse that refuses prototype poisoning, as Fastify's parser does with
 * `onProtoPoisoning: 'error'` and `onConstructorPoisoning: 'error'`: a `__proto__` key, or a
 * `constructor` holding a `prototype`, anywhere in the value. Such a body is never a browser
 * of ours talking, and merged into an object later it would reach every object's prototype.
 */
export function parseSafeJson(text: string): unknown {
  const value: unknown = JSON.parse(text)
  // Only a text that names one of the two keys can carry them (as secure-json-parse reasons).
  if ((text.includes('__proto__') || text.includes('constructor')) && isPoisoned(value)) throw new SyntaxError('prototype poisoning')
  return value
}

/** Does a parsed value (ours, or a host body parser's) carry a poisoning key anywhere? */
export function isPoisoned(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false
  // Bodies are a few fields deep at most: anything deeper is refused as well.
  if (depth > 32) return true
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return true
  const record = value as Record<string, unknown>
  if (Object.prototype.hasOwnProperty.call(value, 'constructor')) {
    const ctor = record.constructor
    if (typeof ctor === 'object' && ctor !== null && Object.prototype.hasOwnProperty.call(ctor, 'prototype')) return true
  }
  for (const key of Object.keys(value)) if (isPoisoned(record[key], depth + 1)) return true
  return false
}
