import { ReactiveElement, type PropertyDeclarations, type PropertyValues } from '@lit/reactive-element'
import type { SessionAnswer } from '../../contract/wire.js'
import { ChatzyErrorEvent, ChatzyMessageEvent, ChatzyReadyEvent, ChatzyTokenRefreshedEvent } from './events.js'
import { LauncherController } from './launcher-controller.js'
import { launcherStyles } from './launcher-styles.js'
import { FrameLink } from './frame-link.js'
import { ASSISTANT_NUDGE, TOKEN_REFRESH, TOKEN_REFRESH_RESPONSE, originOf, type ChatzyMessage, type MessageForm } from './protocol.js'
import { RefreshSchedule, refreshTime } from './refresh-schedule.js'
import { SignOutChannel } from './tabs.js'
import { checkFrame, checkSetup } from './setup-checks.js'
import { serverRenderedSession } from './server-rendered.js'
import { RetryLater, TokenClient, TokenError, type Renewal } from './token-client.js'
import { Notices } from './notices.js'
import type { ChatzyAgentStrings } from './strings.js'
import { styles } from './styles.js'

export type ChatzyAgentStatus = 'idle' | 'loading' | 'ready' | 'refreshing' | 'error'

/**
 * Reflected once it differs from its default (and when it comes back to it): the default is no
 * attribute, so that markup a server rendered (React, Next.js) keeps exactly the attributes the
 * server wrote until the element has news, and hydration finds no attribute it did not render.
 * The styles' hooks are the non-default values (`[mode=launcher]`, `[status=error]`…).
 */
const reflectedUnlessDefault = { reflect: true, useDefault: true }

/**
 * Embeds the Chatzy AI agent iframe for the signed-in user and keeps its access token fresh
 * through the host's own server (`chatzy-agent/server` for Fastify, `/fetch` or `/node` for any other).
 *
 * @tag chatzy-agent
 * @fires {ChatzyReadyEvent} chatzy-ready - The Chatzy page has loaded in the iframe with its first token (`userId`, `expiresAt`); nudges sent before it are delivered first.
 * @fires {ChatzyTokenRefreshedEvent} chatzy-token-refreshed - A new access token went to the iframe (`expiresAt`, `reason`: `iframe`, `ahead` or `manual`).
 * @fires {ChatzyErrorEvent} chatzy-error - No token could be had; `code` says why, `retryable` whether Retry may help.
 * @fires {ChatzyMessageEvent} chatzy-message - Any other message of the iframe (`message`, a plain copy).
 * @fires {ChatzyOpenEvent} chatzy-open - The launcher's panel opened (`open` became true), whoever opened it.
 * @fires {ChatzyCloseEvent} chatzy-close - The launcher's panel closed (`open` became false), whoever closed it.
 * @slot launcher - Content of the launcher button (default: a chat icon; slotted text becomes its accessible name).
 * @slot loading - Shown while the first token is fetched (default: "Loading the agent…").
 * @slot error - Shown when the agent cannot be loaded (default: a short reason, and a Retry button when a retry can help).
 * @csspart base - The box around the iframe (inline mode).
 * @csspart frame - The iframe.
 * @csspart launcher - The launcher's floating `<button>`.
 * @csspart panel - The launcher's panel (a non-modal dialog in the top layer) around the iframe.
 * @csspart close - The `<button>` in the panel's header that closes it.
 * @csspart teaser - The latest nudge beside the closed launcher, with its own dismiss button.
 * @cssproperty --chatzy-agent-height - Height of the element (default 600px).
 * @cssproperty --chatzy-agent-width - Width of the element (default 100%).
 * @cssproperty --chatzy-agent-border - Border of the box (default 1px solid #d0d4dc).
 * @cssproperty --chatzy-agent-radius - Corner radius of the box (default 12px).
 * @cssproperty --chatzy-agent-background - Background of the box, seen while loading or on error (default transparent).
 * @cssproperty --chatzy-agent-offset - Distance of the launcher from its corner of the viewport (default 20px).
 * @cssproperty --chatzy-agent-panel-width - Width of the launcher's panel (default 400px, capped to the viewport).
 * @cssproperty --chatzy-agent-panel-height - Height of the launcher's panel (default 640px, capped to the viewport).
 * @cssproperty --chatzy-agent-accent - Colour of the launcher and the panel's header (default #2d4ed8).
 */
