import type { ReactiveController } from '@lit/reactive-element'
import type { ChatzyAgent } from './chatzy-agent.js'
import { ChatzyCloseEvent, ChatzyOpenEvent } from './events.js'
import { originOf } from './protocol.js'
import { ENGLISH } from './strings.js'

// Static markup: every text goes in through textContent or aria-label, never through HTML.
const BAR = '<div class="bar"><span id="label"></span><button part="close" type="button">✕</button></div>'
const CHROME = '<button part="launcher" type="button" aria-controls="panel" aria-expanded="false"><slot name="launcher">'
  + '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg></slot></button>'
  + '<div part="teaser" hidden><button type="button"></button><button type="button">✕</button></div>'

const key = (chatbotId: string) => `chatzy-agent open ${chatbotId}`

function stored(chatbotId: string): boolean {
  try {
    return sessionStorage.getItem(key(chatbotId)) === '1'
  } catch {
    return false
  }
}

function store(chatbotId: string, open: boolean) {
  try {
    sessionStorage.setItem(key(chatbotId), open ? '1' : '0')
  } catch {
    // Storage blocked: the panel simply starts closed on the next page.
  }
}

interface Chrome {
  panel: HTMLElement
  bar: HTMLElement
  close: HTMLElement
  launcher: HTMLElement
  slot: HTMLSlotElement
  teaser: HTMLElement
  tease: HTMLElement
  dismiss: HTMLElement
}

/**
 * The launcher's chrome around the element's one panel: the floating button, the panel's
 * header and dialog semantics, the teaser, focus, and the open state kept per tab. The session,
 * the protocol and the iframe stay the element's; this only calls `start` on the user's intent.
 */
export class LauncherController implements ReactiveController {
  #chrome?: Chrome
  #internals?: ElementInternals
  #shown = false
  #restored = false
  #focus = false
  #moving = false
  #preconnected = false
  #locked?: string
  #small?: MediaQueryList

  constructor(private readonly host: ChatzyAgent, private readonly start: () => void) {
    host.addController(this)
  }

  /** The next open moves focus into the panel (the user's or `show()`'s, not a restored one). */
  focusOnOpen() {
    this.#focus = true
  }

  /** Shows `text` beside the closed launcher; no text hides it. */
  tease(text?: string) {
    const chrome = this.#chrome
    if (chrome === undefined || (this.host.open && text !== undefined)) return
    chrome.tease.textContent = text ?? ''
    chrome.teaser.hidden = text === undefined
  }

  hostConnected() {
    // Back in a document: the browser hid the popover when the element left.
    this.host.requestUpdate()
  }

  hostDisconnected() {
    this.#lock(false)
  }

  hostUpdate() {
    const { host } = this
    // The panel left open on the previous page of this tab starts open; a restored open takes no focus.
    if (host.mode === 'launcher' && !this.#restored) {
      this.#restored = true
      if (stored(host.chatbotId)) host.open = true
    }
  }

