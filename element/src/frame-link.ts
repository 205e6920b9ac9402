import { ASSISTANT_NUDGE, encode, parseMessage, type ChatzyMessage, type MessageForm } from './protocol.js'

/**
 * The element's one iframe and its postMessage channel. In: only from this iframe, in a known
 * shape, from Chatzy's exact origin (penpal's order). Out: only to that origin, never `'*'`.
 * Nudges wait until the Chatzy page has loaded: before that they would reach a blank document.
 */
export class FrameLink {
  frame?: HTMLIFrameElement
  /** Whether the Chatzy page in `frame` has loaded. */
  loaded = false
  #nudges: string[] = []
  #origin: () => string | undefined
  #onLoad: () => void
  #onMessage: (message: ChatzyMessage, form: MessageForm) => void

  constructor(origin: () => string | undefined, onLoad: () => void, onMessage: (message: ChatzyMessage, form: MessageForm) => void) {
    this.#origin = origin
    this.#onLoad = onLoad
    this.#onMessage = onMessage
  }

  listen() {
    addEventListener('message', this.#receive)
  }

  unlisten() {
    removeEventListener('message', this.#receive)
  }

  /** A new iframe on `url`, placed before `place`: the only place an iframe `src` is ever set. */
  open(url: string, place: Element | null, title: string, allow?: string) {
    this.close()
    const frame = (this.frame = document.createElement('iframe'))
    frame.setAttribute('part', 'frame')
    frame.id = 'chatzy-iframe'
    this.describe(title, allow)
    frame.src = url
    frame.addEventListener('load', () => {
      if (frame !== this.frame) return
      this.loaded = true
      this.#deliver()
      this.#onLoad()
    }, { once: true })
    place?.before(frame)
  }

  describe(title: string, allow?: string) {
    const frame = this.frame
    if (frame === undefined) return
    frame.title = title
    if (allow) frame.allow = allow
    else frame.removeAttribute('allow')
  }

  close() {
    this.frame?.remove()
    this.frame = undefined
    this.loaded = false
  }

  /** Sends a nudge as a JSON string (as Chatzy's own example does), in order, once the page has loaded. */
  nudge(text: string) {
    this.#nudges.push(text)
    this.#deliver()
  }

  /** Drops the nudges not yet delivered. */
  forget() {
    this.#nudges = []
  }

  /** Posts to the iframe, to Chatzy's exact origin only; if the iframe has navigated elsewhere, the browser drops it. */
  post(message: ChatzyMessage, form: MessageForm) {
    const origin = this.#origin()
    if (origin !== undefined) this.frame?.contentWindow?.postMessage(encode(message, form), origin)
  }

  #deliver() {
    if (this.loaded) for (const text of this.#nudges.splice(0)) this.post({ type: ASSISTANT_NUDGE, nudge_message: text }, 'string')
  }

  #receive = (event: MessageEvent) => {
    const frame = this.frame
    if (frame === undefined || event.source === null || event.source !== frame.contentWindow) return
    const parsed = parseMessage(event.data)
    if (parsed !== undefined && event.origin === this.#origin()) this.#onMessage(parsed.message, parsed.form)
  }
}