export class ChatzyAgent extends ReactiveElement {
  static override styles = [styles, launcherStyles]

  // Declared here rather than with `@property()`: the decorators' runtime (legacy and standard
  // forms, and TypeScript's decorate helper) cost 4% of the CDN file; Lit reads this the same way.
  static override properties: PropertyDeclarations = {
    mode: reflectedUnlessDefault, position: reflectedUnlessDefault, open: { type: Boolean, reflect: true }, strings: { attribute: false },
    chatbotId: { attribute: 'chatbot-id' }, endpoint: {}, appUrl: { attribute: 'app-url' },
    accessToken: { attribute: 'access-token' }, userId: { attribute: 'user-id' }, expiresAt: { attribute: 'expires-at', type: Number },
    loading: {}, refreshAhead: { attribute: 'refresh-ahead', type: Number }, title: {}, allow: {}, status: reflectedUnlessDefault,
  }

  /** `inline` (default): a box in the page. `launcher`: a floating button that opens the agent in a panel. May change on a live element; the session is kept. Reflected. */
  mode: 'inline' | 'launcher' = 'inline'

  /** Corner of the launcher: `bottom-right` (default) or `bottom-left`. Reflected. */
  position: 'bottom-right' | 'bottom-left' = 'bottom-right'

  /** Whether the launcher's panel is shown. Reflected; kept per tab and chatbot across page loads (sessionStorage). */
  open = false

  /** Built-in texts to replace, by key (`ChatzyAgentStrings`); the keys left out stay English. */
  strings: Partial<ChatzyAgentStrings> = {}

  /** The Chatzy chatbot id (uuid). Required. */
  chatbotId = ''

  /** Base URL of the plugin's routes. */
  endpoint = '/chatzy'

  /** Base URL of Chatzy's app; messages are accepted from its exact origin only, and replies go to it only. */
  appUrl = 'https://app.chatzy.ai'

  /** A server-rendered first access token: with `user-id` and `expires-at`, no `/session` call on load. */
  accessToken?: string

  /** The user id that goes with a server-rendered `access-token`. */
  userId?: string

  /** Expiry (epoch ms, server clock) of a server-rendered `access-token`. */
  expiresAt?: number

  /** `lazy` (default): no request and no iframe until the element nears the viewport; `eager`: at once. */
  loading: 'lazy' | 'eager' = 'lazy'

  /** Seconds before expiry to refresh unprompted and push the new token to the iframe (off when unset or 0). */
  refreshAhead?: number

  /** Accessible name of the iframe. */
  override title = 'Chatzy AI agent'

  /** Permissions policy of the iframe (its `allow` attribute). */
  allow?: string

  /** Where the element stands: `idle` `loading` `ready` `refreshing` `error`. Reflected as an attribute. Read-only. */
  status: ChatzyAgentStatus = 'idle'

  #client?: TokenClient
  #run?: AbortController
  #observer?: IntersectionObserver
  #tabs?: SignOutChannel
  #schedule = new RefreshSchedule(() => void this.#push('ahead'), () => this.#recover())
  #link = new FrameLink(() => this.#appOrigin, () => this.#ready(), (message, form) => this.#receive(message, form))
  #notices = new Notices(() => this.#retry())
  #launcher = new LauncherController(this, () => void this.#start())
  #user?: string
  #expiry = 0
  #form: MessageForm = 'object'
  #failure?: TokenError
  #announced?: Renewal
  #serverTokenUsed = false
  #later = new RetryLater()

