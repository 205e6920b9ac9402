import type { SessionAnswer } from '../../../contract/wire.js'
import type { ChatzyHealth } from '../health.js'
import { createAgent } from '../core/agent.js'
import { upstreamFetch } from '../upstream-fetch.js'
import { notFound } from '../core/exchange.js'
import { FetchExchange } from './exchange.js'
import { consoleLogger, redactingLogger } from '../core/logger.js'
import { BODY_LIMIT, readBody } from '../core/body.js'
import { PayloadTooLarge } from '../errors.js'
import type { ChatzyOptions } from '../core/options.js'
import type { ChatzyAnswer } from '../core/request.js'

/** Options of `chatzyAgent` from `chatzy-agent/fetch`: the plugin's, with `identify` given the `Request`. */
export type ChatzyFetchOptions = ChatzyOptions<Request>

export interface ChatzyFetchAgent {
  /** Answers the routes under `prefix` (`POST /session`, `POST /refresh`, `DELETE /session`); anything else is a 404. */
  fetch(request: Request): Promise<Response>
  /** Starts (or resumes) the signed-in user's session, as `POST /session` does: send `headers` (the cookie) with the page. */
  startSession(request: Request, chatbotId?: string): Promise<{ session: SessionAnswer; headers: Headers }>
  /** Ends that chatbot's session of this request's cookie; with no chatbot named, all of them (the host's sign-out), and `headers` clear the cookie. */
  endSession(request: Request, chatbotId?: string): Promise<Headers>
  /** Whether the store answers, and where each chatbot's circuit breaker stands. */
  health(): Promise<ChatzyHealth>
  /** Lets the work in flight finish, then closes the connections to Chatzy. */
  close(): Promise<void>
}

/**
 * The agent for any server that speaks web-standard `Request` and `Response`: Next.js route
 * handlers, Hono, Bun, Deno, Cloudflare Workers.
 */
export function chatzyAgent(options: ChatzyFetchOptions): ChatzyFetchAgent {
  const log = options.logger === undefined ? consoleLogger() : redactingLogger(options.logger)
  const core = createAgent(options as ChatzyOptions<never>, { log, routesPath: options.prefix ?? '/chatzy', transport: () => upstreamFetch() })
  const identify = options.identify

  return {
    fetch: async (request) => {
      const exchange = new FetchExchange(request, identify, log)
      const { method, path } = exchange
      const route = core.handler.routeOf(method, path)
      if (route === undefined) return toResponse(notFound(method, path), [])
      const answer = await core.handler.answer(route, exchange, exchange, { readBody: () => bodyOf(request) })
      return toResponse(answer, exchange.cookies)
    },
    async startSession(request, chatbotId) {
      const exchange = new FetchExchange(request, identify, log)
      const session = await core.startSession(exchange, chatbotId)
      return { session, headers: headersOf(exchange.cookies) }
    },
    async endSession(request, chatbotId) {
      const exchange = new FetchExchange(request, identify, log)
      await core.endSession(exchange, chatbotId)
      return headersOf(exchange.cookies)
    },
    health: () => core.health(),
    close: () => core.close(),
  }
}

/**
 * The body as text, bounded, or undefined when the request has none. A body of declared length
 * (what browsers send) is read with `text()`, which the runtime bounds by that length and which
 * servers on Node read straight from the socket (`@hono/node-server` builds no stream for it); a
 * declared length over the limit is refused unread, and any other body is read chunk by chunk
 * up to the limit.
 */
function bodyOf(request: Request): Promise<string | undefined> {
  const length = request.headers.get('content-length')
  if (length !== null) {
    if (Number(length) > BODY_LIMIT) return Promise.reject(new PayloadTooLarge())
    return request.text()
  }
  // No declared length: chunked, HTTP/2, or a `Request` the app built itself.
  const stream = request.body
  return stream === null ? Promise.resolve(undefined) : readBody(chunksOf(stream))
}

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    // Stopped early (too large): the rest is not wanted.
    void reader.cancel().catch(() => {})
  }
}

/** The page's headers for a session's cookie: each Set-Cookie on its own, and no cache may keep the page. */
function headersOf(cookies: readonly string[]): Headers {
  const headers = new Headers({ 'cache-control': 'no-store' })
  for (const cookie of cookies) headers.append('set-cookie', cookie)
  return headers
}

/**
 * The answer as a `Response`. Headers as a plain record when no cookie goes with it (a refresh),
 * which servers on Node write without building a `Headers` (`@hono/node-server`'s fast path);
 * as pairs when Set-Cookie values go with it, each its own header line.
 */
function toResponse(answer: ChatzyAnswer, cookies: readonly string[]): Response {
  const headers: HeadersInit = cookies.length === 0
    ? answer.headers
    : [...Object.entries(answer.headers), ...cookies.map((cookie): [string, string] => ['set-cookie', cookie])]
  return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers })
}
