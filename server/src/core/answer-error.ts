import { BadRequest, Internal, PayloadTooLarge, UnsupportedMediaType, UpstreamBadResponse, UpstreamRefused } from '../errors.js'
import { retryAfterOf } from '../retry-after.js'
import { publish } from '../diagnostics.js'
import type { ChatzyLogger } from '../exchange.js'
import { statusText } from './status-text.js'
import type { ChatzyAnswer } from './request.js'

/** What a thrown value may say of itself: Fastify's errors and ours have these fields. */
interface ErrorLike extends Error {
  code?: string
  statusCode?: number
  validation?: unknown
}

/**
 * Every failure leaves in Fastify's error shape with a `CHATZY_*` code, `Cache-Control:
 * no-store`, and `Retry-After` when asking again later can help; 5xx are logged with their
 * cause. `route` is the route as registered (`POST /chatzy/refresh`), for diagnostics.
 */
export function answerError(error: unknown, route: string, log: () => ChatzyLogger): ChatzyAnswer {
  const known = toChatzyError(error)
  const statusCode = known.statusCode ?? 500
  const headers: Record<string, string> = { 'cache-control': 'no-store' }
  // A rate limit or Chatzy's back-pressure says when asking again can help.
  const retryAfter = retryAfterOf(known)
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter)
  const code = known.code ?? `HTTP_${statusCode}`
  publish.refused(() => ({ code, statusCode, route }))
  if (code === 'CHATZY_RATE_LIMITED') publish.rateLimited(() => ({ code, statusCode, route, retryAfterSeconds: retryAfter }))
  // A refused mint is the host's own setup (apiKey, chatbotId): the line says which, up front.
  if (error instanceof UpstreamRefused) log().error({ err: error }, `chatzy: request failed: ${error.message}`)
  else if (statusCode >= 500) log().error({ err: error }, 'chatzy: request failed')
  else log().info({ code: known.code, statusCode }, 'chatzy: request refused')
  return {
    status: statusCode,
    headers,
    body: { statusCode, code, error: statusText(statusCode), message: known.message },
  }
}

export function toChatzyError(thrown: unknown): ErrorLike {
  if (!(thrown instanceof Error)) return new Internal({ cause: thrown })
  const error = thrown as ErrorLike
  // A refused mint means our own apiKey or chatbot id is wrong: to the browser, a bad upstream answer.
  if (error instanceof UpstreamRefused) return new UpstreamBadResponse({ cause: error })
  if (typeof error.code === 'string' && error.code.startsWith('CHATZY_')) return error
  if (error.validation) return new BadRequest(error.message)
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PayloadTooLarge()
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new UnsupportedMediaType()
  // Malformed JSON, an empty body, a prototype-poisoning attempt: the parser's 400s.
  if (typeof error.code === 'string' && error.code.startsWith('FST_ERR_CTP_')) return new BadRequest('the body is not acceptable JSON')
  if (error instanceof SyntaxError) return new BadRequest('the body is not acceptable JSON')
  // A host's own refusal on these routes (a rate limit's 429, an auth hook's 401) keeps its
  // status, so that the element can tell a wait-and-retry from a broken setup.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return error
  // Whatever else (a throwing `identify`, a bug) is logged in full and answered in general terms.
  return new Internal({ cause: error })
}