  protected override createRenderRoot() {
    const root = super.createRenderRoot()
    root.append(this.#notices.box)
    return root
  }

  override connectedCallback() {
    super.connectedCallback()
    this.#link.listen()
    this.#schedule.start()
    this.#begin()
  }

  override disconnectedCallback() {
    super.disconnectedCallback()
    this.#link.unlisten()
    this.#schedule.stop()
    this.#end()
    this.status = 'idle'
  }

  protected override updated(changed: PropertyValues<this>) {
    this.#notices.say(this.strings, this.#failure)
    this.#link.describe(this.title, this.allow)
    // Another chatbot, server or app: start again cleanly (the old iframe and session are of no use).
    const restart = (['chatbotId', 'endpoint', 'appUrl'] as const).some((key) => changed.has(key) && changed.get(key) !== undefined)
    if (changed.get('mode') !== undefined && this.isConnected && !restart) {
      // Same session, same iframe: only the chrome around it changes (done by the launcher controller).
      this.#observer?.disconnect()
      this.#observer = undefined
      if (this.mode !== 'launcher' && !this.#run) this.#begin()
    }
    if (restart && this.isConnected) {
      this.#end()
      this.#begin()
    } else {
      if (changed.has('refreshAhead')) this.#arm()
      if (changed.has('loading') && this.loading === 'eager' && this.mode !== 'launcher' && this.isConnected && !this.#run) this.#start()
    }
  }

  /** Gets a new token from the server now and pushes it to the iframe. */
  async refresh(): Promise<void> {
    await this.#push('manual')
  }

  /** Inserts a nudge message into the conversation (sent as a JSON string, as Chatzy's own example does). */
  nudge(text: string): void {
    this.#link.nudge(String(text))
    this.#launcher.tease(String(text))
  }

  /** Opens the launcher's panel and moves focus into it (also when it is open already). */
  show(): void {
    this.#launcher.focusOnOpen()
    this.open = true
    // An update even when already open: the focus request is used now, not by some later update.
    this.requestUpdate()
  }

  /** Closes the launcher's panel; focus in it goes back to the launcher. The conversation stays. */
  hide(): void {
    this.open = false
  }

  /** Opens the launcher's panel when closed, closes it when open. */
  toggle(): void {
    if (this.open) this.hide()
    else this.show()
  }

  /** Starts again from a new session, in a new iframe (also what the default Retry button does). */
  reload(): void {
    if (!this.isConnected) return
    this.#end()
    this.#serverTokenUsed = true
    this.#start()
  }

  /** Ends the server session, removes the iframe, and signs the agent out in every other tab of this site too. */
  async signOut(): Promise<void> {
    const client = this.#tokenClient()
    const tabs = this.#tabs ?? new SignOutChannel(this.endpoint, this.chatbotId, () => undefined)
    this.#tabs = undefined
    this.#end()
    this.#link.forget()
    this.#launcher.tease()
    this.open = false
    this.status = 'idle'
    await client.end(this.chatbotId).catch(() => undefined)
    tabs.announce()
    tabs.close()
  }

  #tokenClient(): TokenClient {
    if (this.#client?.endpoint !== this.endpoint) this.#client = new TokenClient(this.endpoint)
    return this.#client
  }

  #channel(): SignOutChannel {
    return new SignOutChannel(this.endpoint, this.chatbotId, () => this.#signedOutElsewhere())
  }

  get #appOrigin(): string | undefined {
    return originOf(this.appUrl)
  }

  /** Starts now, or once the element nears the viewport when lazy. */
  #begin() {
    this.#tabs?.close()
    this.#tabs = this.#channel()
    // A launcher starts on the user's intent (or open): the controller calls #start.
    if (this.mode === 'launcher') {
      if (this.open) void this.#start()
      return
    }
    if (this.loading === 'eager') {
      this.#start()
      return
    }
    this.#observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.#start()
    }, { rootMargin: '200px' })
    this.#observer.observe(this)
  }

  /** Drops the iframe and everything in flight or scheduled. */
  #end() {
    this.#observer?.disconnect()
    this.#observer = undefined
    this.#tabs?.close()
    this.#tabs = undefined
    this.#run?.abort()
    this.#run = undefined
    this.#schedule.arm(0)
    this.#link.close()
    this.#failure = undefined
    this.#later.cancel()
  }

  async #start() {
    this.#observer?.disconnect()
    this.#observer = undefined
    if (this.#run) return
    const run = (this.#run = new AbortController())
    this.#tabs ??= this.#channel()
    this.status = 'loading'
    try {
      // Properties a framework sets right after inserting the element are in after the first update.
      await this.updateComplete
      if (run.signal.aborted) return
      checkSetup(this.chatbotId, this.endpoint, this.appUrl)
      // The page's own token serves the first start only: a retry or a restart asks the server.
      const rendered = !this.#serverTokenUsed && serverRenderedSession(this)
      if (rendered) this.#serverTokenUsed = true
      const session = rendered || (await this.#tokenClient().session(this.chatbotId, run.signal))
      if (!run.signal.aborted) this.#show(session)
    } catch (error) {
      if (!run.signal.aborted) this.#fail(error)
    }
  }

  /** Shows a session in a new iframe; `ready` once the Chatzy page has loaded. */
  #show(session: SessionAnswer) {
    checkFrame(session.iframe_url, this.#appOrigin)
    // Before the slots, after the launcher panel's header: the tab order of what is seen.
    this.#link.open(session.iframe_url, this.renderRoot.querySelector('slot'), this.title, this.allow)
    this.#user = session.user_id
    this.#failure = undefined
    this.#later.reset()
    this.#expiry = session.expires_at
    this.#arm()
    this.status = 'loading'
  }

  /** The Chatzy page has loaded and holds its token (the nudges queued meanwhile are in): the host hears of it. */
  #ready() {
    if (this.status !== 'error') this.status = 'ready'
    this.dispatchEvent(new ChatzyReadyEvent(this.#user ?? '', this.#expiry))
  }

  #arm() {
    const ahead = (this.refreshAhead ?? 0) * 1000
    this.#schedule.arm(this.#link.frame && ahead > 0 && this.#expiry > 0 ? refreshTime(this.#expiry, this.#tokenClient().skewMs, ahead) : 0)
  }

  /**
   * Renews the token and hands it to the iframe. Any number of callers at once share one
   * renewal and each gets its answer (every ask of the iframe is answered).
   */
  async #push(reason: 'iframe' | 'ahead' | 'manual', form = this.#form) {
    const run = this.#run
    const frame = this.#link.frame
    if (run === undefined || frame === undefined) return
    const renewing = this.#tokenClient().renew(this.chatbotId, this.#expiry, run.signal)
    // Announced once the request is under way: a host that re-renders on the status change
    // must not hold up the request the iframe waits on.
    if (this.#link.loaded) this.status = 'refreshing'
    try {
      const renewal = await renewing
      if (run.signal.aborted || frame !== this.#link.frame) return
      if (renewal.iframe_url !== undefined && renewal.user_id !== this.#user) {
        // The host now has another user signed in: their agent, in a new iframe, never the old one.
        if (renewal !== this.#announced) this.#show(renewal as SessionAnswer)
        this.#announced = renewal
        return
      }
      this.#link.post({ type: TOKEN_REFRESH_RESPONSE, access_token: renewal.access_token }, form)
      if (renewal === this.#announced) return
      this.#announced = renewal
      this.#failure = undefined
      this.#later.reset()
      this.#expiry = renewal.expires_at
      this.#arm()
      this.status = this.#link.loaded ? 'ready' : 'loading'
      this.dispatchEvent(new ChatzyTokenRefreshedEvent(renewal.expires_at, reason))
    } catch (error) {
      if (!run.signal.aborted && frame === this.#link.frame) this.#fail(error)
    }
  }

  #fail(error: unknown) {
    const failure = error instanceof TokenError ? error : new TokenError('config', false, String(error))
    this.#failure = failure
    // Without a way to a new token the iframe's conversation must go (a signed-out user's chat stays on no screen).
    if (!failure.retryable) {
      this.#link.close()
      this.#schedule.arm(0)
    }
    this.status = 'error'
    this.requestUpdate()
    this.dispatchEvent(new ChatzyErrorEvent(failure.code, failure.retryable, failure.message))
    this.#later.arm(failure, () => this.status === 'error' && this.#retry())
  }

  /** Retry: a new token for the same iframe when it is still alive, else a new session. */
  #retry() {
    if (this.#link.frame && this.#failure?.retryable) void this.#push('manual')
    else this.reload()
  }

  /** Back online, visible or focused after a retryable failure: try again once, never before the server's `Retry-After`. */
  #recover() {
    if (this.status === 'error' && this.#link.frame && this.#failure?.retryable && Date.now() >= this.#later.notBefore && document.visibilityState !== 'hidden') void this.#push('manual')
  }

  #signedOutElsewhere() {
    if (this.status === 'idle') return
    this.#end()
    this.#fail(new TokenError('unauthenticated', false, 'Signed out in another tab'))
  }

  /** A message of our iframe, already checked for source, shape and exact origin. */
  #receive(message: ChatzyMessage, form: MessageForm) {
    if (message.type === TOKEN_REFRESH) {
      this.#form = form
      void this.#push('iframe', form)
    } else if (message.type !== TOKEN_REFRESH_RESPONSE && message.type !== ASSISTANT_NUDGE) {
      // Our own message types coming back are echoes, never news for the host.
      this.dispatchEvent(new ChatzyMessageEvent(message))
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'chatzy-agent': ChatzyAgent
  }
}
