import { devices, type Page } from '@playwright/test'
import { test, expect, agent, agentFrameOf, mockCall, signInQuietly, type MockFrameState } from './fixtures.js'
import { closeButton, launcher, mountLauncher, panel, settled } from './launcher-helpers.js'

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, userAgent: devices['Pixel 7']!.userAgent })

test('on a 390×844 touch screen the open panel fills the viewport, the page behind does not scroll, and closing gives the page back', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { before: '<div style="height: 4000px">long page</div>' })
  await page.evaluate(() => scrollTo(0, 200))
  await expect.poll(() => page.evaluate(() => scrollY)).toBe(200)
  await launcher(page).tap()
  await expect(panel(page)).toBeVisible()
  await settled(page)
  const box = (await panel(page).boundingBox())!
  expect(Object.values(box).map(Math.round)).toEqual([0, 0, 390, 844])
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
  await expect(agent(page)).toHaveAttribute('status', 'ready')

  // The page behind stays where it was, whatever the wheel or finger does over the panel.
  await page.mouse.move(195, 30)
  await page.mouse.wheel(0, 600)
  await page.waitForTimeout(300)
  expect(await page.evaluate(() => scrollY)).toBe(200)
  await expect(page.locator('html')).toHaveCSS('overflow', 'hidden')

  // Use it, close it, reopen it: the conversation is still there.
  const frame = await agentFrameOf(page)
  await frame.locator('#text').tap()
  await frame.locator('#text').fill('size?')
  await frame.locator('#text').press('Enter')
  await expect.poll(async () => ((await mockCall(frame, 'state')) as MockFrameState).messages.map((m) => m.text)).toContain('You said: size?')
  await closeButton(page).tap()
  await expect(panel(page)).toBeHidden()
  await expect(page.locator('html')).not.toHaveCSS('overflow', 'hidden')
  expect(await page.evaluate(() => scrollY)).toBe(200)
  await launcher(page).tap()
  expect(((await mockCall(await agentFrameOf(page), 'state')) as MockFrameState).messages.map((m) => m.text)).toContain('You said: size?')
})

test('on a 390×844 screen the launcher and its teaser stay within the viewport', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo)
  await agent(page).evaluate((el) => (el as HTMLElement & { nudge(t: string): void }).nudge('A much longer teaser text that has to wrap on a phone screen to stay readable'))
  for (const part of ['launcher', 'teaser']) {
    const box = (await agent(page).locator(`[part=${part}]`).boundingBox())!
    expect(box.x).toBeGreaterThanOrEqual(0)
    expect(box.x + box.width).toBeLessThanOrEqual(390)
    expect(box.y + box.height).toBeLessThanOrEqual(844)
  }
})

const pageLocked = (page: Page) => page.evaluate(() => document.documentElement.style.overflow)

test('an open launcher taken off the page (a route change of a single-page app) gives the page its scroll back', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { before: '<div style="height: 4000px">long page</div>' })
  await launcher(page).tap()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(await pageLocked(page)).toBe('hidden')
  await agent(page).evaluate((el) => el.remove())
  await page.evaluate(() => new Promise(requestAnimationFrame))
  expect(await pageLocked(page)).toBe('')
  await page.mouse.wheel(0, 600)
  await expect.poll(() => page.evaluate(() => scrollY)).toBeGreaterThan(0)
})

test('two open launchers lock the page once: it scrolls again when the last one closes, with its own overflow back', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, {
    before: '<div style="height: 4000px">long page</div>',
    after: `<chatzy-agent id="other" mode="launcher" chatbot-id="other-bot" app-url="${demo.mockUrl}" position="bottom-left"></chatzy-agent>`,
  })
  await page.evaluate(() => (document.documentElement.style.overflow = 'auto'))
  const [first, second] = [agent(page).first(), agent(page).last()]
  await first.evaluate((el) => (el as HTMLElement & { show(): void }).show())
  await second.evaluate((el) => (el as HTMLElement & { show(): void }).show())
  expect(await pageLocked(page)).toBe('hidden')
  await first.evaluate((el) => (el as HTMLElement & { hide(): void }).hide())
  await page.evaluate(() => new Promise(requestAnimationFrame))
  expect(await pageLocked(page)).toBe('hidden') // the other panel still covers the page
  await second.evaluate((el) => (el as HTMLElement & { hide(): void }).hide())
  await page.evaluate(() => new Promise(requestAnimationFrame))
  expect(await pageLocked(page)).toBe('auto')
})

test('turning the phone: the page scrolls again once the open panel no longer fills it, and not once it does again', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { before: '<div style="height: 4000px">long page</div>' })
  await launcher(page).tap()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(await pageLocked(page)).toBe('hidden')
  // Checked as soon as the page has seen the new width (and painted), not whenever a later update happens.
  const turn = async (width: number, height: number) => {
    const seen = page.evaluate(() => new Promise((resolve) => matchMedia('(max-width: 480px)').addEventListener('change', resolve, { once: true })))
    await page.setViewportSize({ width, height })
    await seen
    await page.evaluate(() => new Promise(requestAnimationFrame))
    return pageLocked(page)
  }
  expect(await turn(844, 390)).toBe('')
  expect(await turn(390, 844)).toBe('hidden')
})

test('hiding an open launcher gives the page its scroll back; showing it again takes it back', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { before: '<div style="height: 4000px">long page</div>' })
  await launcher(page).tap()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(await pageLocked(page)).toBe('hidden')
  const hide = (hidden: boolean) => agent(page).evaluate((el, hidden) => {
    el.toggleAttribute('hidden', hidden)
    return new Promise(requestAnimationFrame).then(() => document.documentElement.style.overflow)
  }, hidden)
  expect(await hide(true)).toBe('')
  expect(await hide(false)).toBe('hidden')
})

test('a hidden launcher left open on the previous page does not stop the page from scrolling', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { attributes: { open: '', hidden: '' }, before: '<div style="height: 4000px">long page</div>' })
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect(panel(page)).toBeHidden()
  expect(await pageLocked(page)).toBe('')
})
