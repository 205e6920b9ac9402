import { h } from './dom.js'
import { ENGLISH, type ChatzyAgentStrings } from './strings.js'
import type { TokenError } from './token-client.js'

/**
 * The element's own notices, the default content of its `loading` and `error` slots: what it
 * says while loading, why it failed, and a Retry button only when a retry can help. Their words
 * are the host's `strings` over English.
 */
export class Notices {
  #loading = h('div', { class: 'notice', role: 'status' })
  #reason = h('p')
  #retry = h('button', { type: 'button' })
  /** The element's one box (part `base`, or `panel` in launcher mode), with both notices slotted in. */
  readonly box = h('div', { part: 'base' },
    h('slot', { name: 'loading' }, this.#loading),
    h('slot', { name: 'error' }, h('div', { class: 'notice', role: 'alert' }, this.#reason, this.#retry)))

  constructor(retry: () => void) {
    this.#retry.addEventListener('click', retry)
  }

  say(strings: Partial<ChatzyAgentStrings>, failure: TokenError | undefined) {
    const texts: ChatzyAgentStrings = { ...ENGLISH, ...strings }
    this.#loading.textContent = texts.loading
    this.#retry.textContent = texts.retry
    // A setup mistake stays one whatever the user presses.
    this.#retry.hidden = failure?.code === 'config'
    if (failure) this.#reason.textContent = texts[failure.code]
  }
}
