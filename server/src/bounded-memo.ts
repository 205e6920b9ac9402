/**
 * Remembers what a key worked out to, for keys that come from a small set in practice (the
 * Host headers a server answers to). At most `limit` entries: a flood of made-up keys only
 * empties it, and each is worked out again.
 */
export function boundedMemo<V>(limit = 64) {
  const known = new Map<string, V>()
  return (key: string, work: () => V): V => {
    if (known.has(key)) return known.get(key) as V
    const value = work()
    if (known.size >= limit) known.clear()
    known.set(key, value)
    return value
  }
}
