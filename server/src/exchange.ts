/**
 * A logger with pino's signatures (Fastify's is one): what the core writes its lines with.
 * Every adapter hands the core one that redacts this package's secrets (see `log.ts`).
 */
export interface ChatzyLogger {
  debug(object: object | string, message?: string, ...args: unknown[]): void
  info(object: object | string, message?: string, ...args: unknown[]): void
  warn(object: object | string, message?: string, ...args: unknown[]): void
  error(object: object | string, message?: string, ...args: unknown[]): void
}

export type MaybePromise<T> = T | Promise<T>

/** Who the host says is signed in: a user id, or null / undefined / '' for nobody. */
export type Identified = MaybePromise<string | null | undefined>

/**
 * One HTTP exchange as the core sees it, whatever the server: what the session flows read of
 * the request and write to its answer. Each adapter makes one per request, from its own
 * framework's request and reply, so that nothing under it knows which framework that was.
 */
export interface Exchange {
  /** A request header by lower-case name (its first value), or undefined. */
  header(name: string): string | undefined
  /** The scheme the server saw the request arrive with (a proxy's, when the server trusts it). */
  readonly protocol: 'http' | 'https'
  /** The request's host name, without port. */
  readonly hostname: string
  /** The host's `identify`, asked about this request; called at most once per exchange. */
  identify(): Identified
  /** Adds one `Set-Cookie` header to the answer (never replacing another). */
  setCookie(serialized: string): void
  /** The request's logger, with this package's redaction; built on first use. */
  log(): ChatzyLogger
  /**
   * A constant debug line (a fixed message, no data, so no secret): through the request's own
   * logger, with no redacting logger built for it, since it is written on common paths.
   */
  debug(message: string): void
}
