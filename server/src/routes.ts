import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ErrorReply, RefreshReply, SessionReply } from './schemas.js'
import { BODY_LIMIT } from './core/body.js'
import type { ChatzyHandler, RouteName } from './core/handler.js'
import type { ChatzyAnswer, ChatzyRequest } from './core/request.js'
import type { Exchange } from './exchange.js'
import { chatzyLog } from './log.js'

export interface RoutesOptions {
  handler: ChatzyHandler
  /** The core's view of a request and its reply: its neutral request and its exchange, in one. */
  exchange: (request: FastifyRequest, reply: FastifyReply) => Exchange & ChatzyRequest
}

// The guard ran in onRequest, before Fastify read the body.
const GUARDED = Object.freeze({ guarded: true })

// Answers are serialized by their schemas: exactly their fields, nothing else.
const errors = { '4xx': ErrorReply, '5xx': ErrorReply }

/**
 * The core's routes in Fastify's router, the Fastify way: its own body parsing (a raw string,
 * at most `BODY_LIMIT`), its serializers, and no `Request`/`Response` built. A refresh the core
 * answers at once is sent in the same turn.
 */
export async function routes(app: FastifyInstance, { handler, exchange }: RoutesOptions) {
  // Answers carry access tokens (and errors say who is signed in): no cache may keep them. Set
  // first thing, it stays on every answer, errors included. The guard runs here, before Fastify
  // reads the body, so that a refused request is refused whatever it carries. A callback hook:
  // no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('cache-control', 'no-store')
    try {
      handler.guard(exchange(request, reply), request)
    } catch (error) {
      return done(error as FastifyError)
    }
    done()
  })
  // What Fastify itself refuses (a body too large, a host hook's 429) gets the core's answer.
  app.setErrorHandler((error, request, reply) => {
    const route = `${request.method} ${request.routeOptions.url ?? ''}`
    return send(reply, handler.answerFailure(error, route, { log: () => chatzyLog(request) }))
  })

  // The body as the browser sent it: the core parses it (refusing prototype poisoning whatever
  // the host app's `onProtoPoisoning` says) and checks it against the route's schema.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    done(null, body)
  })

  const route = (name: RouteName) => (request: FastifyRequest, reply: FastifyReply) => {
    const both = exchange(request, reply)
    const answered = handler.answer(name, both, both, GUARDED)
    return answered instanceof Promise ? answered.then((answer) => send(reply, answer)) : send(reply, answered)
  }
  app.post('/session', { bodyLimit: BODY_LIMIT, schema: { response: { 200: SessionReply, ...errors } } }, route('start'))
  app.post('/refresh', { bodyLimit: BODY_LIMIT, schema: { response: { 200: RefreshReply, ...errors } } }, route('refresh'))
  app.delete('/session', { bodyLimit: BODY_LIMIT, schema: { response: { 204: { type: 'null' }, ...errors } } }, route('end'))
}

function send(reply: FastifyReply, answer: ChatzyAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body)
}
