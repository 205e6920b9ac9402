import type { SessionAnswer } from '../../../contract/wire.js'
import type { Identified } from '../exchange.js'
import type { ChatzyHealth } from '../health.js'
import { createAgent } from '../core/agent.js'
import { upstreamFetch } from '../upstream-fetch.js'
import { collectingExchange, notFound, type CollectingExchange } from '../core/exchange.js'
import { consoleLogger, redactingLogger } from '../core/logger.js'
import { readBody } from '../core/body.js'
import type { ChatzyOptions } from '../core/options.js'
import type { ChatzyAnswer, ChatzyRequest } from '../core/request.js'

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

  function exchangeFor(request: Request, url: URL): CollectingExchange {
    return collectingExchange({
      header: (name) => request.headers.get(name) ?? undefined,
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      hostname: url.hostname,
      identify: (): Identified => identify(request),
      log,
    })
  }

  return {
    fetch: async (request) => {
      const url = new URL(request.url)
      const route = core.handler.routeOf(request.method, url.pathname)
      if (route === undefined) return toResponse(notFound(request.method, url.pathname), [])
      const exchange = exchangeFor(request, url)
      const neutral: ChatzyRequest = { method: request.method, path: url.pathname, header: exchange.header, host: url.host, body: undefined }
      const answer = await core.handler.answer(route, neutral, exchange, { readBody: () => bodyOf(request) })
      return toResponse(answer, exchange.cookies)
    },
    async startSession(request, chatbotId) {
      const exchange = exchangeFor(request, new URL(request.url))
      const session = await core.startSession(exchange, chatbotId)
      return { session, headers: headersOf(exchange.cookies) }
    },
    async endSession(request, chatbotId) {
      const exchange = exchangeFor(request, new URL(request.url))
      await core.endSession(exchange, chatbotId)
      return headersOf(exchange.cookies)
    },
    health: () => core.health(),
    close: () => core.close(),
  }
}

/** The body as text (bounded), or undefined when the request has none. */
function bodyOf(request: Request): Promise<string | undefined> {
  const stream = request.body
  if (stream === null) return Promise.resolve(undefined)
  return readBody(chunksOf(stream))
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

function toResponse(answer: ChatzyAnswer, cookies: readonly string[]): Response {
  const headers = new Headers(answer.headers)
  for (const cookie of cookies) headers.append('set-cookie', cookie)
  return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers })
}
