import { test as base, expect, type FrameLocator, type Page } from '@playwright/test'
import { startDemo, type Demo } from '../demo/server.js'

export interface MockFrameState {
  user: string | null
  token: string | null
  expiresAt: number
  valid: boolean
  refreshes: number
  asks: number
  loadId: string
  received: { form: 'object' | 'string'; origin: string; data: { type?: string; [k: string]: unknown } }[]
  messages: { kind: string; text: string }[]
}

/** The demo (host app + mock Chatzy on another origin), fresh for each test. */
export const test = base.extend<{ demo: Demo; accessTtlMs: number }>({
  accessTtlMs: [4_000, { option: true }],
  demo: async ({ accessTtlMs }, use) => {
    const demo = await startDemo({ accessTtlMs })
    await use(demo)
    await demo.close()
  },
})

export { expect }

export async function signIn(page: Page, demo: Demo, user = 'alice') {
  await page.goto(demo.hostUrl)
  await page.getByRole('button', { name: `Sign in as ${user}` }).click()
  await expect(page.locator('#who')).toHaveText(user)
}

export function agentFrame(page: Page): FrameLocator {
  return page.frameLocator('chatzy-agent iframe')
}

/** The mock iframe's own view of itself (window.chatzyMock.state()). */
export async function frameState(page: Page): Promise<MockFrameState> {
  const handle = await page.locator('chatzy-agent iframe').elementHandle()
  const frame = await handle!.contentFrame()
  return frame!.evaluate(() => (window as unknown as { chatzyMock: { state(): MockFrameState } }).chatzyMock.state())
}
