import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { asStoredSession, type SessionStore, type StoredSession } from './store.js'
import { inProcessStore, readNowOf } from './in-process-store.js'

/**
 * Sealed session records: the whole record, as JSON, in AES-256-GCM, written as
 * `v2.<key id>.<base64url(iv ‖ ciphertext ‖ tag)>` in the record's `refresh_token` field.
 * The key id lets a store hold values sealed under several keys during a rotation; it is
 * derived from the key, not the key itself, so it tells a reader of the store nothing.
 */
const VERSION = 'v2'
const IV_BYTES = 12
const TAG_BYTES = 16
const MIN_KEY_CHARS = 32
const SALT = 'chatzy-agent encryptionKey'

interface SealingKey {
  id: string
  key: Buffer
}

/** HKDF-SHA-256 turns each configured string into an AES key and an unrelated key id. */
function deriveKey(secret: string): SealingKey {
  const derive = (info: string, length: number) => Buffer.from(hkdfSync('sha256', secret, SALT, info, length))
  return {
    id: derive('key id', 6).toString('base64url'),
    key: derive('session record aes-256-gcm v2', 32),
  }
}

/**
 * Binds a sealed record to its session id and owner: moved under another id (or given
 * another user or chatbot in the clear), it no longer opens.
 */
function context(id: string, session: Pick<StoredSession, 'user_id' | 'chatbot_id'>): Buffer {
  return Buffer.from(JSON.stringify([VERSION, id, session.user_id, session.chatbot_id]))
}

function seal(key: SealingKey, plaintext: string, aad: Buffer): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad)
  const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `${VERSION}.${key.id}.${body.toString('base64url')}`
}

/** The plaintext, or undefined for anything that is not a value one of `keys` sealed for this context. */
function open(keys: ReadonlyMap<string, SealingKey>, sealed: string, aad: Buffer): string | undefined {
  const [version, keyId, encoded, ...rest] = sealed.split('.')
  if (version !== VERSION || keyId === undefined || encoded === undefined || rest.length > 0) return undefined
  const key = keys.get(keyId)
  if (key === undefined) return undefined
  const body = Buffer.from(encoded, 'base64url')
  if (body.length < IV_BYTES + TAG_BYTES) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, body.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES })
    decipher.setAAD(aad)
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8')
  } catch {
    return undefined
  }
}

/** Fields kept in the clear beside the sealed record (for operators, and the store's shape); checked against it on every read. */
const CLEAR_FIELDS = ['user_id', 'chatbot_id', 'refresh_expires_at'] as const

/**
 * What the clear part says of the access token: nothing usable. Read by a plugin without the
 * key (encryption turned off), the record is an expired token with a refresh token Chatzy
 * refuses, so the plugin mints again, as for any session it cannot use.
 */
const CLEAR_ACCESS = { access_token: '', access_expires_at: 0, upstream_at: 0 } as const

/**
 * Seals each stored session record at rest with AES-256-GCM (newest key seals, every key
 * opens): the access token and the refresh token are only in the sealed part, and the whole
 * record is authenticated together with its session id. Without keys the store is used as is.
 *
 * A stored record that does not open (tampered in any field, unsealed, moved to another id,
 * or sealed under a key no longer configured) reads as no session at all: the browser is told
 * to start a new one, and no token of it is ever handed out.
 */
export function sealSessions(store: SessionStore, keys: string | string[] | undefined): SessionStore {
  if (keys === undefined) return store
  const secrets = [keys].flat()
  if (secrets.length === 0 || secrets.some((secret) => typeof secret !== 'string' || secret.length < MIN_KEY_CHARS)) {
    throw new TypeError(`chatzy-agent: invalid option "encryptionKey": each key must be a random string of at least ${MIN_KEY_CHARS} characters`)
  }
  const derived = secrets.map(deriveKey)
  const newest = derived[0]!
  const byId = new Map<string, SealingKey>()
  // Listed newest first: on a (vanishingly unlikely) id clash the newer key wins.
  for (const key of [...derived].reverse()) byId.set(key.id, key)

  const sealed = (id: string, session: StoredSession): StoredSession => ({
    ...session,
    ...CLEAR_ACCESS,
    refresh_token: seal(newest, JSON.stringify(session), context(id, session)),
  })

  const opened = (id: string, stored: StoredSession | undefined): StoredSession | undefined => {
    if (stored === undefined || typeof stored.refresh_token !== 'string') return undefined
    const plaintext = open(byId, stored.refresh_token, context(id, stored))
    if (plaintext === undefined) return undefined
    let session: StoredSession | undefined
    try {
      session = asStoredSession(JSON.parse(plaintext))
    } catch {
      return undefined
    }
    // The clear copies must say what the sealed record says: a rewritten field is a forgery.
    if (session === undefined) return undefined
    if (CLEAR_FIELDS.some((field) => session[field] !== stored[field])) return undefined
    if (Object.entries(CLEAR_ACCESS).some(([field, value]) => stored[field as keyof typeof CLEAR_ACCESS] !== value)) return undefined
    return session
  }

  const wrapper: SessionStore = {
    get: async (id) => opened(id, await store.get(id)),
    set: (id, session, ttlMs) => store.set(id, sealed(id, session), ttlMs),
    ...(store.replace && { replace: (id: string, session: StoredSession, ttlMs: number) => store.replace!(id, sealed(id, session), ttlMs) }),
    delete: (id) => store.delete(id),
    ...(store.lock && { lock: (id: string, ttlMs: number) => store.lock!(id, ttlMs) }),
    ...(store.hit && { hit: (key: string, windowMs: number, max?: number) => store.hit!(key, windowMs, max) }),
    ...(store.addUserSession && { addUserSession: (user: string, id: string, expiresAt: number, max: number) => store.addUserSession!(user, id, expiresAt, max) }),
  }
  // Sealing adds no wait: an in-process store sealed stays readable at once.
  const readNow = readNowOf(store)
  return readNow === undefined ? wrapper : inProcessStore(wrapper, (id) => opened(id, readNow(id)))
}
