/**
 * The core's neutral request and answer (graphql-http's model): each adapter turns its
 * framework's request into a `ChatzyRequest` and writes the `ChatzyAnswer` back its own way,
 * so that no `Request`/`Response` object is built where the framework has its own.
 */
export interface ChatzyRequest {
  /** Upper-case HTTP method. */
  method: string
  /** The URL's path, without the query. */
  path: string
  /** A request header by lower-case name (its first value), or undefined. */
  header(name: string): string | undefined
  /** The authority the server saw the request for (`host:port`, a trusted proxy's when it has one): the default allowed origin's. */
  host: string | undefined
  /**
   * The body: a raw string (the adapter read it, at most `BODY_LIMIT` bytes), a value a body
   * parser of the host already made (`express.json()`), or undefined when there was none.
   */
  body: unknown
}

/** What the core answers: a status, headers (Set-Cookie goes through the exchange), and a JSON body or none. */
export interface ChatzyAnswer {
  status: number
  headers: Readonly<Record<string, string>>
  /** Serialized as JSON by the adapter; undefined for no body (204). */
  body: object | undefined
}
