export { default, default as chatzyAgent } from './plugin.js'
export type { ChatzyDecorator } from './plugin.js'
export type { ChatzyHealth } from './health.js'
export type { BreakerState } from './breaker.js'
export type { ChatzyAgentOptions, ChatzyCookieOptions } from './options.js'
export type { SessionStore, StoredSession } from './store.js'
export { memoryStore, type MemoryStore, type MemoryStoreOptions } from './stores/memory.js'
export { logRedactPaths } from './log.js'
export { redisStore, type RedisStoreOptions, type RedisClient } from './stores/redis.js'
export * as errors from './errors.js'
export {
  diagnosticsChannels,
  type UpstreamCallMessage,
  type UpstreamOutcome,
  type SessionMessage,
  type SessionRefreshedMessage,
  type SessionRefusedMessage,
  type SessionRateLimitedMessage,
  type SessionEndedMessage,
} from './diagnostics.js'
export type { SessionAnswer, RefreshAnswer, SessionRequest, RefreshRequest, EndRequest, ErrorAnswer, ErrorCode } from '../../contract/wire.js'
