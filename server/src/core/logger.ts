import type { ChatzyLogger } from '../exchange.js'
import { logRedactPaths, serializeError } from './redaction.js'

type Level = 'debug' | 'info' | 'warn' | 'error'
const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error']

/** The field names that hold a secret, wherever they are in a logged object. */
const SECRET_KEYS = new Set(logRedactPaths.map((path) => path.replace(/^.*[.[]"?/, '').replace(/"?\]$/, '')))

/** A copy of a logged object with every secret field censored and errors cut to their safe fields. */
function redacted(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 8) return value
  if (value instanceof Error) return serializeError(value)
  if (Array.isArray(value)) return value.map((item) => redacted(item, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [
    key,
    SECRET_KEYS.has(key) ? '[redacted]' : key === 'err' ? serializeError(item) : redacted(item, depth + 1),
  ]))
}

interface PinoLike extends ChatzyLogger {
  child(bindings: object, options: object): ChatzyLogger
}

/**
 * The host's logger, with this package's redaction: a pino logger (Fastify's, say) gets a
 * child with pino's own `redact` and the error serializer; any other logger gets each
 * object redacted before it sees it.
 */
export function redactingLogger(logger: ChatzyLogger & { child?: unknown }): ChatzyLogger {
  if (typeof logger.child === 'function') {
    return (logger as PinoLike).child({}, {
      redact: { paths: [...logRedactPaths], censor: '[redacted]' },
      serializers: { err: serializeError },
    })
  }
  const wrapped = {} as ChatzyLogger
  for (const level of LEVELS) {
    wrapped[level] = (object, message, ...args) => logger[level](typeof object === 'string' ? object : redacted(object) as object, message, ...args)
  }
  return wrapped
}

/** The default: warnings and errors, one JSON line each, to the console (which every runtime has). */
export function consoleLogger(minimum: Level = 'warn'): ChatzyLogger {
  const logger = {} as ChatzyLogger
  for (const level of LEVELS) {
    const shown = LEVELS.indexOf(level) >= LEVELS.indexOf(minimum)
    logger[level] = (object, message, ...args) => {
      if (!shown) return
      // pino's printf-style `%s`, the only one this package writes.
      const text = (typeof object === 'string' ? object : message)?.replace(/%s/g, () => String(args.shift()))
      const fields = typeof object === 'string' ? { msg: text } : { ...(redacted(object) as object), msg: text }
      const line = JSON.stringify({ level, time: Date.now(), name: 'chatzy-agent', ...fields })
      if (level === 'error') console.error(line)
      else if (level === 'warn') console.warn(line)
      else console.log(line)
    }
  }
  return logger
}
