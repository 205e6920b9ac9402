import type { ChatzyErrorCode } from './events.js'

/**
 * Every text the element shows or speaks by itself, by key. Set `strings` to a partial object
 * to translate or reword some of them; the rest stay English. The error notices are keyed by
 * their `chatzy-error` code.
 */
export interface ChatzyAgentStrings extends Record<ChatzyErrorCode, string> {
  /** Shown while the first token is fetched. */
  loading: string
  /** The default error block's button. */
  retry: string
  /** Accessible name of the button that closes the launcher's panel. */
  close: string
  /** Accessible name of the button that hides the launcher's teaser. */
  dismiss: string
}

export const ENGLISH: ChatzyAgentStrings = {
  loading: 'Loading the agent…',
  retry: 'Retry',
  close: 'Close',
  dismiss: 'Dismiss',
  unauthenticated: 'Sign in to use the agent.',
  'session-expired': 'Your session with the agent has ended.',
  network: 'The agent cannot be reached. Check your connection.',
  server: 'The agent is not available right now.',
  config: 'The agent is not set up correctly.',
  'rate-limited': 'The agent is busy. It will try again in a moment.',
}
