import type { Page } from '@playwright/test'
import { DEMO_SUPPORT_CHATBOT_ID } from '../demo/server.js'
import { test, expect, DEMO_CHATBOT_ID, mockCall, mockFrame, mountAgent, signIn, watchPlugin, type MockFrameState } from './fixtures.js'

const inline = (page: Page) => page.locator(`chatzy-agent[chatbot-id="${DEMO_CHATBOT_ID}"]`)
const support = (page: Page) => page.locator(`chatzy-agent[chatbot-id="${DEMO_SUPPORT_CHATBOT_ID}"]`)
const frameOf = (page: Page, chatbot: string) => mockFrame(page, `chatzy-agent[chatbot-id="${chatbot}"] iframe`)

/** A product page: the inline agent of chatbot A, and chatbot B's launcher, open, for support. */
async function productPage(page: Page, demo: Parameters<typeof mountAgent>[1]) {
  await mountAgent(page, demo, {
    after: `<chatzy-agent mode="launcher" open chatbot-id="${DEMO_SUPPORT_CHATBOT_ID}" endpoint="/chatzy" app-url="${demo.mockUrl}" title="Support"></chatzy-agent>`,
  })
  await expect(inline(page)).toHaveJSProperty('status', 'ready')
  await expect(support(page)).toHaveJSProperty('status', 'ready')
}

/** Has the iframe ask for a new token, as it does when its own has expired; resolves the token it got. */
async function refreshedToken(page: Page, chatbot: string): Promise<string> {
  const frame = await frameOf(page, chatbot)
  const before = ((await mockCall(frame, 'state')) as MockFrameState).refreshes
  await mockCall(frame, 'ask')
  await expect.poll(async () => ((await mockCall(frame, 'state')) as MockFrameState).refreshes).toBe(before + 1)
  return ((await mockCall(frame, 'state')) as MockFrameState).token!
}

test.use({ minRefreshIntervalMs: 0 })

test('an inline chatbot and a launcher for another, one user, one page: both ready, each refreshed with a token of its own chatbot', async ({ page, demo }) => {
  await signIn(page, demo)
  const plugin = watchPlugin(page)
  await productPage(page, demo)
  expect(plugin.count('POST /session')).toBe(2)

  for (const chatbot of [DEMO_CHATBOT_ID, DEMO_SUPPORT_CHATBOT_ID]) {
    const token = await refreshedToken(page, chatbot)
    expect(demo.mock!.grantOf(token)).toEqual({ user_id: 'alice', chatbot_id: chatbot })
  }
  const bodies = plugin.filter((request) => request.url().endsWith('/refresh')).map((request) => request.postDataJSON() as { chatbot_id?: string })
  expect(bodies.map((body) => body.chatbot_id).sort()).toEqual([DEMO_CHATBOT_ID, DEMO_SUPPORT_CHATBOT_ID].sort())
})

test('a reload of the page with both chatbots mints nothing: each session is handed out again', async ({ page, demo }) => {
  await signIn(page, demo)
  await productPage(page, demo)
  const mints = demo.mock!.calls.mint
  await page.reload()
  await expect(inline(page)).toHaveJSProperty('status', 'ready')
  await expect(support(page)).toHaveJSProperty('status', 'ready')
  expect(demo.mock!.calls.mint).toBe(mints)
})

test('signing out of chatbot B leaves chatbot A: its iframe is still answered, and a reload starts only B again', async ({ page, demo }) => {
  await signIn(page, demo)
  await productPage(page, demo)
  const plugin = watchPlugin(page)
  await support(page).evaluate((element: HTMLElement & { signOut(): Promise<void> }) => element.signOut())
  const ended = plugin.filter((request) => request.method() === 'DELETE')
  expect(ended.map((request) => (request.postDataJSON() as { chatbot_id?: string }).chatbot_id)).toEqual([DEMO_SUPPORT_CHATBOT_ID])

  const token = await refreshedToken(page, DEMO_CHATBOT_ID)
  expect(demo.mock!.grantOf(token)).toEqual({ user_id: 'alice', chatbot_id: DEMO_CHATBOT_ID })

  const mints = demo.mock!.calls.mint
  await page.reload()
  await expect(inline(page)).toHaveJSProperty('status', 'ready')
  await expect(support(page)).toHaveJSProperty('status', 'ready')
  expect(demo.mock!.calls.mint).toBe(mints + 1)
})
