import type { Page, Request } from '@playwright/test'
import type { ChatzyAgent } from '../element/src/chatzy-agent.js'
import { test, expect, agentEvents, mockCall, mockFrame, mountAgent, signInQuietly, watchErrors, DEMO_CHATBOT_ID, type MockFrameState } from './fixtures.js'

/*
 * Several chatbots for one user: each element names its chatbot on every call that concerns
 * its own session (refresh, sign-out), and a sign-out reaches only that chatbot's elements in
 * the other tabs.
 */
const A = DEMO_CHATBOT_ID
const B = 'b7c2d0e4-5f61-4a8b-9c3d-2e1f0a9b8c7d'
test.use({ otherChatbotIds: [B] })

const agentOf = (page: Page, chatbotId: string) => page.locator(`chatzy-agent[chatbot-id="${chatbotId}"]`)

/** A second, eager `<chatzy-agent>` for `chatbotId` on the page mountAgent builds. */
const second = (chatbotId: string, appUrl: string) =>
  `<chatzy-agent chatbot-id="${chatbotId}" endpoint="/chatzy" app-url="${appUrl}" loading="eager"></chatzy-agent>`

/** Bodies the page sends to `method path` of the plugin, as they go. */
function bodies(page: Page, method: string, path: string): unknown[] {
  const seen: unknown[] = []
  page.on('request', (request: Request) => {
    if (request.method() === method && new URL(request.url()).pathname === `/chatzy${path}`) seen.push(request.postDataJSON())
  })
  return seen
}

test('refresh and signOut() name their chatbot; signing out of chatbot B in one tab signs out B in the other tabs, not A', async ({ page, demo, context }) => {
  const errors = watchErrors(page)
  await signInQuietly(page, demo)
  const refreshes = bodies(page, 'POST', '/refresh')
  // This tab: an agent for A and one for B.
  await mountAgent(page, demo, { after: second(B, demo.mockUrl!) })
  // The other tab: B only.
  const other = await context.newPage()
  const ends = bodies(other, 'DELETE', '/session')
  await mountAgent(other, demo, { attributes: { 'chatbot-id': B } })
  for (const element of [agentOf(page, A), agentOf(page, B), agentOf(other, B)]) await expect(element).toHaveAttribute('status', 'ready')

  // A's iframe asks for a token: the refresh names A.
  const frameA = await mockFrame(page, `chatzy-agent[chatbot-id="${A}"] iframe`)
  await mockCall(frameA, 'ask', 'object')
  await expect.poll(async () => ((await mockCall(frameA, 'state')) as MockFrameState).refreshes).toBe(1)
  expect(refreshes[0]).toMatchObject({ chatbot_id: A })

  await agentOf(other, B).evaluate((el) => (el as ChatzyAgent).signOut())
  expect(ends).toEqual([{ chatbot_id: B }])
  // B is signed out in this tab too; A stays, with its iframe.
  await expect(agentOf(page, B)).toHaveAttribute('status', 'error')
  await expect(page.locator(`chatzy-agent[chatbot-id="${B}"] iframe`)).toHaveCount(0)
  await expect(agentOf(page, A)).toHaveAttribute('status', 'ready')
  await expect(page.locator(`chatzy-agent[chatbot-id="${A}"] iframe`)).toHaveCount(1)
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error')).toMatchObject([{ code: 'unauthenticated', retryable: false }])
  expect(errors).toEqual([])
})
