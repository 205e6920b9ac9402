/**
 * A W3C WebDriver client over fetch, as small as the checks need: a session, its commands, and
 * a bound on every command so that a stuck browser fails the check instead of hanging the run.
 */
export class WebDriverError extends Error {}

const COMMAND_TIMEOUT_MS = 30_000

export class WebDriverSession {
  readonly id: string
  readonly capabilities: Record<string, unknown>
  readonly #base: string

  private constructor(base: string, id: string, capabilities: Record<string, unknown>) {
    this.#base = base
    this.id = id
    this.capabilities = capabilities
  }

  static async create(base: string, alwaysMatch: Record<string, unknown>): Promise<WebDriverSession> {
    const value = await send<{ sessionId: string; capabilities: Record<string, unknown> }>(base, 'POST', '/session', { capabilities: { alwaysMatch } })
    return new WebDriverSession(base, value.sessionId, value.capabilities)
  }

  command<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return send<T>(this.#base, method, `/session/${this.id}${path}`, body ?? (method === 'POST' ? {} : undefined))
  }

  async close(): Promise<void> {
    await this.command('DELETE', '').catch(() => undefined)
  }
}

async function send<T>(base: string, method: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
  })
  const { value } = (await response.json()) as { value: T & { error?: string; message?: string } }
  if (!response.ok) throw new WebDriverError(`${method} ${path}: ${value?.error ?? response.status}: ${value?.message ?? ''}`)
  return value
}

/** Waits until a driver at `base` answers its status. */
export async function driverReady(base: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const response = await fetch(`${base}/status`, { signal: AbortSignal.timeout(1_000) })
      if (response.ok) return
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new WebDriverError(`no WebDriver at ${base} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
