/** Timers sleep or drift in background tabs and suspended laptops: wake at least this often to look at the clock. */
const LONGEST_SLEEP_MS = 30_000

/**
 * Refresh-ahead: calls `due()` once the local clock reaches the time set by `arm`, but only
 * while the page is visible. Re-checks when the page becomes visible, gets focus or goes
 * back online, since a timer alone can fire late (or never) in a hidden tab.
 */
export class RefreshSchedule {
  #at = 0
  #timer: ReturnType<typeof setTimeout> | undefined
  #due: () => void
  #wake: () => void

  constructor(due: () => void, wake: () => void) {
    this.#due = due
    this.#wake = wake
  }

  start() {
    document.addEventListener('visibilitychange', this.#onWake)
    addEventListener('focus', this.#onWake)
    addEventListener('online', this.#onWake)
  }

  stop() {
    document.removeEventListener('visibilitychange', this.#onWake)
    removeEventListener('focus', this.#onWake)
    removeEventListener('online', this.#onWake)
    this.arm(0)
  }

  /** Local time (ms) at which to refresh; 0 disarms. */
  arm(at: number) {
    this.#at = at
    this.check()
  }

  check = () => {
    clearTimeout(this.#timer)
    if (this.#at === 0 || document.visibilityState === 'hidden') return
    const wait = this.#at - Date.now()
    if (wait > 0) {
      this.#timer = setTimeout(this.check, Math.min(wait, LONGEST_SLEEP_MS))
    } else {
      this.#at = 0
      this.#due()
    }
  }

  #onWake = () => {
    this.#wake()
    this.check()
  }
}

/**
 * When to refresh a token that expires at `expiresAt` (server clock), `aheadMs` early, given
 * the server's clock minus ours. Never sooner than halfway through the token's remaining life,
 * so a `refresh-ahead` longer than the token lifetime cannot turn into a refresh loop.
 */
export function refreshTime(expiresAt: number, skewMs: number, aheadMs: number, now = Date.now()): number {
  const localExpiry = expiresAt - skewMs
  return Math.max(localExpiry - aheadMs, now + (localExpiry - now) / 2)
}
