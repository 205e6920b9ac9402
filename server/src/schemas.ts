import { Type, type Static } from '@sinclair/typebox'
import type { EndRequest, RefreshAnswer, RefreshRequest, SessionAnswer, SessionRequest } from '../../contract/wire.js'

/*
 * HTTP schemas of the plugin's routes. Answers list their fields exactly
 * (`additionalProperties: false` makes fast-json-stringify drop anything else), so
 * nothing extra (a refresh token above all) can ever be serialized into a response.
 */

/**
 * A chatbot id in a request body: any id-like string, then checked against the allowed list
 * (so an unknown one is `CHATZY_CHATBOT_NOT_ALLOWED`, a malformed one `CHATZY_BAD_REQUEST`).
 */
export const ChatbotId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })
/** A chatbot id in the options: Chatzy's ids are uuids (PROTOCOL.md), so a typo fails at registration. */
export const ChatbotUuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' })
export const EXAMPLE_CHATBOT_ID = '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'
const EpochMs = Type.Integer({ minimum: 0, maximum: 8.64e15 })

export const SessionBody = Type.Object({ chatbot_id: Type.Optional(ChatbotId) }, { additionalProperties: false })
export const RefreshBody = Type.Object({ chatbot_id: Type.Optional(ChatbotId), expires_at: Type.Optional(EpochMs) }, { additionalProperties: false })
/** `DELETE /session` names the chatbot whose session ends, or nothing (no body, `{}`): then every one. */
export const EndBody = Type.Union([Type.Object({ chatbot_id: Type.Optional(ChatbotId) }, { additionalProperties: false }), Type.Undefined(), Type.Null()])

export const SessionReply = Type.Object(
  {
    user_id: Type.String(),
    chatbot_id: Type.String(),
    access_token: Type.String(),
    expires_at: Type.Number(),
    iframe_url: Type.String(),
  },
  { additionalProperties: false },
)

export const RefreshReply = Type.Object(
  { access_token: Type.String(), expires_at: Type.Number() },
  { additionalProperties: false },
)

export const ErrorReply = Type.Object(
  { statusCode: Type.Integer(), code: Type.String(), error: Type.String(), message: Type.String() },
  { additionalProperties: false },
)

// The HTTP schemas and the wire contract must describe the same shapes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameShapes: [
  Same<Static<typeof SessionBody>, SessionRequest>,
  Same<Static<typeof RefreshBody>, RefreshRequest>,
  Same<Exclude<Static<typeof EndBody>, null | undefined>, EndRequest>,
  Same<Static<typeof SessionReply>, SessionAnswer>,
  Same<Static<typeof RefreshReply>, RefreshAnswer>,
] = [true, true, true, true, true]
void sameShapes

/* Chatzy's two answers (PROTOCOL.md). Unknown extra fields are tolerated, missing or mistyped ones are not. */

const Token = Type.String({ minLength: 1, maxLength: 8192 })

export const MintAnswer = Type.Object({
  data: Type.Object({
    access_token: Token,
    refresh_token: Token,
    access_token_expires_at: EpochMs,
    refresh_token_expires_at: EpochMs,
  }),
})
export type MintAnswer = Static<typeof MintAnswer>

export const RefreshTokenAnswer = Type.Object({
  data: Type.Object({ access_token: Token, expires_at: EpochMs }),
})
export type RefreshTokenAnswer = Static<typeof RefreshTokenAnswer>
