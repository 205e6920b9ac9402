import assert from 'node:assert/strict'
import type { Page } from './driver.js'
import { DEMO_CHATBOT_ID, type Site } from './site.js'

/** What the mock iframe knows of itself (window.chatzyMock.state()). */
export interface MockFrameState {
  user: string | null
  valid: boolean
  refreshes: number
  loadId: string
  messages: { kind: string; text: string }[]
}

export interface AgentEvent { type: string; userId?: string; code?: string; retryable?: boolean; open?: boolean }

export interface MountOptions {
  attributes?: Record<string, string>
  /** Markup before the element, in the body (a spacer, a banner) or scripts that must run first. */
  before?: string
  after?: string
}

const PATH = '/engines-agent'

/**
 * A page of the site with one <chatzy-agent> on the CDN build. It records every chatzy-* event
 * in `window.agentEvents` and every uncaught error of the page in `window.pageErrors`.
 */
export function agentPage(site: Site, options: MountOptions = {}): string {
  const attributes = { 'chatbot-id': DEMO_CHATBOT_ID, endpoint: '/chatzy', 'app-url': site.demo.mockUrl!, ...options.attributes }
  const attrs = Object.entries(attributes).map(([name, value]) => `${name}="${value.replace(/"/g, '&quot;')}"`).join(' ')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>agent page</title>
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<script>
  window.agentEvents = []
  window.pageErrors = []
  addEventListener('error', (event) => pageErrors.push(String(event.message)))
  addEventListener('unhandledrejection', (event) => pageErrors.push(String(event.reason)))
  for (const type of ['chatzy-ready', 'chatzy-token-refreshed', 'chatzy-error', 'chatzy-open', 'chatzy-close']) {
    document.addEventListener(type, (event) => {
      const { userId, code, retryable } = event
      agentEvents.push(JSON.parse(JSON.stringify({ type, userId, code, retryable, open: event.target.open })))
    })
  }
</script>
<script type="module" src="/assets/chatzy-agent.js"></script>
</head><body><main><h1>A shop</h1><p>Products and prices.</p>${options.before ?? ''}<chatzy-agent ${attrs}></chatzy-agent>${options.after ?? ''}</main></body></html>`
}

/** Opens the page; returns where the site's request log stood before it. */
export async function mount(page: Page, site: Site, options: MountOptions = {}): Promise<number> {
  site.serve(PATH, agentPage(site, options))
  const from = site.requests.length
  await page.goto(`${site.url}${PATH}`)
  return from
}

export const mountLauncher = (page: Page, site: Site, options: MountOptions = {}) =>
  mount(page, site, { ...options, attributes: { mode: 'launcher', ...options.attributes } })

/** Signs a demo user in with the host's own form, from a page of the site. */
export async function signIn(page: Page, site: Site, user = 'alice') {
  site.serve('/blank', '<!doctype html><title>blank</title>')
  await page.goto(`${site.url}/blank`)
  const status = await page.evaluate(async (user) => (await fetch('/signin', { method: 'POST', body: new URLSearchParams({ user }) })).status, user)
  assert.equal(status, 200)
}

/** Runs `check` until it passes (or throws its last failure after `timeoutMs`): the page moves on its own. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const attribute = (page: Page, name: string) =>
  page.evaluate((name) => document.querySelector('chatzy-agent')!.getAttribute(name), name)

/** The element's `status` property (the attribute is left off while it is the default `idle`). */
export const status = (page: Page) => page.evaluate(() => (document.querySelector('chatzy-agent') as unknown as { status: string }).status)

export async function hasStatus(page: Page, expected: string, timeoutMs?: number) {
  await eventually(async () => assert.equal(await status(page), expected), timeoutMs)
}

export const events = (page: Page) => page.evaluate(() => (window as unknown as { agentEvents: AgentEvent[] }).agentEvents)
export const pageErrors = (page: Page) => page.evaluate(() => (window as unknown as { pageErrors: string[] }).pageErrors)

/** The mock iframe's state, once its page has loaded. */
export const frameState = (page: Page) => eventually(() => page.evaluateInAgentFrame(() => {
  const mock = (window as unknown as { chatzyMock?: { state(): MockFrameState } }).chatzyMock
  if (!mock) throw new Error('the mock iframe has not loaded')
  return mock.state()
}))

export const frameCall = (page: Page, name: 'ask' | 'setAutoAsk', ...args: unknown[]) => page.evaluateInAgentFrame((name, args) => {
  const mock = (window as unknown as { chatzyMock: Record<string, (...a: unknown[]) => unknown> }).chatzyMock
  mock[name]!(...args)
}, name, args)

/** Calls a public method of the element. */
export const call = (page: Page, method: 'show' | 'hide' | 'signOut' | 'nudge', ...args: string[]) =>
  page.evaluate((method, args) => {
    const element = document.querySelector('chatzy-agent') as unknown as Record<string, (...a: string[]) => unknown>
    void element[method]!(...args)
  }, method, args)

export interface Box { x: number; y: number; width: number; height: number }

/** A box in the element's shadow root (`[part=launcher]`, `iframe`…), or null when it is not rendered. */
export const box = (page: Page, selector: string) => page.evaluate((selector) => {
  const element = document.querySelector('chatzy-agent')?.shadowRoot?.querySelector(selector)
  if (!element) return null
  const { x, y, width, height } = element.getBoundingClientRect()
  return width === 0 && height === 0 ? null : { x, y, width, height }
}, selector)

async function centre(page: Page, selector: string) {
  const found = await eventually(async () => {
    const found = await box(page, selector)
    assert.ok(found, `${selector} is not rendered`)
    return found
  })
  return [found.x + found.width / 2, found.y + found.height / 2] as const
}

export const clickPart = async (page: Page, selector: string) => page.click(...await centre(page, selector))
export const hoverPart = async (page: Page, selector: string) => page.hover(...await centre(page, selector))

/** Shown to the user: a box, and (for the iframe) not inside a closed panel. */
export const visible = (page: Page, selector: string) => page.evaluate((selector) => {
  const element = document.querySelector('chatzy-agent')?.shadowRoot?.querySelector(selector)
  if (!element) return false
  const { width, height } = element.getBoundingClientRect()
  return width > 0 && height > 0 && element.checkVisibility({ visibilityProperty: true })
}, selector)

/** The focused element, seen through shadow roots: "part=close", "part=launcher", "iframe", or a tag name. */
export const focused = (page: Page) => page.evaluate(() => {
  let element = document.activeElement
  while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement
  return element?.getAttribute('part') ? `part=${element.getAttribute('part')}` : element?.tagName.toLowerCase()
})

export const isOpen = (page: Page) => page.evaluate(() => document.querySelector('chatzy-agent')!.hasAttribute('open'))

/** Waits for the panel's open or close transition to end (its box is final then). */
export const settled = (page: Page) => page.evaluate(() => {
  const panel = document.querySelector('chatzy-agent')!.shadowRoot!.querySelector('[part=panel]')!
  return Promise.all(panel.getAnimations().map((animation) => animation.finished)).then(() => undefined)
})
