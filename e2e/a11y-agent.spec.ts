import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { test, expect, agent, mountAgent, signInQuietly } from './fixtures.js'
import { call, mountLauncher, panel } from './launcher-helpers.js'

/** axe on the whole page, shadow roots included; Chatzy's own iframe content is not ours to scan. */
async function violations(page: Page) {
  const results = await new AxeBuilder({ page }).exclude('chatzy-agent iframe').analyze()
  return results.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')) }))
}

const page401 = (page: Page) => page.route('**/chatzy/session', (route) =>
  route.fulfill({ status: 401, json: { statusCode: 401, code: 'CHATZY_UNAUTHENTICATED', error: 'Unauthorized', message: 'no user' } }))

test.describe('zero axe violations', () => {
  test('inline: loaded and in the error state', async ({ page, demo }) => {
    await signInQuietly(page, demo)
    await mountAgent(page, demo, { before: '<main><h1>Help</h1>', after: '</main>' })
    await expect(agent(page)).toHaveAttribute('status', 'ready')
    expect(await violations(page)).toEqual([])

    await page401(page)
    await agent(page).evaluate((el) => (el as HTMLElement & { reload(): void }).reload())
    await expect(agent(page)).toHaveAttribute('status', 'error')
    expect(await violations(page)).toEqual([])
  })

  test('launcher: closed, closed with a teaser, open, and open in the error state', async ({ page, demo }) => {
    await signInQuietly(page, demo)
    await mountLauncher(page, demo)
    expect(await violations(page)).toEqual([])
    await call(page, 'nudge', 'Need a hand?')
    expect(await violations(page)).toEqual([])
    await call(page, 'show')
    await expect(agent(page)).toHaveAttribute('status', 'ready')
    expect(await violations(page)).toEqual([])

    await page401(page)
    await agent(page).evaluate((el) => (el as HTMLElement & { reload(): void }).reload())
    await expect(agent(page)).toHaveAttribute('status', 'error')
    await expect(panel(page).getByRole('alert')).toContainText('Sign in')
    expect(await violations(page)).toEqual([])
  })

  test('launcher on a phone, open', async ({ page, demo }) => {
    await page.setViewportSize({ width: 390, height: 844 })
    await signInQuietly(page, demo)
    await mountLauncher(page, demo)
    await call(page, 'show')
    await expect(agent(page)).toHaveAttribute('status', 'ready')
    expect(await violations(page)).toEqual([])
  })
})
