/**
 * The wire contract between `<chatzy-agent>` and the Fastify plugin, written once.
 * Types only: the element imports nothing from here at run time, so no server code
 * can ever enter the browser bundle.
 */

/** Answer of `POST {prefix}/session` (and of `fastify.chatzy.startSession`). */
export interface SessionAnswer {
  user_id: string
  chatbot_id: string
  access_token: string
  /** Unix epoch milliseconds, on Chatzy's clock. */
  expires_at: number
  /** The iframe URL to render, token included. */
  iframe_url: string
}

/** Body of `POST {prefix}/session`. */
export interface SessionRequest {
  chatbot_id?: string
}

/**
 * Body of `POST {prefix}/refresh`: the caller's chatbot (default: the first configured one) and
 * the expiry of the token it holds, when known.
 */
export interface RefreshRequest {
  chatbot_id?: string
  expires_at?: number
}

/** Body of `DELETE {prefix}/session`: the chatbot whose session ends; none ends them all. */
export interface EndRequest {
  chatbot_id?: string
}

/** Answer of `POST {prefix}/refresh`. */
export interface RefreshAnswer {
  access_token: string
  expires_at: number
}

/** Fastify's error shape, as every route answers on failure. */
export interface ErrorAnswer {
  statusCode: number
  code: ErrorCode
  error: string
  message: string
}

export type ErrorCode =
  | 'CHATZY_UNAUTHENTICATED'
  | 'CHATZY_NO_SESSION'
  | 'CHATZY_BAD_REQUEST'
  | 'CHATZY_CHATBOT_NOT_ALLOWED'
  | 'CHATZY_FORBIDDEN_ORIGIN'
  | 'CHATZY_UNSUPPORTED_MEDIA_TYPE'
  | 'CHATZY_PAYLOAD_TOO_LARGE'
  | 'CHATZY_UPSTREAM_BAD_RESPONSE'
  | 'CHATZY_UPSTREAM_UNAVAILABLE'
  | 'CHATZY_UPSTREAM_TIMEOUT'
  | 'CHATZY_STORE_UNAVAILABLE'
  /** Too many new sessions for this user (`mintLimit`): try again after the `Retry-After` header's seconds. */
  | 'CHATZY_RATE_LIMITED'
  /** An unexpected failure on the server. */
  | 'CHATZY_INTERNAL'
