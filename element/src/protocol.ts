/**
 * Chatzy's iframe messages (PROTOCOL.md): parsed defensively, whatever the iframe sends.
 * Messages may be objects or JSON strings; replies use the form of the ask.
 */
export const TOKEN_REFRESH = '[TOKEN_REFRESH]'
export const TOKEN_REFRESH_RESPONSE = '[TOKEN_REFRESH_RESPONSE]'
export const ASSISTANT_NUDGE = '[ASSISTANT_NUDGE]'

export type MessageForm = 'object' | 'string'

export interface ChatzyMessage {
  readonly type: string
  readonly [field: string]: unknown
}

export interface ParsedMessage {
  message: ChatzyMessage
  form: MessageForm
}

/** Anything bigger is no message of Chatzy's (64 KiB, counted in UTF-16 code units). */
export const MAX_MESSAGE_SIZE = 64 * 1024

const poisoned = (key: string) => key === '__proto__' || key === 'constructor' || key === 'prototype'

/**
 * A plain copy of `data` when it is an object message with a string `type`, else undefined.
 * Never throws. Objects are copied through JSON, so what reaches the host is plain data:
 * no getters, no cycles, no class instances; `__proto__`, `constructor` and `prototype` keys
 * are dropped at every depth and the copy has no prototype.
 */
export function parseMessage(data: unknown): ParsedMessage | undefined {
  try {
    const form: MessageForm = typeof data === 'string' ? 'string' : 'object'
    if (form === 'object' && (typeof data !== 'object' || data === null || Array.isArray(data))) return undefined
    const text = form === 'string' ? (data as string) : JSON.stringify(data)
    if (typeof text !== 'string' || text.length > MAX_MESSAGE_SIZE) return undefined
    const value: unknown = JSON.parse(text, (key, field: unknown) => (poisoned(key) ? undefined : field))
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
    const message = Object.assign(Object.create(null) as Record<string, unknown>, value)
    return typeof message.type === 'string' ? { message: message as ChatzyMessage, form } : undefined
  } catch {
    return undefined
  }
}

export function encode(message: ChatzyMessage, form: MessageForm): unknown {
  return form === 'string' ? JSON.stringify(message) : message
}

/** The exact origin of a URL, or undefined when it is no http(s) URL. */
export function originOf(url: string, base?: string): string | undefined {
  try {
    const parsed = new URL(url, base)
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined
  } catch {
    return undefined
  }
}
