import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { iframePage } from './iframe-page.js'
import { faultInjector, type FaultInjector, type FaultPlan } from './faults.js'

/**
 * A faithful stand-in for Chatzy: its two token endpoints with exactly the documented bodies
 * and answers (PROTOCOL.md), and an iframe page that speaks the real postMessage protocol.
 * Everything past that (`/mock/...`) exists for people and tests to look inside.
 */
export interface MockChatzyOptions {
  apiKey: string
  /** Lifetime of an access token. Chatzy's docs suggest ~15 min; the demo uses ~20 s. */
  accessTtlMs?: number
  refreshTtlMs?: number
  /**
   * Delay before every answer (API calls and the iframe page), in ms: the round trip to a real
   * Chatzy across the internet, so that a cold start has something to wait for. Default 0.
   */
  latencyMs?: number
  logger?: boolean
}

interface Grant { user_id: string; chatbot_id: string; expires_at: number }

export interface MockChatzy {
  app: FastifyInstance
  /** Upstream calls received, by endpoint. */
  calls: { mint: number; refresh: number }
  /** Misbehaviour on demand (also at `POST /mock/faults` and `DELETE /mock/faults`). */
  faults: FaultInjector
  /** Every token ever issued (tests grep for them). */
  issued: { access: Set<string>; refresh: Set<string> }
  /** Whom and which chatbot an access token was issued for (undefined: never issued, or expired). */
  grantOf(accessToken: string): { user_id: string; chatbot_id: string } | undefined
  /** Expire or revoke tokens by hand. */
  revokeRefreshTokens(): void
  expireAccessTokens(): void
  options: Required<Omit<MockChatzyOptions, 'logger'>>
}

/** A conversation as Chatzy keeps it, per user: what the iframe shows again on its next load. */
interface Line { kind: 'user' | 'agent'; text: string }
const CONVERSATION_LIMIT = 50

const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' })
const NonEmpty = Type.String({ minLength: 1 })

const MintBody = Type.Object(
  { user_id: NonEmpty, chatbot_id: Uuid, client_api_key: NonEmpty },
  { additionalProperties: false },
)
const RefreshBody = Type.Object(
  { user_id: NonEmpty, chatbot_id: Uuid, refresh_token: NonEmpty },
  { additionalProperties: false },
)
const MintAnswer = Type.Object({
  data: Type.Object({
    access_token: Type.String(),
    refresh_token: Type.String(),
    access_token_expires_at: Type.Number(),
    refresh_token_expires_at: Type.Number(),
  }),
})
const RefreshAnswer = Type.Object({ data: Type.Object({ access_token: Type.String(), expires_at: Type.Number() }) })
const Refused = Type.Object({ message: Type.String() })

