import { LitElement, html, nothing, type PropertyValues } from 'lit'
import { property, query, state } from 'lit/decorators.js'
import type { SessionAnswer } from '../../contract/wire.js'
import { ChatzyErrorEvent, ChatzyMessageEvent, ChatzyReadyEvent, ChatzyTokenRefreshedEvent } from './events.js'
import { encode, parseMessage, TOKEN_REFRESH, TOKEN_REFRESH_RESPONSE, ASSISTANT_NUDGE, type MessageForm } from './protocol.js'
import { TokenClient, TokenError } from './token-client.js'
import { styles } from './styles.js'

export type ChatzyAgentStatus = 'idle' | 'loading' | 'ready' | 'refreshing' | 'error'

/**
 * Embeds the Chatzy AI agent iframe for the signed-in user and keeps its access token fresh
 * through the host's own server (the `chatzy-agent/server` Fastify plugin).
 *
 * @tag chatzy-agent
 * @fires chatzy-ready - The iframe is shown with its first token.
 * @fires chatzy-token-refreshed - A new access token went to the iframe.
 * @fires chatzy-error - No token could be had; `code` says why, `retryable` whether Retry may help.
 * @fires chatzy-message - Any other message from the iframe.
 * @slot loading - Shown while the first token is fetched.
 * @slot error - Shown when the agent cannot be loaded.
 * @csspart base - The box around the iframe.
 * @csspart frame - The iframe.
 * @cssproperty --chatzy-agent-height - Height of the element (default 600px).
 * @cssproperty --chatzy-agent-width - Width of the element (default 100%).
 * @cssproperty --chatzy-agent-border - Border of the box.
 * @cssproperty --chatzy-agent-radius - Corner radius of the box.
 */
export class ChatzyAgent extends LitElement {
  static override styles = styles

  /** The Chatzy chatbot id (uuid). Required. */
  @property({ attribute: 'chatbot-id' }) chatbotId = ''

  /** Base URL of the plugin's routes. */
  @property() endpoint = '/chatzy'

  /** Base URL of Chatzy's app; messages are accepted from its exact origin only. */
  @property({ attribute: 'app-url' }) appUrl = 'https://app.chatzy.ai'

  /** A server-rendered first access token: with `user-id` and `expires-at`, no `/session` call on load. */
  @property({ attribute: 'access-token' }) accessToken?: string

  /** The user id that goes with a server-rendered `access-token`. */
  @property({ attribute: 'user-id' }) userId?: string

  /** Expiry (epoch ms) of a server-rendered `access-token`. */
  @property({ attribute: 'expires-at', type: Number }) expiresAt?: number

  /** `lazy`: nothing is fetched until the element nears the viewport; `eager`: at once. */
  @property() loading: 'lazy' | 'eager' = 'lazy'

  /** Seconds before expiry to refresh unprompted and push the new token (off when unset). */
  @property({ attribute: 'refresh-ahead', type: Number }) refreshAhead?: number

  /** Accessible name of the iframe. */
  @property() override title = 'Chatzy AI agent'

  /** Permissions policy of the iframe (its `allow` attribute). */
  @property() allow?: string

  /** Where the element stands; reflected as an attribute. Read-only. */
  @property({ reflect: true }) status: ChatzyAgentStatus = 'idle'

  @state() private frameUrl?: string
  @state() private errorText = ''

  @query('iframe') private frame?: HTMLIFrameElement

  #client?: TokenClient
  #tokenExpiresAt = 0
  #abort?: AbortController
  #observer?: IntersectionObserver

