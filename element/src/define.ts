import { ChatzyAgent } from './chatzy-agent.js'

export const TAG = 'chatzy-agent'

/**
 * Registers `<chatzy-agent>` once. Loading the kit twice (npm and CDN on one page) must not
 * throw: the second definition is skipped, with a warning when it is another class.
 */
export function defineChatzyAgent(registry: CustomElementRegistry = customElements): void {
  const existing = registry.get(TAG)
  if (existing === undefined) {
    registry.define(TAG, ChatzyAgent)
  } else if (existing !== ChatzyAgent) {
    console.warn(`<${TAG}> is already defined by another copy of chatzy-agent; keeping the first one.`)
  }
}
