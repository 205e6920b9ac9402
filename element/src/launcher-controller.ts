import type { ReactiveController } from '@lit/reactive-element'
import type { ChatzyAgent } from './chatzy-agent.js'
import { h } from './dom.js'
import { ChatzyCloseEvent, ChatzyOpenEvent } from './events.js'
import { originOf } from './protocol.js'
import { ENGLISH } from './strings.js'

const key = (chatbotId: string) => `chatzy-agent open ${chatbotId}`

// One scroll lock for the page, whatever the number of open panels: the page's own overflow is
// saved by the first holder and put back when the last one lets go.
const holders = new Set<object>()
let pageOverflow = ''
function holdScroll(holder: object, hold: boolean) {
  const style = document.documentElement.style
  const held = holders.size
  holders[hold ? 'add' : 'delete'](holder)
  if (!held && holders.size) {
    pageOverflow = style.overflow
    style.overflow = 'hidden'
  } else if (held && !holders.size) style.overflow = pageOverflow
}

/**
 * The launcher's chrome around the element's one box, which becomes its panel: the floating
 * button, the panel's header and dialog semantics, the teaser, focus, the open state kept per
 * tab, and the page's scroll at phone width. The session, the protocol and the iframe stay the
 * element's: this only calls `start` on the user's intent or on open.
 */
export class LauncherController implements ReactiveController {
  #host: ChatzyAgent
  #start: () => void
  // The chrome, hidden in inline mode: every text goes in through textContent or attributes.
  // The launcher's name is its slotted text when it has some (label in name), else its `title`.
  #panel!: HTMLElement
  #label = h('span', { id: 'label' })
  #close = h('button', { part: 'close', type: 'button' }, '✕')
  #launcher = h('button', { part: 'launcher', type: 'button', 'aria-controls': 'panel' },
    h('slot', { name: 'launcher' }, h('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true' }, h('path', { d: 'M3 3h18v14H9l-6 5z' }))))
  #teaser = h('div', { part: 'teaser', hidden: '' }, h('button', { type: 'button' }), h('button', { type: 'button' }, '✕'))
  #on = false
  #shown = false
  #restored = false
  #focus = false
  #moving = false
  #preconnected = false
  #phone = matchMedia('(max-width: 480px)')
  // `hidden` is no property of the element's, so no update follows it: the scroll lock must.
  #hiding = new MutationObserver(() => this.#lock())

  constructor(host: ChatzyAgent, start: () => void) {
    this.#host = host
    this.#start = start
    host.addController(this)
  }

  /** The next open moves focus into the panel (the user's or `show()`'s; a restored one does not). */
  focusOnOpen() {
    this.#focus = true
  }

  /** Shows `text` beside the closed launcher; no text hides it. */
  tease(text?: string) {
    // Inline, no teaser: one set while inline would show a stale text after a switch to launcher.
    if (text !== undefined && (this.#host.open || this.#host.mode !== 'launcher')) return
    this.#teaser.firstChild!.textContent = text ?? ''
    this.#teaser.hidden = text === undefined
  }

  hostConnected() {
    if (!this.#panel) this.#build()
    this.#hiding.observe(this.#host, { attributeFilter: ['hidden'] })
    // Back in a document: the browser hid the popover when the element left.
    this.#host.requestUpdate()
  }

  hostDisconnected() {
    this.#hiding.disconnect()
    this.#lock()
  }

  hostUpdate() {
    const host = this.#host
    // The panel left open on the previous page of this tab starts open (taking no focus).
    if (host.mode === 'launcher' && !this.#restored) {
      this.#restored = true
      if (read(host.chatbotId) === '1') host.open = true
    }
  }

  hostUpdated() {
    const host = this.#host
    const panel = this.#panel
    const on = host.mode === 'launcher'
    if (on !== this.#on) {
      this.#on = on
      // The same box, iframe and session in both modes: only its part and dialog semantics change.
      panel.setAttribute('part', on ? 'panel' : 'base')
      panel.popover = on ? 'manual' : null
      panel.role = on ? 'dialog' : null
      if (on) panel.setAttribute('aria-labelledby', 'label')
      else panel.removeAttribute('aria-labelledby')
    }
    if (!on) {
      this.#focus = false
      return this.#lock()
    }
    const { open } = host
    const texts = { ...ENGLISH, ...host.strings }
    this.#launcher.ariaExpanded = String(open)
    this.#launcher.title = this.#label.textContent = host.title
    this.#close.ariaLabel = texts.close
    ;(this.#teaser.lastChild as HTMLElement).ariaLabel = texts.dismiss
    // In the panel: its own buttons and iframe, or the host's content slotted into it (`error`, `loading`);
    // the launcher itself counts too, harmlessly (focusing it again changes nothing).
    const focusWasIn = panel.contains((host.renderRoot as ShadowRoot).activeElement) || host.contains(document.activeElement)
    if (host.isConnected) panel.togglePopover(open)
    if (open !== this.#shown) {
      this.#shown = open
      write(host.chatbotId, open ? '1' : '0')
      if (open) {
        this.tease()
        this.#start()
      } else if (focusWasIn) {
        this.#moving = true
        this.#launcher.focus()
        this.#moving = false
      }
      host.dispatchEvent(open ? new ChatzyOpenEvent() : new ChatzyCloseEvent())
    }
    if (open && this.#focus) this.#close.focus()
    this.#focus = false
    this.#lock()
  }

  /**
   * At phone width the open panel covers the page, and the page behind must not scroll; turning
   * the phone may cross that width while open. A panel off the page or hidden holds nothing.
   */
  #lock = () => {
    const host = this.#host
    const open = host.isConnected && this.#on && host.open
    this.#phone.onchange = open ? this.#lock : null
    holdScroll(this, open && !host.hidden && this.#phone.matches)
  }

  /** The pointer on, or the user's own focus on, the launcher: warm up (session, hidden iframe, connection). */
  #intent = () => {
    if (this.#moving) return
    const origin = originOf(this.#host.appUrl)
    if (!this.#preconnected && origin) {
      this.#preconnected = true
      document.head.append(Object.assign(document.createElement('link'), { rel: 'preconnect', href: origin }))
    }
    this.#start()
  }

  #build() {
    const host = this.#host
    const panel = (this.#panel = host.renderRoot.querySelector('[part=base]')!)
    // The panel's header goes into the box; the button and the teaser after it.
    panel.prepend(h('div', { class: 'bar' }, this.#label, this.#close))
    panel.after(this.#launcher, this.#teaser)
    panel.id = 'panel'
    panel.addEventListener('keydown', (event) => event.key === 'Escape' && this.#on && host.hide())
    this.#close.addEventListener('click', () => host.hide())
    this.#launcher.addEventListener('click', () => host.toggle())
    this.#launcher.addEventListener('pointerenter', this.#intent)
    this.#launcher.addEventListener('focus', this.#intent)
    this.#teaser.firstChild!.addEventListener('click', () => host.show())
    this.#teaser.lastChild!.addEventListener('click', () => (this.#teaser.hidden = true))
  }
}

function read(chatbotId: string) {
  try {
    return sessionStorage.getItem(key(chatbotId))
  } catch {
    return null
  }
}

function write(chatbotId: string, value: string) {
  try {
    sessionStorage.setItem(key(chatbotId), value)
  } catch {
    // Storage blocked: the next page starts closed.
  }
}
