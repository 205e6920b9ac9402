import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { logRedactPaths, serializeError } from './core/redaction.js'

export { logRedactPaths, serializeError }

const loggers = new WeakMap<FastifyRequest, FastifyBaseLogger>()

/** The request's logger, with this plugin's redaction and error serializer; one per request. */
export function chatzyLog(request: FastifyRequest): FastifyBaseLogger {
  let log = loggers.get(request)
  if (log === undefined) {
    log = request.log.child({}, {
      redact: { paths: [...logRedactPaths], censor: '[redacted]' },
      serializers: { err: serializeError },
    })
    loggers.set(request, log)
  }
  return log
}