const token = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`

export function createMockChatzy(options: MockChatzyOptions): MockChatzy {
  const settings = {
    apiKey: options.apiKey,
    accessTtlMs: options.accessTtlMs ?? 15 * 60_000,
    refreshTtlMs: options.refreshTtlMs ?? 7 * 24 * 3_600_000 - 15 * 60_000,
    latencyMs: options.latencyMs ?? 0,
  }
  const app = Fastify({
    logger: options.logger ?? false,
    forceCloseConnections: true,
    // Refuse, rather than strip or coerce, anything that is not exactly the documented body.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  const accessTokens = new Map<string, Grant>()
  const refreshTokens = new Map<string, Grant>()
  const calls = { mint: 0, refresh: 0 }
  const issued = { access: new Set<string>(), refresh: new Set<string>() }
  const faults = faultInjector()
  const conversations = new Map<string, Line[]>()

  if (settings.latencyMs > 0) {
    app.addHook('onRequest', async () => {
      await new Promise((resolve) => setTimeout(resolve, settings.latencyMs))
    })
  }

  // Count every call, then let an injected fault take it over.
  app.addHook('preHandler', async (request, reply) => {
    const endpoint = request.url.startsWith('/ai_agent/get_access_token') ? 'mint'
      : request.url.startsWith('/ai_agent/refresh_token') ? 'refresh' : undefined
    if (endpoint === undefined) return
    calls[endpoint]++
    if (await faults.apply(endpoint, request, reply)) return reply
  })

  function issueAccess(user_id: string, chatbot_id: string): [string, number] {
    const value = token('at')
    const expires_at = Date.now() + settings.accessTtlMs
    accessTokens.set(value, { user_id, chatbot_id, expires_at })
    issued.access.add(value)
    return [value, expires_at]
  }

  app.post('/ai_agent/get_access_token', { schema: { body: MintBody, response: { 200: MintAnswer, 401: Refused } } }, async (request, reply) => {
    const { user_id, chatbot_id, client_api_key } = request.body
    if (client_api_key !== settings.apiKey) return reply.code(401).send({ message: 'Invalid client_api_key' })
    const [access_token, access_token_expires_at] = issueAccess(user_id, chatbot_id)
    const refresh_token = token('rt')
    const refresh_token_expires_at = Date.now() + settings.refreshTtlMs
    refreshTokens.set(refresh_token, { user_id, chatbot_id, expires_at: refresh_token_expires_at })
    issued.refresh.add(refresh_token)
    return { data: { access_token, refresh_token, access_token_expires_at, refresh_token_expires_at } }
  })

  app.post('/ai_agent/refresh_token', { schema: { body: RefreshBody, response: { 200: RefreshAnswer, 401: Refused } } }, async (request, reply) => {
    const { user_id, chatbot_id, refresh_token } = request.body
    const grant = refreshTokens.get(refresh_token)
    if (grant === undefined || grant.expires_at <= Date.now() || grant.user_id !== user_id || grant.chatbot_id !== chatbot_id) {
      return reply.code(401).send({ message: 'Invalid or expired refresh token' })
    }
    const [access_token, expires_at] = issueAccess(user_id, chatbot_id)
    return { data: { access_token, expires_at } }
  })

  // The iframe's own check of its token, as Chatzy's iframe checks it on every API call.
  app.get('/mock/token-info', {
    schema: { querystring: Type.Object({ access_token: Type.String() }) },
  }, async (request) => {
    const grant = accessTokens.get(request.query.access_token)
    if (grant === undefined) return { valid: false, reason: 'unknown' }
    return { valid: grant.expires_at > Date.now(), reason: grant.expires_at > Date.now() ? 'ok' : 'expired', ...grant }
  })

  // The conversation of the token's user and chatbot, kept across page loads as Chatzy keeps it.
  const conversationOf = (accessToken: string) => {
    const grant = accessTokens.get(accessToken)
    return grant === undefined || grant.expires_at <= Date.now() ? undefined : `${grant.chatbot_id} ${grant.user_id}`
  }
  app.get('/mock/conversation', {
    schema: { querystring: Type.Object({ access_token: Type.String() }) },
  }, async (request, reply) => {
    const key = conversationOf(request.query.access_token)
    if (key === undefined) return reply.code(401).send({ message: 'Invalid or expired access token' })
    return { lines: conversations.get(key) ?? [] }
  })
  app.post('/mock/conversation', {
    schema: {
      body: Type.Object({
        access_token: Type.String(),
        lines: Type.Array(Type.Object({ kind: Type.Union([Type.Literal('user'), Type.Literal('agent')]), text: Type.String({ maxLength: 2_000 }) }), { maxItems: 2 }),
      }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const key = conversationOf(request.body.access_token)
    if (key === undefined) return reply.code(401).send({ message: 'Invalid or expired access token' })
    const lines = [...(conversations.get(key) ?? []), ...request.body.lines].slice(-CONVERSATION_LIMIT)
    conversations.set(key, lines)
    return { ok: true }
  })

  app.post<{ Body: FaultPlan }>('/mock/faults', async (request) => {
    faults.inject(request.body)
    return { ok: true }
  })
  app.delete('/mock/faults', async () => {
    faults.clear()
    return { ok: true }
  })

  app.get('/chatbot-iframe/:chatbotId', async (_request, reply) => {
    return reply.type('text/html; charset=utf-8').send(iframePage)
  })

  app.addHook('onClose', async () => faults.clear())

  return {
    app,
    calls,
    grantOf(accessToken) {
      const grant = accessTokens.get(accessToken)
      return grant && grant.expires_at > Date.now() ? { user_id: grant.user_id, chatbot_id: grant.chatbot_id } : undefined
    },
    faults,
    issued,
    options: settings,
    revokeRefreshTokens: () => refreshTokens.clear(),
    expireAccessTokens: () => {
      for (const grant of accessTokens.values()) grant.expires_at = Math.min(grant.expires_at, Date.now())
    },
  }
}
