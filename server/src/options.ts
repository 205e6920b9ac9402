import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import type { SessionStore } from './store.js'
import type { ChatzyCookieOptions, ChatzyOptions } from './core/options.js'
import { ChatbotUuid, EXAMPLE_CHATBOT_ID } from './schemas.js'

/** The documented base of Chatzy's API (PROTOCOL.md). */
export const DEFAULT_API_URL = 'https://vevdoh3hve.execute-api.us-east-1.amazonaws.com/prod'
export const DEFAULT_APP_URL = 'https://app.chatzy.ai'

const Secret = Type.String({ minLength: 1 })
// A cookie secret is a signing key: short ones can be brute-forced offline from one cookie.
const CookieSecret = Type.String({ minLength: 32 })
const HttpUrl = Type.String({ pattern: '^https?://[^\\s/]+' })
const Fn = Type.Function([], Type.Unknown())

const CookieSchema = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' })),
  secret: Type.Union([CookieSecret, Type.Array(CookieSecret, { minItems: 1 })]),
  secure: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('auto')])),
  sameSite: Type.Optional(Type.Union([Type.Literal('strict'), Type.Literal('lax'), Type.Literal('none')])),
  path: Type.Optional(Type.String({ pattern: '^/' })),
  maxAgeSeconds: Type.Optional(Type.Integer({ minimum: 60 })),
})

const BreakerSchema = Type.Object({
  threshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
  cooldownMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000 })),
})

const MintLimitSchema = Type.Object({
  max: Type.Integer({ minimum: 1 }),
  windowMs: Type.Integer({ minimum: 1_000 }),
})

/** Validated at `register`: a bad option fails registration with a message that names it. */
export const OptionsSchema = Type.Object({
  apiKey: Secret,
  chatbotId: Type.Union([ChatbotUuid, Type.Array(ChatbotUuid, { minItems: 1 })]),
  identify: Fn,
  apiUrl: Type.Optional(HttpUrl),
  appUrl: Type.Optional(HttpUrl),
  prefix: Type.Optional(Type.String({ pattern: '^/[^?#]*$' })),
  cookie: CookieSchema,
  // Checked by hand below: a store may be a class instance, with its methods on the prototype.
  store: Type.Optional(Type.Unknown()),
  allowedOrigins: Type.Optional(Type.Array(HttpUrl)),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
  retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  breaker: Type.Optional(BreakerSchema),
  minRefreshIntervalMs: Type.Optional(Type.Integer({ minimum: 0 })),
  refreshMarginMs: Type.Optional(Type.Integer({ minimum: 0 })),
  lockTtlMs: Type.Optional(Type.Integer({ minimum: 100 })),
  mintLimit: Type.Optional(MintLimitSchema),
  sessionsPerUser: Type.Optional(Type.Integer({ minimum: 1 })),
  encryptionKey: Type.Optional(Type.Union([CookieSecret, Type.Array(CookieSecret, { minItems: 1 })])),
  // Checked by hand below, like store: a class instance.
  dispatcher: Type.Optional(Type.Unknown()),
})

export type { ChatzyCookieOptions }

/** Options of `app.register(chatzyAgent, options)`: every adapter's (`ChatzyOptions`), for a Fastify request. */
export interface ChatzyAgentOptions extends Omit<ChatzyOptions<FastifyRequest>, 'logger'> {
  /**
   * The undici dispatcher that calls to Chatzy go through: an egress proxy (`ProxyAgent`,
   * `EnvHttpProxyAgent`), an `Agent` with your own CA or pool settings. Default: a keep-alive
   * pool of the plugin's own. It must not follow redirects (undici's do not, unless told to).
   */
  dispatcher?: Dispatcher
}

// The hand-written interface (with its docs) and the schema must accept the same options.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Checked = Omit<ChatzyAgentOptions, 'identify' | 'store' | 'dispatcher'>
const sameOptions: Same<Omit<Static<typeof OptionsSchema>, 'identify' | 'store' | 'dispatcher'>, Checked> = true
void sameOptions

const MAKE_SECRET = 'make one with: openssl rand -hex 32'

/** A secret is never quoted: only how long the wrong one is. */
function secretHint(value: unknown): string {
  const lengths = [value].flat().map((secret) => (typeof secret === 'string' ? `${secret.length}` : typeof secret))
  if (value === undefined) return `required, at least 32 characters (is its environment variable unset?); ${MAKE_SECRET}`
  if (Array.isArray(value) && value.length === 0) return `an empty list; give at least one key of 32 characters or more; ${MAKE_SECRET}`
  return `each key must be a string of at least 32 characters (got ${lengths.join(', ')}); ${MAKE_SECRET}`
}

