import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SessionAnswer } from '../../../contract/wire.js'
import type { Dispatcher } from 'undici'
import type { ChatzyHealth } from '../health.js'
import type { Identified } from '../exchange.js'
import { createAgent } from '../core/agent.js'
import { upstreamHttp } from '../upstream-http.js'
import { hostOf, hostnameFor, parsedBody, protocolOf } from './framework.js'
import { collectingExchange, notFound, type CollectingExchange } from '../core/exchange.js'
import { consoleLogger, redactingLogger } from '../core/logger.js'
import { readBody } from '../core/body.js'
import type { ChatzyOptions } from '../core/options.js'
import type { ChatzyAnswer, ChatzyRequest } from '../core/request.js'

/**
 * Options of `chatzyAgent` from `chatzy-agent/node`: the plugin's, with `identify` given the
 * Node request (Express's `req`, with whatever the app's own middleware put on it).
 */
export interface ChatzyNodeOptions<Req extends IncomingMessage = IncomingMessage> extends ChatzyOptions<Req> {
  /**
   * The undici dispatcher that calls to Chatzy go through: an egress proxy (`ProxyAgent`,
   * `EnvHttpProxyAgent`), an `Agent` with your own CA or pool settings. Default: a keep-alive
   * pool of the agent's own. It must not follow redirects (undici's do not, unless told to).
   */
  dispatcher?: Dispatcher
}

export type NextFunction = (error?: unknown) => void

export interface ChatzyNodeAgent<Req extends IncomingMessage = IncomingMessage> {
  /**
   * Connect-style middleware (Express 4/5, Connect, `node:http`): answers the routes under
   * `prefix` and passes anything else to `next` (a 404 without one). Reads the body itself,
   * or takes the one a body parser (`express.json()`) already read.
   */
  middleware(req: Req, res: ServerResponse, next?: NextFunction): void
  /** Starts (or resumes) the signed-in user's session, as `POST /session` does, and sets the cookie on `res`. */
  startSession(req: Req, res: ServerResponse, chatbotId?: string): Promise<SessionAnswer>
  /** Ends that chatbot's session of this request's cookie; with no chatbot named, all of them (the host's sign-out), clearing the cookie on `res`. */
  endSession(req: Req, res: ServerResponse, chatbotId?: string): Promise<void>
  /** Whether the store answers, and where each chatbot's circuit breaker stands. */
  health(): Promise<ChatzyHealth>
  /** Lets the work in flight finish, then closes the connections to Chatzy. */
  close(): Promise<void>
}

/** The agent as Node middleware, for Express, Connect, `node:http` and Next.js pages/api. */
export function chatzyAgent<Req extends IncomingMessage = IncomingMessage>(options: ChatzyNodeOptions<Req>): ChatzyNodeAgent<Req> {
  const log = options.logger === undefined ? consoleLogger() : redactingLogger(options.logger)
  const core = createAgent(options as ChatzyOptions<never>, {
    log,
    routesPath: options.prefix ?? '/chatzy',
    transport: (connectTimeoutMs) => upstreamHttp(options.dispatcher, connectTimeoutMs),
  })
  const identify = options.identify

  function exchangeFor(req: Req): CollectingExchange {
    const header = (name: string) => first(req.headers[name])
    return collectingExchange({
      header,
      // Express's own answers honour its `trust proxy` setting; bare Node knows only its socket.
      protocol: protocolOf(req),
      hostname: hostnameFor(req, header('host')),
      identify: (): Identified => identify(req),
      log,
    })
  }

  return {
    middleware(req, res, next) {
      const url = req.url ?? '/'
      const query = url.indexOf('?')
      const path = query === -1 ? url : url.slice(0, query)
      const method = req.method ?? 'GET'
      const route = core.handler.routeOf(method, path)
      if (route === undefined) {
        if (next !== undefined) return next()
        return write(res, notFound(method, path), [])
      }
      const exchange = exchangeFor(req)
      // An empty body is none, whatever a body parser made of it (`express.json()` makes `{}`).
      const empty = exchange.header('content-length') === '0' && exchange.header('transfer-encoding') === undefined
      const neutral: ChatzyRequest = { method, path, header: exchange.header, host: hostOf(req, exchange.header('host')), body: empty ? '' : parsedBody(req) }
      // A body parser that ran before us has read the stream: its result is the body.
      const read = neutral.body === undefined && !req.readableEnded ? () => readBody(req) : undefined
      const answered = core.handler.answer(route, neutral, exchange, read === undefined ? {} : { readBody: read })
      if (answered instanceof Promise) {
        answered.then((answer) => write(res, answer, exchange.cookies), (error: unknown) => fail(res, error, next))
      } else {
        write(res, answered, exchange.cookies)
      }
    },
    async startSession(req, res, chatbotId) {
      const exchange = exchangeFor(req)
      const session = await core.startSession(exchange, chatbotId)
      setCookies(res, exchange.cookies)
      return session
    },
    async endSession(req, res, chatbotId) {
      const exchange = exchangeFor(req)
      await core.endSession(exchange, chatbotId)
      setCookies(res, exchange.cookies)
    },
    health: () => core.health(),
    close: () => core.close(),
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** One `writeHead`, each Set-Cookie its own header line. */
function write(res: ServerResponse, answer: ChatzyAnswer, cookies: readonly string[]): void {
  const body = answer.body === undefined ? undefined : JSON.stringify(answer.body)
  const headers: Record<string, string | string[]> = { ...answer.headers }
  if (cookies.length > 0) headers['set-cookie'] = [...cookies]
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
  res.writeHead(answer.status, headers)
  res.end(body)
}

/** The page's answer carries the session cookie beside the app's own cookies, and no cache keeps it. */
function setCookies(res: ServerResponse, cookies: readonly string[]): void {
  res.setHeader('cache-control', 'no-store')
  for (const cookie of cookies) res.appendHeader('set-cookie', cookie)
}

/** A failure of the adapter itself (the core answers its own): the app's error handler, or a bare 500. */
function fail(res: ServerResponse, error: unknown, next: NextFunction | undefined): void {
  if (next !== undefined) return next(error)
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
  res.end('Internal Server Error')
}
