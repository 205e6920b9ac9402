/**
 * Log paths that can hold a secret of this plugin: the session cookie (in `cookie` and
 * `set-cookie` headers), Chatzy tokens and the API key. Hosts should add them to their own
 * logger's `redact` (`Fastify({ logger: { redact: logRedactPaths } })`), since the plugin
 * cannot redact what the host logs itself (request headers, for one).
 */
export const logRedactPaths: readonly string[] = [
  'req.headers.cookie',
  'req.headers.authorization',
  'headers.cookie',
  'headers.authorization',
  'res.headers["set-cookie"]',
  'headers["set-cookie"]',
  'cookie',
  'cookies',
  'access_token',
  'refresh_token',
  'client_api_key',
  'apiKey',
  'iframe_url',
  '*.access_token',
  '*.refresh_token',
  '*.client_api_key',
  '*.apiKey',
  '*.iframe_url',
  '*.cookie',
  '*.cookies',
]

const MAX_CAUSE_DEPTH = 4

interface LoggedError {
  type: string
  message: string
  code?: string
  statusCode?: number
  stack?: string
  cause?: LoggedError
}

/**
 * Errors are logged by a fixed list of fields. A store or network error can carry the data it
 * was handling on extra properties (a Redis client's `command.args` holds the stored session):
 * those never reach a log line.
 */
export function serializeError(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: 'non-error value thrown' }
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown }
  const logged: LoggedError = { type: error.name, message: error.message }
  if (typeof code === 'string') logged.code = code
  if (typeof statusCode === 'number') logged.statusCode = statusCode
  if (error.stack !== undefined) logged.stack = error.stack
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) logged.cause = serializeError(error.cause, depth + 1)
  return logged
}
