import type { RefreshAnswer, SessionAnswer } from '../../../contract/wire.js'
import { EndBody, RefreshBody, SessionBody } from '../schemas.js'
import type { Exchange } from '../exchange.js'
import { answerError } from './answer-error.js'
import { checkedBody } from './body.js'
import { schemaCheck, type SchemaCheck } from './schema-check.js'
import type { TSchema } from '@sinclair/typebox'
import type { ChatzyAnswer, ChatzyRequest } from './request.js'
import type { CoreFlows } from './flows.js'

/** One of the three routes, as registered under the prefix. */
export type RouteName = 'start' | 'refresh' | 'end'

/** The body of a request to the core: as is, or read when the core asks (after the CSRF guard). */
export type BodyThunk = () => Promise<unknown>

export interface AnswerOptions {
  /** The body, read when the guard has let the request through. */
  readBody?: BodyThunk
  /** The adapter ran `guard` itself, before its framework read the body. */
  guarded?: boolean
}

export interface HandlerOptions {
  /** The routes' path, as the server routes them (`/chatzy`, or a Fastify prefix before it). */
  prefix: string
  flows: CoreFlows
  /** Throws the request's refusal (CSRF defence). */
  guard: (request: Pick<ChatzyRequest, 'method' | 'header' | 'host'>, exchange: Pick<Exchange, 'protocol'>) => void
}

const checks: Record<RouteName, SchemaCheck<TSchema>> = {
  start: schemaCheck(SessionBody),
  refresh: schemaCheck(RefreshBody),
  end: schemaCheck(EndBody),
}

/** The headers of every successful answer: shared, never written to. */
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' })
const NO_BODY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'cache-control': 'no-store' })

/**
 * The routes as plain handlers over the neutral request and answer: what every adapter
 * serves. An answer the flows can give at once (a cached refresh) is given without an await.
 */
export function chatzyHandler({ prefix, flows, guard }: HandlerOptions) {
  const paths = { session: `${prefix}/session`, refresh: `${prefix}/refresh` }
  const registered: Record<RouteName, string> = {
    start: `POST ${paths.session}`,
    refresh: `POST ${paths.refresh}`,
    end: `DELETE ${paths.session}`,
  }

  /** Which route a method and path are, or undefined for anything else (the host's to answer). */
  function routeOf(method: string, path: string): RouteName | undefined {
    if (path === paths.session) return method === 'POST' ? 'start' : method === 'DELETE' ? 'end' : undefined
    if (path === paths.refresh && method === 'POST') return 'refresh'
    return undefined
  }

  function ok(body: object | undefined, status = 200): ChatzyAnswer {
    return { status, headers: body === undefined ? NO_BODY_HEADERS : JSON_HEADERS, body }
  }

  function run(route: RouteName, body: unknown, exchange: Exchange): ChatzyAnswer | Promise<ChatzyAnswer> {
    switch (route) {
      case 'start':
        return flows.start(exchange, (body as { chatbot_id?: string }).chatbot_id).then((session) => ok(sessionReply(session)))
      case 'refresh': {
        const { chatbot_id, expires_at } = body as { chatbot_id?: string; expires_at?: number }
        const answered = flows.refresh(exchange, chatbot_id, expires_at)
        return answered instanceof Promise ? answered.then((token) => ok(refreshReply(token))) : ok(refreshReply(answered))
      }
      case 'end':
        return flows.end(exchange, (body as { chatbot_id?: string } | null | undefined)?.chatbot_id).then(() => ok(undefined, 204))
    }
  }

  /**
   * Answers one request to a route: the guard (unless the adapter ran it already, before its
   * framework read the body), then the body (read only now when it is a thunk), then the flow.
   * Every failure is an answer too, never a throw.
   */
  function answer(route: RouteName, request: ChatzyRequest, exchange: Exchange, how: AnswerOptions = {}): ChatzyAnswer | Promise<ChatzyAnswer> {
    const failed = (error: unknown) => answerError(error, registered[route], () => exchange.log())
    try {
      if (how.guarded !== true) guard(request, exchange)
      const { readBody } = how
      if (readBody !== undefined) {
        return readBody().then((body) => run(route, checkedBody(request, body, checks[route]), exchange)).catch(failed)
      }
      const answered = run(route, checkedBody(request, request.body, checks[route]), exchange)
      return answered instanceof Promise ? answered.catch(failed) : answered
    } catch (error) {
      return failed(error)
    }
  }

  /** A failure before the route could answer (a framework's own refusal, a host hook's): the same answer. */
  function answerFailure(error: unknown, route: string, exchange: Pick<Exchange, 'log'>): ChatzyAnswer {
    return answerError(error, route, () => exchange.log())
  }

  return { routeOf, answer, answerFailure, registered, paths, guard }
}

export type ChatzyHandler = ReturnType<typeof chatzyHandler>

/** Exactly the answer's fields: nothing else (a refresh token above all) can reach the browser. */
export function sessionReply(session: SessionAnswer): SessionAnswer {
  return {
    user_id: session.user_id,
    chatbot_id: session.chatbot_id,
    access_token: session.access_token,
    expires_at: session.expires_at,
    iframe_url: session.iframe_url,
  }
}

export function refreshReply(token: RefreshAnswer): RefreshAnswer {
  return { access_token: token.access_token, expires_at: token.expires_at }
}
