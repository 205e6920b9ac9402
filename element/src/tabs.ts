const SIGN_OUT = 'sign-out'

/**
 * Cross-tab sign-out: every `<chatzy-agent>` of the same site and endpoint listens on one
 * BroadcastChannel, so `signOut()` in one tab removes the agent from all of them.
 */
export class SignOutChannel {
  #channel: BroadcastChannel | undefined

  constructor(endpoint: string, onSignOut: () => void) {
    if (typeof BroadcastChannel !== 'function') return
    let scope = endpoint
    try {
      scope = new URL(endpoint, location.href).href
    } catch {
      // Not a URL: the element reports it; the raw string still scopes the channel.
    }
    this.#channel = new BroadcastChannel(`chatzy-agent ${scope}`)
    this.#channel.onmessage = (event: MessageEvent) => {
      if (event.data === SIGN_OUT) onSignOut()
    }
  }

  announce() {
    this.#channel?.postMessage(SIGN_OUT)
  }

  close() {
    this.#channel?.close()
  }
}
