/**
 * The plugin's work in progress (requests being answered, with the refresh each may be making
 * and the token it will store), so that closing the app can let it finish instead of cutting
 * a refresh off between Chatzy's answer and the store.
 */
export function inFlight() {
  const pending = new Set<Promise<unknown>>()
  return {
    /** Follows `work` until it settles; an answer given in the same turn needs no following. */
    track<T>(work: T): T {
      if (work instanceof Promise) {
        pending.add(work)
        const settled = () => void pending.delete(work)
        work.then(settled, settled)
      }
      return work
    },
    /**
     * Resolves once everything followed has settled, work that started meanwhile included (a
     * request accepted just before closing reaches the plugin a little later), or after
     * `timeoutMs`, whichever comes first.
     */
    async drain(timeoutMs: number): Promise<void> {
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs) })
      let late = false
      void deadline.then(() => { late = true })
      while (pending.size > 0 && !late) await Promise.race([Promise.allSettled([...pending]), deadline])
      clearTimeout(timer)
    },
  }
}
