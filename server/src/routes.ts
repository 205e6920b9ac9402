import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { EndBody, ErrorReply, RefreshBody, RefreshReply, SessionBody, SessionReply } from './schemas.js'
import { BadRequest, Internal, PayloadTooLarge, UnsupportedMediaType, UpstreamBadResponse, UpstreamRefused } from './errors.js'
import { chatzyLog } from './log.js'
import { retryAfterOf } from './retry-after.js'
import { publish } from './diagnostics.js'
import type { SessionFlows } from './session.js'
import type { Exchange } from './exchange.js'

export interface RoutesOptions {
  flows: SessionFlows
  /** The core's view of a request and its reply. */
  exchange: (request: FastifyRequest, reply: FastifyReply) => Exchange
  /** Throws the request's refusal (CSRF defence). */
  guard: (request: FastifyRequest) => void
}

/** Bodies are tiny (`{ chatbot_id, expires_at }`): anything bigger is refused unread. */
export const BODY_LIMIT = 4 * 1024

const errors = { '4xx': ErrorReply, '5xx': ErrorReply }

export const routes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { flows, exchange, guard }) => {
  // Answers carry access tokens (and errors say who is signed in): no cache may keep them. Set
  // first thing, it stays on every answer, errors included (the error handler sets it too, for
  // a host hook that fails before this one). A callback hook: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('cache-control', 'no-store')
    try {
      guard(request)
    } catch (error) {
      return done(error as FastifyError)
    }
    done()
  })
  app.setErrorHandler(answerError)
  // Bodies are checked as written: no coercion, no silent stripping of unknown fields.
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  // Our own JSON parser in this scope: prototype poisoning is refused whatever the host app's
  // `onProtoPoisoning` says, and a DELETE may come without a body.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (request, body, done) => {
    if (body === '' && request.method === 'DELETE') return done(null, undefined)
    parseJson(request, body as string, done)
  })

  app.post('/session', {
    bodyLimit: BODY_LIMIT,
    schema: { body: SessionBody, response: { 200: SessionReply, ...errors } },
  }, (request, reply) => flows.start(exchange(request, reply), request.body.chatbot_id))

  app.post('/refresh', {
    bodyLimit: BODY_LIMIT,
    schema: { body: RefreshBody, response: { 200: RefreshReply, ...errors } },
  }, (request, reply) => flows.refresh(exchange(request, reply), request.body.chatbot_id, request.body.expires_at))

  app.delete('/session', {
    bodyLimit: BODY_LIMIT,
    schema: { body: EndBody, response: { 204: { type: 'null' }, ...errors } },
  }, async (request, reply) => {
    await flows.end(exchange(request, reply), request.body?.chatbot_id)
    return reply.code(204).send()
  })
}

/** Every failure leaves in Fastify's error shape with a `CHATZY_*` code; 5xx are logged with their cause. */
function answerError(this: unknown, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known = toChatzyError(error)
  const statusCode = known.statusCode ?? 500
  reply.header('cache-control', 'no-store')
  // A rate limit or Chatzy's back-pressure says when asking again can help.
  const retryAfter = retryAfterOf(known)
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter))
  const code = known.code ?? `HTTP_${statusCode}`
  const route = `${request.method} ${request.routeOptions.url ?? ''}`
  publish.refused(() => ({ code, statusCode, route }))
  if (code === 'CHATZY_RATE_LIMITED') publish.rateLimited(() => ({ code, statusCode, route, retryAfterSeconds: retryAfter }))
  const log = chatzyLog(request)
  // A refused mint is the host's own setup (apiKey, chatbotId): the line says which, up front.
  if (error instanceof UpstreamRefused) log.error({ err: error }, `chatzy: request failed: ${error.message}`)
  else if (statusCode >= 500) log.error({ err: error }, 'chatzy: request failed')
  else log.info({ code: known.code, statusCode }, 'chatzy: request refused')
  return reply.code(statusCode).send({
    statusCode,
    code,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message: known.message,
  })
}

export function toChatzyError(error: FastifyError): FastifyError {
  // A refused mint means our own apiKey or chatbot id is wrong: to the browser, a bad upstream answer.
  if (error instanceof UpstreamRefused) return new UpstreamBadResponse({ cause: error })
  if (typeof error.code === 'string' && error.code.startsWith('CHATZY_')) return error
  if (error.validation) return new BadRequest(error.message)
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PayloadTooLarge()
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new UnsupportedMediaType()
  // Malformed JSON, an empty body, a prototype-poisoning attempt: the parser's 400s.
  if (typeof error.code === 'string' && error.code.startsWith('FST_ERR_CTP_')) return new BadRequest('the body is not acceptable JSON')
  if (error instanceof SyntaxError) return new BadRequest('the body is not acceptable JSON')
  // A host hook's own refusal on these routes (a rate limit's 429, an auth hook's 401) keeps its
  // status, so that the element can tell a wait-and-retry from a broken setup.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return error
  // Whatever else (a throwing `identify`, a bug) is logged in full and answered in general terms.
  return new Internal({ cause: error })
}