  override connectedCallback() {
    super.connectedCallback()
    window.addEventListener('message', this.#onMessage)
    this.#scheduleStart()
  }

  override disconnectedCallback() {
    super.disconnectedCallback()
    window.removeEventListener('message', this.#onMessage)
    this.#stop()
  }

  protected override updated(changed: PropertyValues<this>) {
    if (changed.has('chatbotId') || changed.has('endpoint') || changed.has('appUrl')) {
      if (changed.get('chatbotId') !== undefined || changed.get('endpoint') !== undefined || changed.get('appUrl') !== undefined) {
        this.reload()
      }
    }
  }

  /** Asks the server for a new token now and pushes it to the iframe. */
  async refresh(): Promise<void> {
    await this.#refreshAndPush('object', 'manual')
  }

  /** Inserts a nudge message into the conversation (sent as a JSON string, as Chatzy's example does). */
  nudge(text: string): void {
    this.#post({ type: ASSISTANT_NUDGE, nudge_message: String(text) }, 'string')
  }

  /** Starts again from a new session: a new iframe. */
  reload(): void {
    this.#stop()
    this.frameUrl = undefined
    this.accessToken = undefined
    this.#start()
  }

  /** Ends the server session and removes the iframe. */
  async signOut(): Promise<void> {
    this.#stop()
    this.frameUrl = undefined
    this.status = 'idle'
    await this.#tokenClient().end().catch(() => undefined)
  }

  override render() {
    return html`<div part="base">
      ${this.frameUrl
        ? html`<iframe part="frame" id="chatzy-iframe" src=${this.frameUrl} title=${this.title} allow=${this.allow ?? nothing}></iframe>`
        : nothing}
      ${this.status === 'loading' && !this.frameUrl
        ? html`<slot name="loading"><div class="notice" role="status">Loading the agent…</div></slot>`
        : nothing}
      ${this.status === 'error'
        ? html`<slot name="error"><div class="notice" role="alert">
            <p>${this.errorText}</p>
            <button type="button" @click=${() => this.reload()}>Retry</button>
          </div></slot>`
        : nothing}
    </div>`
  }

  get #appOrigin(): string | undefined {
    try {
      return new URL(this.appUrl).origin
    } catch {
      return undefined
    }
  }

  #tokenClient(): TokenClient {
    if (this.#client?.endpoint !== this.endpoint) this.#client = new TokenClient(this.endpoint)
    return this.#client
  }

  #scheduleStart() {
    if (this.loading === 'eager' || typeof IntersectionObserver === 'undefined') {
      this.#start()
      return
    }
    this.#observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        this.#observer?.disconnect()
        this.#start()
      }
    }, { rootMargin: '200px' })
    this.#observer.observe(this)
  }

  #stop() {
    this.#observer?.disconnect()
    this.#abort?.abort()
    this.#abort = undefined
  }

  async #start() {
    if (!this.chatbotId) return this.#fail(new TokenError('config', false, 'chatbot-id is required'))
    if (this.#appOrigin === undefined) return this.#fail(new TokenError('config', false, 'app-url is not a URL'))
    this.#abort = new AbortController()
    const signal = this.#abort.signal
    this.status = 'loading'
    try {
      const session = this.accessToken && this.userId && this.expiresAt
        ? this.#serverRendered(this.accessToken, this.userId, this.expiresAt)
        : await this.#tokenClient().session(this.chatbotId, signal)
      if (signal.aborted) return
      this.#tokenExpiresAt = session.expires_at
      this.frameUrl = session.iframe_url
      this.status = 'ready'
      this.dispatchEvent(new ChatzyReadyEvent(session.user_id, session.expires_at))
    } catch (error) {
      if (!signal.aborted) this.#fail(error)
    }
  }

  #serverRendered(accessToken: string, userId: string, expiresAt: number): SessionAnswer {
    const query = new URLSearchParams({ user_id: userId, access_token: accessToken })
    const iframe_url = `${this.appUrl.replace(/\/+$/, '')}/chatbot-iframe/${encodeURIComponent(this.chatbotId)}?${query}`
    return { user_id: userId, chatbot_id: this.chatbotId, access_token: accessToken, expires_at: expiresAt, iframe_url }
  }

  #fail(error: unknown) {
    const failure = error instanceof TokenError ? error : new TokenError('network', true, String(error))
    this.status = 'error'
    this.errorText = failure.code === 'unauthenticated' ? 'Sign in to use the agent.' : 'The agent could not be loaded.'
    this.dispatchEvent(new ChatzyErrorEvent(failure.code, failure.retryable, failure.message))
  }

  /** Handles a message only from our own iframe, in a known shape, from Chatzy's exact origin. */
  #onMessage = (event: MessageEvent) => {
    const frame = this.frame
    if (frame === undefined || frame === null || event.source !== frame.contentWindow) return
    const parsed = parseMessage(event.data)
    if (parsed === undefined) return
    if (event.origin !== this.#appOrigin) return
    if (parsed.message.type === TOKEN_REFRESH) {
      void this.#refreshAndPush(parsed.form, 'iframe')
    } else {
      this.dispatchEvent(new ChatzyMessageEvent(parsed.message))
    }
  }

  async #refreshAndPush(form: MessageForm, reason: 'iframe' | 'ahead' | 'manual') {
    const signal = this.#abort?.signal
    if (this.frameUrl === undefined || signal === undefined) return
    this.status = 'refreshing'
    try {
      const answer = await this.#tokenClient().refresh(this.#tokenExpiresAt, signal)
      if (signal.aborted) return
      this.#tokenExpiresAt = answer.expires_at
      this.#post({ type: TOKEN_REFRESH_RESPONSE, access_token: answer.access_token }, form)
      this.status = 'ready'
      this.dispatchEvent(new ChatzyTokenRefreshedEvent(answer.expires_at, reason))
    } catch (error) {
      if (!signal.aborted) this.#fail(error)
    }
  }

  /** Posts to our iframe, to Chatzy's exact origin only: never `'*'`. */
  #post(message: { type: string; [field: string]: unknown }, form: MessageForm) {
    const target = this.frame?.contentWindow
    const origin = this.#appOrigin
    if (!target || origin === undefined) return
    target.postMessage(encode(message, form), origin)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'chatzy-agent': ChatzyAgent
  }
}
