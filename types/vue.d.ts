/**
 * Vue 3 typings for `<chatzy-agent>` in templates (checked by vue-tsc / Vue - Official).
 *
 * Load them once, in any file of your app (or list `chatzy-agent/vue` in tsconfig `types`):
 *
 *     import type {} from 'chatzy-agent/vue'
 *
 * Vue must also be told that `chatzy-agent` is a custom element, at compile time:
 * `vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'chatzy-agent' } } })`.
 */
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue'
import type {
  ChatzyAgent,
  ChatzyCloseEvent,
  ChatzyErrorEvent,
  ChatzyMessageEvent,
  ChatzyOpenEvent,
  ChatzyReadyEvent,
  ChatzyTokenRefreshedEvent,
} from 'chatzy-agent'

/** The element's events, by name. */
export interface ChatzyAgentEvents {
  'chatzy-ready': ChatzyReadyEvent
  'chatzy-token-refreshed': ChatzyTokenRefreshedEvent
  'chatzy-error': ChatzyErrorEvent
  'chatzy-message': ChatzyMessageEvent
  'chatzy-open': ChatzyOpenEvent
  'chatzy-close': ChatzyCloseEvent
}

/** The element's public, settable properties with an attribute (`status` is read-only; `strings` has no attribute). */
export type ChatzyAgentSettableProperties =
  | 'chatbotId'
  | 'endpoint'
  | 'appUrl'
  | 'accessToken'
  | 'userId'
  | 'expiresAt'
  | 'loading'
  | 'refreshAhead'
  | 'title'
  | 'allow'
  | 'mode'
  | 'position'
  | 'open'

/** `<chatzy-agent>` as a Vue component type: its props in `$props`, its events in `$emit`. */
export type ChatzyAgentComponent = new () => ChatzyAgent & {
  /** @deprecated For template type checking only: not on the element. */
  $props: Omit<HTMLAttributes, ChatzyAgentSettableProperties> &
    Partial<Pick<ChatzyAgent, ChatzyAgentSettableProperties | 'strings'>> &
    PublicProps
  /** @deprecated For template type checking only: not on the element. */
  $emit: EmitFn<{ [Name in keyof ChatzyAgentEvents]: (event: ChatzyAgentEvents[Name]) => void }>
}

declare module 'vue' {
  interface GlobalComponents {
    'chatzy-agent': ChatzyAgentComponent
  }
}
