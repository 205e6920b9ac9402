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
