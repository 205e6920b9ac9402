import createError from '@fastify/error'

/**
 * Every runtime error of the plugin: a `CHATZY_*` code, an HTTP status, and a message that
 * never contains a secret (tokens and keys are never interpolated into these).
 */
export const Unauthenticated = createError('CHATZY_UNAUTHENTICATED', 'No signed-in user for this request', 401)
export const NoSession = createError('CHATZY_NO_SESSION', 'No valid Chatzy session: start one with POST /session', 401)
export const BadRequest = createError('CHATZY_BAD_REQUEST', 'Bad request: %s', 400)
export const ChatbotNotAllowed = createError('CHATZY_CHATBOT_NOT_ALLOWED', 'This chatbot id is not allowed', 400)
export const ForbiddenOrigin = createError('CHATZY_FORBIDDEN_ORIGIN', 'Forbidden: %s', 403)
export const UnsupportedMediaType = createError('CHATZY_UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json', 415)
export const PayloadTooLarge = createError('CHATZY_PAYLOAD_TOO_LARGE', 'Request body is too large', 413)
export const UpstreamBadResponse = createError('CHATZY_UPSTREAM_BAD_RESPONSE', 'Chatzy answered with an unexpected response', 502)
export const UpstreamUnavailable = createError('CHATZY_UPSTREAM_UNAVAILABLE', 'Chatzy is unavailable', 503)
export const UpstreamTimeout = createError('CHATZY_UPSTREAM_TIMEOUT', 'Chatzy did not answer in time', 504)
export const StoreUnavailable = createError('CHATZY_STORE_UNAVAILABLE', 'The session store is unavailable', 503)

/**
 * Chatzy refused the credentials (a 4xx). For a refresh token this means "mint again"; a refused
 * mint means the plugin's `apiKey` or chatbot id is wrong, which the browser cannot fix: it is
 * answered as 502 `CHATZY_UPSTREAM_BAD_RESPONSE` and logged with this cause.
 */
export const UpstreamRefused = createError('CHATZY_UPSTREAM_REFUSED', 'Chatzy refused the request', 502)

/** Anything unexpected (a throwing `identify`, a bug): the browser learns nothing more. */
export const Internal = createError('CHATZY_INTERNAL', 'Internal error', 500)
