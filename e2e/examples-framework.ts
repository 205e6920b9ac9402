import { expect, type Page } from '@playwright/test'
import type { ChatzyAgent } from '../element/src/chatzy-agent.js'
import { expectWorkingLauncher } from './examples-launcher.js'
import { frameState } from './fixtures.js'

/**
 * What every framework example must show in the browser: the attributes it binds reach the
 * element, its listeners get the typed events, its ref calls the element's methods, and the
 * iframe's token is refreshed without a reload.
 */
export async function expectWorkingFrameworkExample(page: Page, url: string) {
  await page.goto(url)
  const agent = page.locator('chatzy-agent')
  // Bound attributes are the element's: it found its chatbot and Chatzy's URL.
  await expect(agent).toHaveAttribute('chatbot-id', '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1')
  await expect(agent).toHaveAttribute('status', 'ready', { timeout: 30_000 })
  const frame = page.frameLocator('chatzy-agent iframe')
  await expect(frame.locator('#user')).toHaveText('ada')
  await expect(frame.locator('#state')).toHaveText('valid')

  // The chatzy-ready listener is a real one, with the typed event's fields.
  await expect(page.locator('#status')).toHaveText('ready')
  await expect(page.locator('#log')).toContainText('ready: signed in as ada')

  // The ref is the element: its methods can be called.
  await page.getByRole('button', { name: 'Nudge' }).click()
  await expect(frame.getByText('Hi, do you need any help?')).toBeVisible()

  // Refreshes asked by the iframe reach the chatzy-token-refreshed listener; the iframe is not reloaded.
  const before = await frameState(page)
  await expect(page.locator('#log')).toContainText('token refreshed (iframe)', { timeout: 20_000 })
  const after = await frameState(page)
  expect(after.loadId).toBe(before.loadId)
  expect(after.valid).toBe(true)

  // A ref call that goes through the server too.
  await page.getByRole('button', { name: 'Refresh token' }).click()
  await expect(page.locator('#log')).toContainText('token refreshed (manual)')
}

/**
 * A framework example's launcher variant at `url`: a working launcher (mode, position and open
 * bound, open/close listeners), then switched inline live by the app, keeping the same iframe.
 */
export async function expectLauncherSwitchedInline(page: Page, url: string) {
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))
  await expectWorkingLauncher(page, url)
  expect(await page.locator('chatzy-agent').evaluate((element) => (element as ChatzyAgent).position)).toBe('bottom-right')
  const { loadId } = await frameState(page)
  await page.getByRole('button', { name: 'Show inline' }).click()
  await expect.poll(() => page.locator('chatzy-agent').evaluate((element) => (element as ChatzyAgent).mode)).toBe('inline')
  await expect(page.locator('chatzy-agent').locator('[part=launcher]')).toBeHidden()
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
  expect((await frameState(page)).loadId).toBe(loadId)
  expect(pageErrors).toEqual([])
}
