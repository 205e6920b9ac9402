import type { ChatzyLogger, Exchange, Identified } from '../exchange.js'
import type { ChatzyRequest } from '../core/request.js'
import { hostnameOf } from '../core/host.js'

/**
 * One `Request` as the core sees it, both its neutral request and its exchange, with the
 * Set-Cookie values collected for the `Response`. `identify` is asked at most once. Path, host
 * and scheme are sliced from `Request.url` rather than parsed again: the runtime has parsed and
 * serialized it already (scheme and host lower-case, default port dropped, no credentials in a
 * request a server received), and a refresh asks for them every time.
 *
 * A class, not an object literal of closures: one is made per request, and a refresh answered
 * from the store does little else.
 */
export class FetchExchange implements Exchange, ChatzyRequest {
  readonly cookies: string[] = []
  /** The body is read when the core asks (after the CSRF guard): see `bodyOf`. */
  readonly body: unknown = undefined
  private identified: { value: Identified } | undefined

  constructor(
    private readonly request: Request,
    private readonly identifyUser: (request: Request) => Identified,
    private readonly logger: ChatzyLogger,
  ) {}

  get method(): string {
    return this.request.method
  }

  get path(): string {
    return pathOf(this.request.url)
  }

  get host(): string {
    return hostOf(this.request.url)
  }

  get protocol(): 'http' | 'https' {
    return this.request.url.startsWith('https:') ? 'https' : 'http'
  }

  get hostname(): string {
    return hostnameOf(this.host)
  }

  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined
  }

  identify(): Identified {
    this.identified ??= { value: this.identifyUser(this.request) }
    return this.identified.value
  }

  setCookie(serialized: string): void {
    this.cookies.push(serialized)
  }

  log(): ChatzyLogger {
    return this.logger
  }

  debug(message: string): void {
    this.logger.debug(message)
  }
}

/** The host (with its port, if any) of an absolute, serialized URL (`Request.url`). */
export function hostOf(url: string): string {
  const start = url.indexOf('//') + 2
  const end = url.indexOf('/', start)
  return url.slice(start, end === -1 ? url.length : end)
}

/** The path of an absolute, serialized URL (`Request.url`), without its query or fragment. */
export function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  if (start === -1) return '/'
  const query = url.indexOf('?', start)
  const fragment = url.indexOf('#', start)
  const end = Math.min(query === -1 ? url.length : query, fragment === -1 ? url.length : fragment)
  return url.slice(start, end)
}
