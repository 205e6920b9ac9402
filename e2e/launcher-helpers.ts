import type { Page } from '@playwright/test'
import type { ChatzyAgent } from '../element/src/chatzy-agent.js'
import type { Demo } from '../demo/server.js'
import { agent, mountAgent, type MountOptions } from './fixtures.js'

/** Records chatzy-open / chatzy-close in `window.agentEvents` too (the page records the other events). */
const RECORD_OPEN_CLOSE = `<script>
  for (const type of ['chatzy-open', 'chatzy-close']) {
    document.addEventListener(type, (event) => window.agentEvents.push({ type, open: event.target.open, bubbles: event.bubbles, composed: event.composed, typed: event.constructor.type === type }))
  }
</script>`

/** A content page with `<chatzy-agent mode="launcher">` (no `loading` attribute: it applies to inline only). */
export async function mountLauncher(page: Page, demo: Demo, options: MountOptions = {}) {
  await mountAgent(page, demo, {
    ...options,
    attributes: { mode: 'launcher', ...options.attributes },
    before: `<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"><main><h1>A shop</h1><p>Products and prices.</p>${options.before ?? ''}`,
    after: `</main>${RECORD_OPEN_CLOSE}${options.after ?? ''}`,
  })
}

export const launcher = (page: Page) => agent(page).locator('[part=launcher]')
export const panel = (page: Page) => agent(page).locator('[part=panel]')
export const closeButton = (page: Page) => agent(page).locator('[part=close]')
export const teaser = (page: Page) => agent(page).locator('[part=teaser]')

export const call = (page: Page, method: 'show' | 'hide' | 'toggle' | 'signOut' | 'nudge', ...args: string[]) =>
  agent(page).evaluate((el, [method, args]) => {
    const fn = (el as ChatzyAgent)[method as 'nudge'] as (...a: string[]) => unknown
    return fn.apply(el, args as string[])
  }, [method, args] as const)

/** The focused element, seen through shadow roots: "part=close", "part=launcher", "iframe" or a tag name. */
export const focused = (page: Page) => page.evaluate(() => {
  let element = document.activeElement
  while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement
  return element?.getAttribute('part') ? `part=${element.getAttribute('part')}` : element?.tagName.toLowerCase()
})

export const isOpenInTopLayer = (page: Page) => panel(page).evaluate((el) => el.matches(':popover-open'))

/** Waits for the panel's open or close transition to end (its box is final then). */
export const settled = (page: Page) => panel(page).evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)).then(() => undefined))
