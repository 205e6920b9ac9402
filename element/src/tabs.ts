const SIGN_OUT = 'sign-out'

/**
 * Cross-tab sign-out: every `<chatzy-agent>` of the same site, endpoint and chatbot listens on
 * one BroadcastChannel, so `signOut()` in one tab removes that chatbot's agent from all of them;
 * the server ends that chatbot's session only, so another chatbot's agents stay.
 */
export class SignOutChannel {
  // Every browser that runs the element's ES2022 has BroadcastChannel (and IntersectionObserver).
  #channel: BroadcastChannel

  constructor(endpoint: string, chatbotId: string, onSignOut: () => void) {
    let scope = endpoint
    try {
      scope = new URL(endpoint, location.href).href
    } catch {
      // Not a URL: the element reports it; the raw string still scopes the channel.
    }
    this.#channel = new BroadcastChannel(`chatzy-agent ${scope} ${chatbotId}`)
    this.#channel.onmessage = (event: MessageEvent) => {
      if (event.data === SIGN_OUT) onSignOut()
    }
  }

  announce() {
    this.#channel.postMessage(SIGN_OUT)
  }

  close() {
    this.#channel.close()
  }
}
