/*
 * What a transport to Chatzy answers, whichever does the HTTP: undici on Node
 * (`upstream-http.ts`), the global `fetch` everywhere else (`upstream-fetch.ts`).
 */

/** Why an upstream exchange produced no answer to read. */
export type ExchangeFailure =
  | { kind: 'timeout' }
  | { kind: 'network'; code: string | undefined }
  | { kind: 'too-large' }
  | { kind: 'redirect' }

export class ExchangeFailed extends Error {
  constructor(readonly failure: ExchangeFailure) {
    super(failure.kind)
  }
}

export interface Endpoint {
  origin: string
  path: string
}

export interface Answer {
  status: number
  text: string
  /** The answer's `Retry-After` header, as sent (a throttle's back-pressure). */
  retryAfter?: string
}

/** POSTs JSON to Chatzy within a deadline and a size bound, and reads the answer as text. */
export interface UpstreamTransport {
  /** Where to POST, worked out once per endpoint rather than per call. */
  endpoint(url: URL): Endpoint
  post(target: Endpoint, payload: string, timeoutMs: number, limit: number): Promise<Answer>
  /** Closes the transport's own pooled connections, if it has any. */
  close(): void
}