/**
 * For the mistakes a newcomer makes, what to do instead of the schema's bare "Expected …".
 * Keyed by option name (a list's index left off); the argument is the offending value.
 */
const WHAT_TO_DO: Record<string, (value: unknown) => string> = {
  apiKey: (value) => value === undefined || value === ''
    ? 'required: Chatzy\'s client_api_key ("AI Agent Auth Key"), kept on the server (is CHATZY_API_KEY unset?)'
    : 'expected a non-empty string: Chatzy\'s client_api_key ("AI Agent Auth Key")',
  chatbotId: (value) => value === undefined
    ? `required: your chatbot's id, a uuid like ${EXAMPLE_CHATBOT_ID} (in Chatzy's embed code), or a list of them (is CHATZY_CHATBOT_ID unset?)`
    : `expected a chatbot id, a uuid like ${EXAMPLE_CHATBOT_ID} (in Chatzy's embed code), or a non-empty list of them`,
  identify: () => 'required: a function (request) => the id of your signed-in user, or null when nobody is signed in',
  cookie: () => `required: { secret } with a secret of at least 32 characters; ${MAKE_SECRET}`,
  'cookie.secret': secretHint,
  encryptionKey: secretHint,
}

/** Keys Fastify itself may pass along with a plugin's options. */
const REGISTER_KEYS = new Set(['logLevel', 'logSerializers'])

/** Throws a TypeError naming the first bad option (a misspelt key is a bad option too). */
export function checkOptions(options: unknown): asserts options is ChatzyAgentOptions {
  fail(unknownKey(options))
  const first = Value.Errors(OptionsSchema, options).First()
  if (first !== undefined) {
    const name = first.path === '' ? 'options' : first.path.slice(1).replaceAll('/', '.')
    fail(`invalid option "${name}": ${WHAT_TO_DO[name.replace(/\.\d+$/, '')]?.(first.value) ?? first.message}`)
  }
  const { cookie, store, apiUrl, appUrl, allowedOrigins, dispatcher } = options as ChatzyAgentOptions
  fail(badStore(store))
  if (dispatcher !== undefined && typeof (dispatcher as Partial<Dispatcher> | null)?.dispatch !== 'function') {
    fail('invalid option "dispatcher": expected an undici Dispatcher (an object with a dispatch method)')
  }
  for (const [name, url] of [['apiUrl', apiUrl], ['appUrl', appUrl], ...(allowedOrigins ?? []).map((origin, i) => [`allowedOrigins.${i}`, origin])]) {
    if (url !== undefined && !URL.canParse(url)) fail(`invalid option "${name}": not a URL`)
  }
  // Calls go to the URL's origin and path: credentials in it would be silently dropped.
  if (apiUrl !== undefined && (new URL(apiUrl).username !== '' || new URL(apiUrl).password !== '')) {
    fail('invalid option "apiUrl": no credentials in the URL (the API key goes in apiKey)')
  }
  if (cookie.sameSite === 'none' && cookie.secure === false) {
    fail('invalid option "cookie.sameSite": \'none\' needs a Secure cookie (cookie.secure must not be false)')
  }
}

function badStore(store: unknown): string | undefined {
  if (store === undefined) return undefined
  const methods = store as Partial<Record<keyof SessionStore, unknown>> | null
  for (const method of ['get', 'set', 'delete'] as const) {
    if (typeof methods?.[method] !== 'function') return `invalid option "store.${method}": expected a function`
  }
  for (const method of ['replace', 'lock', 'hit', 'addUserSession'] as const) {
    if (methods![method] !== undefined && typeof methods![method] !== 'function') return `invalid option "store.${method}": expected a function`
  }
  return undefined
}

function unknownKey(options: unknown): string | undefined {
  if (typeof options !== 'object' || options === null) return undefined
  const check = (value: unknown, schema: { properties: Record<string, unknown> }, path: string, extra = new Set<string>()) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
    const key = Object.keys(value).find((k) => !(k in schema.properties) && !extra.has(k))
    return key === undefined ? undefined : `unknown option "${path}${key}"`
  }
  const all = options as Record<string, unknown>
  return check(all, OptionsSchema, '', REGISTER_KEYS) ?? check(all.cookie, CookieSchema, 'cookie.') ?? check(all.breaker, BreakerSchema, 'breaker.') ?? check(all.mintLimit, MintLimitSchema, 'mintLimit.')
}

function fail(message: string | undefined): void {
  if (message !== undefined) throw new TypeError(`chatzy-agent: ${message}`)
}
