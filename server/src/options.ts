import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { FastifyRequest } from 'fastify'
import type { SessionStore } from './store.js'

/** The documented base of Chatzy's API (PROTOCOL.md). */
export const DEFAULT_API_URL = 'https://vevdoh3hve.execute-api.us-east-1.amazonaws.com/prod'
export const DEFAULT_APP_URL = 'https://app.chatzy.ai'

const Secret = Type.String({ minLength: 1 })
const Secrets = Type.Union([Secret, Type.Array(Secret, { minItems: 1 })])
const HttpUrl = Type.String({ pattern: '^https?://[^\\s/]+' })
const ChatbotId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })
const Fn = Type.Function([], Type.Unknown())

/** Validated at `register`: a bad option fails registration with a message that names it. */
export const OptionsSchema = Type.Object({
  apiKey: Secret,
  chatbotId: Type.Union([ChatbotId, Type.Array(ChatbotId, { minItems: 1 })]),
  identify: Fn,
  apiUrl: Type.Optional(HttpUrl),
  appUrl: Type.Optional(HttpUrl),
  prefix: Type.Optional(Type.String({ pattern: '^/[^?#]*$' })),
  cookie: Type.Object({
    name: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]+$' })),
    secret: Type.Union([Type.String({ minLength: 32 }), Type.Array(Type.String({ minLength: 32 }), { minItems: 1 })]),
    secure: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('auto')])),
    sameSite: Type.Optional(Type.Union([Type.Literal('strict'), Type.Literal('lax'), Type.Literal('none')])),
    path: Type.Optional(Type.String({ pattern: '^/' })),
    maxAgeSeconds: Type.Optional(Type.Integer({ minimum: 60 })),
  }),
  store: Type.Optional(Type.Object({ get: Fn, set: Fn, delete: Fn })),
  allowedOrigins: Type.Optional(Type.Array(HttpUrl)),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
  retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  minRefreshIntervalMs: Type.Optional(Type.Integer({ minimum: 0 })),
  refreshMarginMs: Type.Optional(Type.Integer({ minimum: 0 })),
  encryptionKey: Type.Optional(Secrets),
})

export interface ChatzyAgentOptions extends Omit<Static<typeof OptionsSchema>, 'identify' | 'store'> {
  /** The host's own signed-in user id for this request, or null when nobody is signed in. */
  identify: (request: FastifyRequest) => string | null | undefined | Promise<string | null | undefined>
  /** Where sessions live. Default: `memoryStore()`. */
  store?: SessionStore
}

/** Throws a TypeError naming the first bad option. */
export function checkOptions(options: unknown): asserts options is ChatzyAgentOptions {
  const first = Value.Errors(OptionsSchema, options).First()
  if (first === undefined) return
  const name = first.path === '' ? 'options' : first.path.slice(1).replaceAll('/', '.')
  throw new TypeError(`chatzy-agent: invalid option "${name}": ${first.message}`)
}
