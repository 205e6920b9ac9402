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

/** Anything bigger is no message of Chatzy's. */
export const MAX_MESSAGE_BYTES = 64 * 1024

/**
 * A plain copy of `data` when it is an object message with a string `type`, else undefined.
 * Never throws: getters, proxies and cycles in a structured clone cannot reach us, since the
 * copy goes through JSON, and `__proto__`/`constructor` keys are dropped.
 */
export function parseMessage(data: unknown): ParsedMessage | undefined {
  try {
    let form: MessageForm = 'object'
    let text: string
    if (typeof data === 'string') {
      form = 'string'
      text = data
    } else if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
      text = JSON.stringify(data)
    } else {
      return undefined
    }
    if (text.length > MAX_MESSAGE_BYTES) return undefined
    const value: unknown = JSON.parse(text, (key, field: unknown) =>
      key === '__proto__' || key === 'constructor' || key === 'prototype' ? undefined : field,
    )
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
    const message = Object.assign(Object.create(null) as Record<string, unknown>, value)
    if (typeof message.type !== 'string') return undefined
    return { message: message as ChatzyMessage, form }
  } catch {
    return undefined
  }
}

export function encode(message: ChatzyMessage, form: MessageForm): unknown {
  return form === 'string' ? JSON.stringify(message) : message
}
