import { chatzyError } from './core/chatzy-error.js'

export type { ChatzyErrorConstructor } from './core/chatzy-error.js'

/**
 * Every runtime error of the plugin: a `CHATZY_*` code, an HTTP status, and a message that
 * never contains a secret (tokens and keys are never interpolated into these).
 */
export const Unauthenticated = chatzyError('CHATZY_UNAUTHENTICATED', 'No signed-in user for this request', 401)
export const NoSession = chatzyError('CHATZY_NO_SESSION', 'No valid Chatzy session for this cookie (none, expired or ended)', 401)
export const BadRequest = chatzyError('CHATZY_BAD_REQUEST', 'Bad request: %s', 400)
export const ChatbotNotAllowed = chatzyError('CHATZY_CHATBOT_NOT_ALLOWED', 'This chatbot id is not allowed', 400)
export const ForbiddenOrigin = chatzyError('CHATZY_FORBIDDEN_ORIGIN', 'Forbidden: %s', 403)
export const UnsupportedMediaType = chatzyError('CHATZY_UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json', 415)
export const PayloadTooLarge = chatzyError('CHATZY_PAYLOAD_TOO_LARGE', 'Request body is too large', 413)
export const UpstreamBadResponse = chatzyError('CHATZY_UPSTREAM_BAD_RESPONSE', 'Chatzy answered with an unexpected response', 502)
export const UpstreamUnavailable = chatzyError('CHATZY_UPSTREAM_UNAVAILABLE', 'Chatzy is unavailable', 503)
export const UpstreamTimeout = chatzyError('CHATZY_UPSTREAM_TIMEOUT', 'Chatzy did not answer in time', 504)
export const RateLimited = chatzyError('CHATZY_RATE_LIMITED', 'Too many requests for this user: try again in %s s', 429)
export const StoreUnavailable = chatzyError('CHATZY_STORE_UNAVAILABLE', 'The session store is unavailable', 503)

/**
 * Chatzy refused the credentials (a 4xx). For a refresh token this means "mint again"; a refused
 * mint means the plugin's `apiKey` or chatbot id is wrong, which the browser cannot fix: it is
 * answered as 502 `CHATZY_UPSTREAM_BAD_RESPONSE` and logged with this cause. The argument says
 * which call, Chatzy's status and the likely cause (never a secret).
 */
export const UpstreamRefused = chatzyError('CHATZY_UPSTREAM_REFUSED', 'Chatzy refused the %s', 502)

/** Anything unexpected (a throwing `identify`, a bug): the browser learns nothing more. */
export const Internal = chatzyError('CHATZY_INTERNAL', 'Internal error', 500)

