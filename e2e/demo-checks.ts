import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'

/**
 * axe on the page as it is now: every rule axe runs by default (WCAG A/AA and best practices,
 * `region`, `landmark-one-main` and `heading-order` among them), inside the element's shadow
 * root too. Chatzy's own iframe content is not ours to fix, so it is left out.
 */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .exclude({ fromShadowDom: ['chatzy-agent', 'iframe'] })
    .analyze()
  const violations = results.violations.map((v) => `${v.id}: ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`)
  expect(violations, `axe violations on ${page.url()}`).toEqual([])
}

/**
 * Records every layout shift of the page from its first paint (the Layout Instability API),
 * except those that follow a user's input by design. Call before navigating.
 */
export async function watchLayoutShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const shifts: { value: number; nodes: string[] }[] = []
    ;(window as unknown as { layoutShifts: typeof shifts }).layoutShifts = shifts
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean; sources: { node?: Node }[] }[]) {
        if (entry.hadRecentInput) continue
        shifts.push({
          value: entry.value,
          nodes: entry.sources.map(({ node }) => node instanceof Element ? `${node.localName}${node.id ? '#' + node.id : ''}.${node.className}` : String(node?.nodeName)),
        })
      }
    }).observe({ type: 'layout-shift', buffered: true })
  })
}

/** The layout shifts seen so far (see watchLayoutShifts). */
export function layoutShifts(page: Page): Promise<{ value: number; nodes: string[] }[]> {
  return page.evaluate(() => (window as unknown as { layoutShifts: { value: number; nodes: string[] }[] }).layoutShifts)
}

/** The page is no wider than the viewport: nothing to scroll sideways. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }))
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth)
}
