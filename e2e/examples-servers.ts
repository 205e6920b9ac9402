import { expect, type Page } from '@playwright/test'
import { agentFrameOf, frameState, mockCall } from './fixtures.js'

/** Every /chatzy call the page makes from now on, as `METHOD /path status`. */
export function chatzyCalls(page: Page): string[] {
  const calls: string[] = []
  page.on('response', (response) => {
    const request = response.request()
    const { pathname } = new URL(request.url())
    if (pathname.startsWith('/chatzy/')) calls.push(`${request.method()} ${pathname} ${response.status()}`)
  })
  return calls
}

/**
 * What every server example must show in the browser, whatever answers its `/chatzy` routes:
 * the element reaches `ready` for `user`, and when the iframe asks for a new token
 * (`[TOKEN_REFRESH]`) the element gets it through the server's `POST /chatzy/refresh` (seen in
 * `calls`, from `chatzyCalls`) and hands it over, without reloading the iframe.
 */
export async function expectAgentReadyAndRefreshing(page: Page, user: string, calls: string[]): Promise<void> {
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready', { timeout: 30_000 })
  const frame = page.frameLocator('chatzy-agent iframe')
  await expect(frame.locator('#user')).toHaveText(user)
  await expect(frame.locator('#state')).toHaveText('valid')

  const before = await frameState(page)
  await mockCall(await agentFrameOf(page), 'ask')
  await expect.poll(async () => (await frameState(page)).refreshes).toBeGreaterThan(before.refreshes)
  const after = await frameState(page)
  expect(after.valid).toBe(true)
  expect(after.user).toBe(user)
  expect(after.loadId).toBe(before.loadId)
  expect(calls).toContain('POST /chatzy/refresh 200')
}

/**
 * What an example whose own server (Express, Hono, …) serves a static page with the element
 * must show at `url`: the page's agent ready for ada, its first session and the iframe's
 * refreshes answered by that server, both in the page's log, and no error on the page.
 */
export async function expectStaticPageAgent(page: Page, url: string): Promise<void> {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  const calls = chatzyCalls(page)
  await page.goto(url)
  await expectAgentReadyAndRefreshing(page, 'ada', calls)
  expect(calls).toContain('POST /chatzy/session 200')
  await expect(page.locator('#log')).toContainText('ready: signed in as ada')
  await expect(page.locator('#log')).toContainText('token refreshed (iframe)')
  expect(problems).toEqual([])
}
