import { expect, type Page } from '@playwright/test'
import type { ChatzyAgent } from '../element/src/chatzy-agent.js'
import { expectIdle, frameState } from './fixtures.js'

/**
 * What every example's launcher variant must show in the browser: nothing is asked of the
 * plugin or Chatzy before the user reaches for the button; a click opens the panel with a ready
 * agent for the signed-in user; closing and reopening keeps the same iframe and session. With
 * `log`, the page's own chatzy-open / chatzy-close listeners must have heard both.
 */
export async function expectWorkingLauncher(page: Page, url: string, { log = true } = {}) {
  const sessions: string[] = []
  const toChatzy: string[] = []
  page.on('request', (request) => {
    const { pathname, origin } = new URL(request.url())
    if (pathname === '/chatzy/session') sessions.push(request.method())
    if (origin !== new URL(url).origin) toChatzy.push(request.url())
  })
  await page.goto(url)
  const agent = page.locator('chatzy-agent')
  const launcher = agent.locator('[part=launcher]')
  const panel = agent.locator('[part=panel]')
  await expect(launcher).toBeVisible()
  expect(await agent.evaluate((element) => (element as ChatzyAgent).mode)).toBe('launcher')
  await expectIdle(agent)
  await expect(page.locator('chatzy-agent iframe')).toHaveCount(0)
  expect(sessions).toEqual([])
  expect(toChatzy).toEqual([])

  await launcher.click()
  await expect(panel).toBeVisible()
  await expect(agent).toHaveAttribute('open', '')
  await expect(agent).toHaveAttribute('status', 'ready', { timeout: 30_000 })
  const frame = page.frameLocator('chatzy-agent iframe')
  await expect(frame.locator('#user')).toHaveText('ada')
  await expect(frame.locator('#state')).toHaveText('valid')
  const { loadId } = await frameState(page)
  if (log) await expect(page.locator('#log')).toContainText('panel opened')

  await panel.getByRole('button', { name: 'Close' }).click()
  await expect(panel).toBeHidden()
  await expect(agent).not.toHaveAttribute('open')
  if (log) await expect(page.locator('#log')).toContainText('panel closed')

  await launcher.click()
  await expect(panel).toBeVisible()
  expect((await frameState(page)).loadId).toBe(loadId)
  expect(sessions).toEqual(['POST'])
}
