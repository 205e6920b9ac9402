import type { Page } from '@playwright/test'
import { test, expect, agent, agentFrameOf, mockCall, mountAgent, signInQuietly, watchErrors, type MockFrameState } from './fixtures.js'
import { launcher, mountLauncher, panel } from './launcher-helpers.js'

/*
 * A page that enforces Trusted Types with no policy at all: any HTML string written to the DOM
 * (innerHTML, insertAdjacentHTML…) throws, and the browser reports a violation. The element
 * builds its DOM node by node, so it works there in both modes.
 */
const TRUSTED_TYPES = { 'content-security-policy': "require-trusted-types-for 'script'; trusted-types 'none'" }

/** Records every CSP violation of the page (Trusted Types' included) in `window.violations`. */
const RECORD_VIOLATIONS = `<script>
  window.violations = []
  document.addEventListener('securitypolicyviolation', (event) => window.violations.push(event.violatedDirective + ' ' + event.sample), true)
</script>`

const violations = (page: Page) => page.evaluate(() => (window as unknown as { violations: string[] }).violations)

test('inline, on a page that enforces Trusted Types with no policy: ready, the token refreshed, no violation', async ({ page, demo }) => {
  const errors = watchErrors(page)
  await signInQuietly(page, demo)
  await mountAgent(page, demo, { headers: TRUSTED_TYPES, before: RECORD_VIOLATIONS })
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  await mockCall(frame, 'ask', 'object')
  await expect.poll(async () => ((await mockCall(frame, 'state')) as MockFrameState).refreshes).toBe(1)
  // The policy is in force: an HTML string on this page is refused.
  expect(await page.evaluate(() => {
    try {
      document.body.insertAdjacentHTML('beforeend', '<b>x</b>')
      return 'written'
    } catch {
      return 'refused'
    }
  })).toBe('refused')
  expect((await violations(page)).filter((v) => !v.includes('insertAdjacentHTML'))).toEqual([])
  expect(errors.filter((e) => !e.message.includes('TrustedHTML'))).toEqual([])
})

test('launcher, on a page that enforces Trusted Types with no policy: the button, then the panel open and ready, no violation', async ({ page, demo }) => {
  const errors = watchErrors(page)
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { headers: TRUSTED_TYPES, before: RECORD_VIOLATIONS })
  await expect(launcher(page)).toBeVisible()
  await launcher(page).click()
  await expect(panel(page)).toBeVisible()
  await expect(panel(page).getByRole('button', { name: 'Close' })).toBeVisible()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect(page.frameLocator('chatzy-agent iframe').locator('#state')).toHaveText('valid')
  expect(await violations(page)).toEqual([])
  expect(errors).toEqual([])
})
