import type { ChatzyMessage } from './protocol.js'

/** Why the element could not give the iframe a token. */
export type ChatzyErrorCode = 'unauthenticated' | 'session-expired' | 'network' | 'server' | 'config' | 'rate-limited'

const init: EventInit = { bubbles: true, composed: true }

/** The Chatzy page has loaded in the iframe and holds its first token: nudges sent from here on go straight in. */
export class ChatzyReadyEvent extends Event {
  static readonly type = 'chatzy-ready'
  constructor(readonly userId: string, readonly expiresAt: number) {
    super(ChatzyReadyEvent.type, init)
  }
}

/** A new access token went to the iframe. The token itself is not in the event. */
export class ChatzyTokenRefreshedEvent extends Event {
  static readonly type = 'chatzy-token-refreshed'
  constructor(readonly expiresAt: number, readonly reason: 'iframe' | 'ahead' | 'manual') {
    super(ChatzyTokenRefreshedEvent.type, init)
  }
}

export class ChatzyErrorEvent extends Event {
  static readonly type = 'chatzy-error'
  constructor(readonly code: ChatzyErrorCode, readonly retryable: boolean, readonly detail: string) {
    super(ChatzyErrorEvent.type, init)
  }
}

/** Any message of the iframe that the element does not handle itself. */
export class ChatzyMessageEvent extends Event {
  static readonly type = 'chatzy-message'
  constructor(readonly message: ChatzyMessage) {
    super(ChatzyMessageEvent.type, init)
  }
}

/** The launcher's panel opened (`open` became true), whoever opened it. */
export class ChatzyOpenEvent extends Event {
  static readonly type = 'chatzy-open'
  constructor() {
    super(ChatzyOpenEvent.type, init)
  }
}

/** The launcher's panel closed (`open` became false), whoever closed it. */
export class ChatzyCloseEvent extends Event {
  static readonly type = 'chatzy-close'
  constructor() {
    super(ChatzyCloseEvent.type, init)
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'chatzy-ready': ChatzyReadyEvent
    'chatzy-token-refreshed': ChatzyTokenRefreshedEvent
    'chatzy-error': ChatzyErrorEvent
    'chatzy-message': ChatzyMessageEvent
    'chatzy-open': ChatzyOpenEvent
    'chatzy-close': ChatzyCloseEvent
  }
}
