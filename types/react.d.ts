/**
 * React 19 JSX typings for `<chatzy-agent>`.
 *
 * Load them once, in any file of your app (or list `chatzy-agent/react` in tsconfig `types`):
 *
 *     import type {} from 'chatzy-agent/react'
 *
 * React 19 passes a prop to a custom element as a property when the element has one, else as
 * an attribute, and adds a listener for every `on<event-name>` function prop. So attributes are
 * written as in HTML (`chatbot-id="…"`), and events as `onchatzy-ready={(event) => …}`, with the
 * event typed.
 */
import type { HTMLAttributes, RefAttributes } from 'react'
import type {
  ChatzyAgent,
  ChatzyAgentStrings,
  ChatzyCloseEvent,
  ChatzyErrorEvent,
  ChatzyMessageEvent,
  ChatzyOpenEvent,
  ChatzyReadyEvent,
  ChatzyTokenRefreshedEvent,
} from 'chatzy-agent'

/** The element's attributes, as written in markup. */
export interface ChatzyAgentAttributes {
  /** The Chatzy chatbot id: a uuid, as in Chatzy's embed code, and one of the plugin's `chatbotId`. Required. */
  'chatbot-id': string
  /** Base URL of the plugin's routes (default `/chatzy`). */
  endpoint?: string
  /** Base URL of Chatzy's app (default `https://app.chatzy.ai`). */
  'app-url'?: string
  /** A server-rendered first access token (with `user-id` and `expires-at`). */
  'access-token'?: string
  /** The user id that goes with a server-rendered `access-token`. */
  'user-id'?: string
  /** Expiry (epoch ms) of a server-rendered `access-token`. */
  'expires-at'?: number | string
  /** `lazy` (default): nothing is fetched until the element nears the viewport; `eager`: at once. */
  loading?: 'lazy' | 'eager'
  /** Seconds before expiry to refresh unprompted (off when unset). */
  'refresh-ahead'?: number | string
  /** Accessible name of the iframe. */
  title?: string
  /** Permissions policy of the iframe. */
  allow?: string
  /** `inline` (default): a box in the page; `launcher`: a floating button that opens the agent in a panel. */
  mode?: 'inline' | 'launcher'
  /** Corner of the launcher (default `bottom-right`). */
  position?: 'bottom-right' | 'bottom-left'
  /** Whether the launcher's panel is shown. */
  open?: boolean
}

/** Properties with no attribute: React 19 sets them as properties. */
export interface ChatzyAgentPropertyProps {
  /** Built-in texts to replace, by key (`ChatzyAgentStrings`); the rest stay English. */
  strings?: Partial<ChatzyAgentStrings>
}

/** The element's events, as React 19 listener props. */
export interface ChatzyAgentEventProps {
  /** The iframe is shown with its first token. */
  'onchatzy-ready'?: (event: ChatzyReadyEvent) => void
  /** A new access token went to the iframe. */
  'onchatzy-token-refreshed'?: (event: ChatzyTokenRefreshedEvent) => void
  /** No token could be had: `event.code` says why, `event.retryable` whether Retry may help. */
  'onchatzy-error'?: (event: ChatzyErrorEvent) => void
  /** Any other message from the iframe. */
  'onchatzy-message'?: (event: ChatzyMessageEvent) => void
  /** The launcher's panel opened. */
  'onchatzy-open'?: (event: ChatzyOpenEvent) => void
  /** The launcher's panel closed. */
  'onchatzy-close'?: (event: ChatzyCloseEvent) => void
}

/** Every prop `<chatzy-agent>` takes in JSX: its attributes, `strings`, events, `ref`, and the usual HTML ones. */
export interface ChatzyAgentProps
  extends Omit<HTMLAttributes<ChatzyAgent>, keyof ChatzyAgentAttributes>,
    ChatzyAgentAttributes,
    ChatzyAgentPropertyProps,
    ChatzyAgentEventProps,
    RefAttributes<ChatzyAgent> {}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'chatzy-agent': ChatzyAgentProps
    }
  }
}
