import type { Frame, Request } from '@playwright/test'
import { test, expect, expectIdle, agent, agentEvents, agentFrameOf, mockCall, signInQuietly, watchErrors, watchPlugin, type MockFrameState } from './fixtures.js'
import { call, launcher, mountLauncher, panel } from './launcher-helpers.js'

const state = (frame: Frame) => mockCall(frame, 'state') as Promise<MockFrameState>

test('nothing before intent: the page loads the element file and nothing else; a hover starts the session and warms the iframe hidden', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const requests: Request[] = []
  page.on('request', (request) => requests.push(request))
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountLauncher(page, demo)
  await expect(launcher(page)).toBeVisible()
  await page.waitForTimeout(1_000)
  const mockOrigin = new URL(demo.mockUrl!).origin
  expect(requests.map((r) => new URL(r.url()).pathname)).toEqual(['/e2e-agent', '/assets/chatzy-agent.js'])
  expect(requests.filter((r) => new URL(r.url()).origin === mockOrigin)).toEqual([])
  await expect(page.locator('chatzy-agent iframe')).toHaveCount(0)
  await expect(page.locator('link[rel=preconnect]')).toHaveCount(0)
  await expectIdle(agent(page))

  await launcher(page).hover()
  await expect(page.locator('link[rel=preconnect]')).toHaveAttribute('href', mockOrigin)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(plugin.count('POST /session')).toBe(1)
  await expect(page.locator('chatzy-agent iframe')).toBeHidden()
  await expect(agent(page)).not.toHaveAttribute('open')
  expect(errors).toEqual([])
})

test('focus by the user is intent too; opening shows the warmed iframe, no second session', async ({ page, demo }) => {
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountLauncher(page, demo)
  await page.keyboard.press('Tab')
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const { loadId } = await state(await agentFrameOf(page))
  await page.keyboard.press('Enter')
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
  expect((await state(await agentFrameOf(page))).loadId).toBe(loadId)
  expect(plugin.count('POST /session')).toBe(1)
})

test('a click with no hover before it (a tap) opens and starts at once', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo)
  await launcher(page).dispatchEvent('click')
  await expect(agent(page)).toHaveAttribute('open', '')
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
})

test('the iframe lives on while closed: its token asks are answered, and reopening neither reloads it nor starts a session', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountLauncher(page, demo)
  await launcher(page).click()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  const { loadId } = await state(frame)
  await frame.locator('#text').fill('hello')
  await frame.locator('#text').press('Enter')
  await expect.poll(async () => (await state(frame)).messages.map((m) => m.text)).toContain('You said: hello')

  await call(page, 'hide')
  await expect(page.locator('chatzy-agent iframe')).toBeHidden()
  // The mock asks for a new token when its 4 s token expires: answered while the panel is closed.
  await expect.poll(async () => (await state(frame)).refreshes, { timeout: 15_000 }).toBeGreaterThan(0)
  expect((await state(frame)).valid).toBe(true)

  await launcher(page).click()
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
  const after = await state(await agentFrameOf(page))
  expect(after.loadId).toBe(loadId)
  expect(after.messages.map((m) => m.text)).toContain('You said: hello')
  expect(plugin.count('POST /session')).toBe(1)
  expect(errors).toEqual([])
})

test('signOut closes the panel and removes the iframe; nothing starts again until the next intent', async ({ page, demo }) => {
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountLauncher(page, demo)
  await launcher(page).click()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await call(page, 'signOut')
  await expect(agent(page)).not.toHaveAttribute('open')
  await expect(agent(page)).toHaveAttribute('status', 'idle')
  await expect(page.locator('chatzy-agent iframe')).toHaveCount(0)
  await expect(launcher(page)).toBeVisible()
  await expect.poll(() => plugin.count('DELETE /session')).toBe(1)
  await page.waitForTimeout(1_000)
  expect(plugin.count('POST /session')).toBe(1)

  await signInQuietly(page, demo)
  await page.mouse.move(0, 0)
  await launcher(page).hover()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(plugin.count('POST /session')).toBe(2)
  await expect(panel(page)).toBeHidden()
})

test('mode may change on a live element: the session and the iframe are kept', async ({ page, demo }) => {
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { attributes: { mode: 'inline' } })
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect(launcher(page)).toBeHidden()
  const { loadId } = await state(await agentFrameOf(page))

  await agent(page).evaluate((el) => el.setAttribute('mode', 'launcher'))
  await expect(launcher(page)).toBeVisible()
  await expect(page.locator('chatzy-agent iframe')).toBeHidden()
  await launcher(page).click()
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
  expect((await state(await agentFrameOf(page))).loadId).toBe(loadId)

  await agent(page).evaluate((el) => el.setAttribute('mode', 'inline'))
  await expect(launcher(page)).toBeHidden()
  await expect(page.locator('chatzy-agent [part=base] iframe')).toBeVisible()
  expect((await state(await agentFrameOf(page))).loadId).toBe(loadId)
  expect(plugin.count('POST /session')).toBe(1)
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-ready')).toHaveLength(1)
})
