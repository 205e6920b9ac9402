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
  config: 'The agent is not set up correctly on this site.',
  'rate-limited': 'The agent is busy. It will try again in a moment.',
}

/**
 * What `chatzy-error`'s `detail` says of a setup mistake, for the site's developers (English
 * only): the value at fault and where to fix it. Each is listed in docs/troubleshooting.md.
 */
export const SETUP = {
  chatbotId: (id: string) => `chatbot-id "${id}" is malformed: use the id in Chatzy's embed code`,
  notAllowed: (id: string) => `chatbot-id "${id}" is not allowed: add it to the plugin's chatbotId`,
  url: (name: string, url: string) => `${name} "${url}" is no http(s) URL`,
  frame: (frame?: string, app?: string) => `The iframe is on ${frame}, app-url on ${app}: set app-url to the plugin's appUrl`,
  mint: 'Chatzy refused the mint: check the plugin\'s apiKey and chatbotId',
  cors: (origin: string) => `${origin} answered but CORS blocked it: the site must list ${location.origin} in allowedOrigins `
    + 'and allow credentials and the X-Chatzy-Agent header',
}