  hostUpdated() {
    const launcher = this.host.mode === 'launcher'
    if (launcher && !this.#chrome) this.#mount()
    else if (!launcher && this.#chrome) this.#unmount()
    if (this.#chrome) this.#sync(this.#chrome)
  }

  #sync(chrome: Chrome) {
    const { host } = this
    const { open } = host
    const texts = { ...ENGLISH, ...host.strings }
    const root = host.renderRoot as ShadowRoot
    this.#internals?.states[host.position === 'bottom-left' ? 'add' : 'delete']('left')
    chrome.launcher.ariaExpanded = String(open)
    chrome.bar.firstElementChild!.textContent = host.title
    chrome.close.ariaLabel = texts.close
    chrome.dismiss.ariaLabel = texts.dismiss
    this.#name(chrome)
    const focusWasIn = chrome.panel.contains(root.activeElement)
    if (chrome.panel.isConnected) chrome.panel.togglePopover(open)
    if (open !== this.#shown) {
      this.#shown = open
      store(host.chatbotId, open)
      if (open) {
        this.tease()
        this.start()
      } else if (focusWasIn) {
        this.#focusLauncher(chrome)
      }
      host.dispatchEvent(open ? new ChatzyOpenEvent() : new ChatzyCloseEvent())
    }
    if (open && this.#focus) chrome.close.focus()
    this.#focus = false
    this.#lock(open)
  }

  /** The launcher's name is its slotted text when it has some (label in name), else `title`. */
  #name({ launcher, slot }: Chrome) {
    if (slot.assignedNodes({ flatten: true }).some((node) => node.textContent?.trim())) launcher.removeAttribute('aria-label')
    else launcher.ariaLabel = this.host.title
  }

  /** Pointer or the user's own focus on the launcher: warm up (session, iframe hidden, connection to Chatzy). */
  #intent = () => {
    if (this.#moving) return
    const origin = originOf(this.host.appUrl)
    if (!this.#preconnected && origin !== undefined) {
      this.#preconnected = true
      const link = document.createElement('link')
      link.rel = 'preconnect'
      link.href = origin
      document.head.append(link)
    }
    this.start()
  }

  #focusLauncher(chrome: Chrome) {
    this.#moving = true
    chrome.launcher.focus()
    this.#moving = false
  }

  /** At phone width the panel covers the page: the page behind must not scroll. */
  #lock(open: boolean) {
    const small = open && (this.#small ??= matchMedia('(max-width: 480px)')).matches
    const style = document.documentElement.style
    if (small && this.#locked === undefined) {
      this.#locked = style.overflow
      style.overflow = 'hidden'
    } else if (!small && this.#locked !== undefined) {
      style.overflow = this.#locked
      this.#locked = undefined
    }
    if (this.#small) this.#small.onchange = () => this.#lock(this.host.open && this.host.isConnected)
  }

  #mount() {
    const { host } = this
    const root = host.renderRoot
    const panel = root.firstElementChild as HTMLElement
    panel.insertAdjacentHTML('afterbegin', BAR)
    root.append(document.createRange().createContextualFragment(CHROME))
    const bar = panel.firstElementChild as HTMLElement
    const launcher = root.querySelector('[part=launcher]') as HTMLElement
    const teaser = launcher.nextElementSibling as HTMLElement
    const chrome = (this.#chrome = {
      panel,
      bar,
      close: bar.lastElementChild as HTMLElement,
      launcher,
      slot: launcher.firstElementChild as HTMLSlotElement,
      teaser,
      tease: teaser.firstElementChild as HTMLElement,
      dismiss: teaser.lastElementChild as HTMLElement,
    })
    panel.setAttribute('part', 'panel')
    panel.id = 'panel'
    panel.role = 'dialog'
    panel.setAttribute('aria-labelledby', 'label')
    panel.popover = 'manual'
    panel.addEventListener('keydown', this.#escape)
    chrome.close.addEventListener('click', () => host.hide())
    chrome.launcher.addEventListener('click', () => host.toggle())
    chrome.launcher.addEventListener('pointerenter', this.#intent)
    chrome.launcher.addEventListener('focus', this.#intent)
    chrome.slot.addEventListener('slotchange', () => this.#name(chrome))
    chrome.tease.addEventListener('click', () => host.show())
    chrome.dismiss.addEventListener('click', () => (chrome.teaser.hidden = true))
    this.#internals ??= host.attachInternals()
    this.#internals.states.add('launcher')
  }

  /** Back to inline: the same box, iframe and session, without the launcher's chrome. */
  #unmount() {
    const { panel, bar, launcher, teaser } = this.#chrome!
    this.#chrome = undefined
    panel.togglePopover(false)
    for (const attribute of ['popover', 'role', 'id', 'aria-labelledby']) panel.removeAttribute(attribute)
    panel.setAttribute('part', 'base')
    panel.removeEventListener('keydown', this.#escape)
    bar.remove()
    launcher.remove()
    teaser.remove()
    this.#internals?.states.clear()
    this.#lock(false)
  }

  #escape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') this.host.hide()
  }
}
