import { ENGLISH, type ChatzyAgentStrings } from './strings.js'
import type { TokenError } from './token-client.js'

// Static markup, no data: the token and the iframe URL never go through HTML parsing.
export const TEMPLATE = '<div part="base"><slot name="loading"><div class="notice" role="status"></div></slot>'
  + '<slot name="error"><div class="notice" role="alert"><p></p><button type="button"></button></div></slot></div>'

/**
 * The element's own notices, the default content of its `loading` and `error` slots: what it
 * says while loading, why it failed, and a Retry button only when a retry can help. Their words
 * are the host's `strings` over English.
 */
export class Notices {
  #loading: Element | null
  #reason: Element | null
  #retry: HTMLElement | null

  constructor(root: ParentNode, retry: () => void) {
    this.#loading = root.querySelector('[role=status]')
    this.#reason = root.querySelector('p')
    this.#retry = root.querySelector('button')
    this.#retry?.addEventListener('click', retry)
  }

  say(strings: Partial<ChatzyAgentStrings>, failure: TokenError | undefined) {
    const texts: ChatzyAgentStrings = { ...ENGLISH, ...strings }
    if (this.#loading) this.#loading.textContent = texts.loading
    if (this.#retry) {
      this.#retry.textContent = texts.retry
      // A setup mistake stays one whatever the user presses.
      this.#retry.hidden = failure?.code === 'config'
    }
    if (this.#reason && failure) this.#reason.textContent = texts[failure.code]
  }
}
