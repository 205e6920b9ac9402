import { test, expect, signIn, agentFrame } from './fixtures.js'
import { expectNoAxeViolations, expectNoSidewaysScroll, layoutShifts, watchLayoutShifts } from './demo-checks.js'

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1280, height: 800 }

for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
  test(`demo pages pass axe at ${name} width: sign-in, the inline agent ready, the agent alone`, async ({ page, demo }) => {
    await page.setViewportSize(viewport)
    await page.goto(demo.hostUrl)
    await expect(page.getByRole('button', { name: 'Sign in as alice' })).toBeVisible()
    await expectNoAxeViolations(page)

    await signIn(page, demo, 'alice')
    await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready')
    await expectNoAxeViolations(page)

    await page.getByRole('link', { name: 'The agent alone' }).click()
    await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready')
    await expectNoAxeViolations(page)
  })
}

test('at phone width the inline page is one column: the agent spans the page, its controls below, nothing shifts while it loads and refreshes', async ({ page, demo }) => {
  await page.setViewportSize(PHONE)
  await watchLayoutShifts(page)
  await signIn(page, demo, 'alice')
  await expect(agentFrame(page).locator('#state')).toHaveText('valid')
  // refresh-ahead: the status and the event log change while the page sits there.
  await expect(page.locator('#log')).toContainText('token refreshed (ahead)', { timeout: 15_000 })

  const agent = (await page.locator('chatzy-agent').boundingBox())!
  const controls = (await page.locator('#status').boundingBox())!
  expect(agent.width).toBeGreaterThanOrEqual(PHONE.width - 2 * 16)
  expect(agent.height).toBe(520)
  expect(controls.y).toBeGreaterThanOrEqual(agent.y + agent.height)
  await expectNoSidewaysScroll(page)
  expect(await layoutShifts(page)).toEqual([])
})

test('at desktop width the agent and its controls sit side by side, and nothing shifts either', async ({ page, demo }) => {
  await page.setViewportSize(DESKTOP)
  await watchLayoutShifts(page)
  await signIn(page, demo, 'alice')
  await expect(page.locator('#log')).toContainText('token refreshed (ahead)', { timeout: 15_000 })

  const agent = (await page.locator('chatzy-agent').boundingBox())!
  const controls = (await page.locator('#status').boundingBox())!
  expect(controls.x).toBeGreaterThanOrEqual(agent.x + agent.width)
  expect(agent.width).toBeGreaterThanOrEqual(600)
  expect(await layoutShifts(page)).toEqual([])
})

test('the inline demo page passes axe in the error state too, the element\'s notice and Retry included', async ({ page, demo }) => {
  await signIn(page, demo, 'alice')
  await expect(page.locator('#status')).toHaveText('ready')
  await page.locator('chatzy-agent').evaluate((agent) => agent.removeAttribute('refresh-ahead'))
  await page.getByLabel(/Token requests fail/).check()
  await page.getByRole('button', { name: 'Refresh token' }).click()
  await expect(page.locator('#status')).toHaveText('error', { timeout: 20_000 })
  await expect(page.locator('chatzy-agent').getByRole('button', { name: 'Retry' })).toBeVisible()
  await expectNoAxeViolations(page)
})
