import { channel, tracingChannel } from 'node:diagnostics_channel'

/**
 * The plugin's `node:diagnostics_channel` names, as undici and Fastify publish theirs: a
 * subscriber (OpenTelemetry, Prometheus, a logger) needs no change to the plugin. Names are
 * `chatzy-agent:` then the subject; `upstream` is a TracingChannel, so its events are
 * `tracing:chatzy-agent:upstream:start` … `:asyncEnd` / `:error`. No message ever carries a
 * token, the API key or a cookie value (session ids included).
 */
export const diagnosticsChannels = {
  /** TracingChannel around every HTTP attempt at Chatzy: {@link UpstreamCallMessage}. */
  upstream: 'chatzy-agent:upstream',
  /** A session was minted for a user: {@link SessionMessage}. */
  sessionCreated: 'chatzy-agent:session.created',
  /** A token was handed out from the store, with no upstream call: {@link SessionMessage}. */
  sessionReused: 'chatzy-agent:session.reused',
  /** A session's token was renewed at Chatzy (once per upstream renewal, however many callers shared it): {@link SessionRefreshedMessage}. */
  sessionRefreshed: 'chatzy-agent:session.refreshed',
  /** A route answered with an error: {@link SessionRefusedMessage}. */
  sessionRefused: 'chatzy-agent:session.refused',
  /** A session was ended: {@link SessionEndedMessage}. */
  sessionEnded: 'chatzy-agent:session.ended',
  /** A route answered 429 `CHATZY_RATE_LIMITED`: {@link SessionRateLimitedMessage}. */
  sessionRateLimited: 'chatzy-agent:session.rate-limited',
} as const

/** How one attempt at Chatzy ended. */
export type UpstreamOutcome =
  | 'ok'
  | 'refused' // a 4xx: a refresh token or an API key Chatzy does not accept
  | 'throttled' // 429 (or 503 with Retry-After): back-pressure
  | 'server-error' // 5xx or 408
  | 'timeout'
  | 'network' // no HTTP answer: connection refused, reset…
  | 'bad-response' // not JSON, not the documented shape, too large, a redirect

/**
 * The context of one HTTP attempt at Chatzy. `operation`, `chatbotId` and `attempt` are there
 * from `start`; `outcome`, `durationMs` and `statusCode` (when Chatzy answered) are set by
 * `asyncEnd` (and `error`, which also carries the `CHATZY_*` error as `error`).
 */
export interface UpstreamCallMessage {
  operation: 'mint' | 'refresh'
  chatbotId: string
  /** 1 for the first attempt of an operation, 2 for its first retry… */
  attempt: number
  outcome?: UpstreamOutcome
  statusCode?: number
  durationMs?: number
  error?: unknown
}

export interface SessionMessage {
  chatbotId: string
  userId: string
}

export interface SessionRefreshedMessage extends SessionMessage {
  /** `mint` when Chatzy refused the refresh token (or it had expired) and the user got a new one. */
  via: 'refresh' | 'mint'
}

export interface SessionRefusedMessage {
  /** The answer's `CHATZY_*` code. */
  code: string
  statusCode: number
  /** The route, as registered (`POST /chatzy/refresh`). */
  route: string
}

export interface SessionRateLimitedMessage extends SessionRefusedMessage {
  /** The answer's `Retry-After`, in seconds. */
  retryAfterSeconds: number | undefined
}

export interface SessionEndedMessage {
  /** `sign-out`: `DELETE /session` or `endSession`; `user-changed`: `identify` no longer gives its user; `refused`: Chatzy refused the user; `replaced`: the user's oldest, over `sessionsPerUser`. */
  reason: 'sign-out' | 'user-changed' | 'refused' | 'replaced'
  chatbotId?: string
  userId?: string
}

const upstream = tracingChannel<unknown, UpstreamCallMessage>(diagnosticsChannels.upstream)
const created = channel(diagnosticsChannels.sessionCreated)
const reused = channel(diagnosticsChannels.sessionReused)
const refreshed = channel(diagnosticsChannels.sessionRefreshed)
const refused = channel(diagnosticsChannels.sessionRefused)
const ended = channel(diagnosticsChannels.sessionEnded)
const rateLimited = channel(diagnosticsChannels.sessionRateLimited)

/** Is anyone listening to upstream attempts? When not, an attempt runs with nothing around it. */
export function upstreamTraced(): boolean {
  return upstream.hasSubscribers
}

/**
 * Runs one attempt at Chatzy inside the upstream TracingChannel. The attempt resolves nothing:
 * its answer holds tokens, and a tracing channel hands the result to every subscriber. It
 * fills in `outcome` and `statusCode` itself, before it settles.
 */
export function traceUpstream(message: UpstreamCallMessage, attempt: (message: UpstreamCallMessage) => Promise<void>): Promise<void> {
  const started = performance.now()
  return upstream.tracePromise(async () => {
    try {
      await attempt(message)
    } finally {
      message.durationMs = performance.now() - started
    }
  }, message)
}

/** Publishes only when someone listens: building a message costs an object per request. */
function publisher<M>(to: ReturnType<typeof channel>) {
  return (message: () => M) => {
    if (to.hasSubscribers) to.publish(message())
  }
}

export const publish = {
  created: publisher<SessionMessage>(created),
  reused: publisher<SessionMessage>(reused),
  refreshed: publisher<SessionRefreshedMessage>(refreshed),
  refused: publisher<SessionRefusedMessage>(refused),
  ended: publisher<SessionEndedMessage>(ended),
  rateLimited: publisher<SessionRateLimitedMessage>(rateLimited),
}
