import type { TSchema } from '@sinclair/typebox'
import { BadRequest, PayloadTooLarge } from '../errors.js'
import { isPoisoned, parseSafeJson } from './safe-json.js'
import type { SchemaCheck } from './schema-check.js'
import type { ChatzyRequest } from './request.js'

/** Bodies are tiny (`{ chatbot_id }`, `{ expires_at }`): anything bigger is refused unread. */
export const BODY_LIMIT = 4 * 1024

const NOT_JSON = 'the body is not acceptable JSON'

/**
 * Reads a request body of at most `BODY_LIMIT` bytes from its chunks, as text; one byte more
 * and it stops reading (413), so that a large body costs nothing past the limit.
 */
export async function readBody(chunks: AsyncIterable<Uint8Array | string>): Promise<string> {
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk
    size += bytes.byteLength
    if (size > BODY_LIMIT) throw new PayloadTooLarge()
    text += decoder.decode(bytes, { stream: true })
  }
  return text + decoder.decode()
}

/** A string's UTF-8 size, counted only when it could be near the limit (a character is at most 3 bytes). */
function byteLength(text: string): number {
  return text.length * 3 <= BODY_LIMIT ? text.length : new TextEncoder().encode(text).byteLength
}

/** Whether the headers announce a body too large to read at all. */
export function announcedTooLarge(request: Pick<ChatzyRequest, 'header'>): boolean {
  const length = request.header('content-length')
  return length !== undefined && Number(length) > BODY_LIMIT
}

/**
 * The body as the route's schema accepts it, or the same refusals as the Fastify routes
 * always gave: 413 past the limit, 400 for malformed or poisoned JSON and for a body the
 * schema refuses (`body/expires_at Expected integer`). A DELETE may come without a body.
 * `raw` is the request's body, or the one the adapter read for it.
 */
export function checkedBody<T extends TSchema>(request: Pick<ChatzyRequest, 'method' | 'header'>, raw: unknown, check: SchemaCheck<T>): unknown {
  if (announcedTooLarge(request)) throw new PayloadTooLarge()
  let body = raw
  // A host's raw body parser (`express.raw()`) leaves bytes: read as the text they are.
  if (body instanceof Uint8Array) body = new TextDecoder().decode(body)
  if (typeof body === 'string') {
    if (byteLength(body) > BODY_LIMIT) throw new PayloadTooLarge()
    if (body === '' && request.method === 'DELETE') body = undefined
    else {
      try {
        body = parseSafeJson(body)
      } catch {
        throw new BadRequest(NOT_JSON)
      }
    }
  } else if (body === undefined && request.method !== 'DELETE') {
    throw new BadRequest(NOT_JSON)
  } else if (isPoisoned(body)) {
    throw new BadRequest(NOT_JSON)
  }
  if (!check.Check(body)) {
    const first = check.firstError(body)
    throw new BadRequest(`body${first?.path ?? ''} ${first?.message ?? 'is not acceptable'}`)
  }
  return body
}
