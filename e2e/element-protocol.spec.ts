import type { ChatzyAgent } from '../element/src/chatzy-agent.js'
import type { Frame, Page } from '@playwright/test'
import {
  test, expect, DEMO_CHATBOT_ID, agent, agentEvents, agentFrameOf, mockCall, mockFrame, mountAgent, signInQuietly,
  watchErrors, watchPlugin, type MockFrameState,
} from './fixtures.js'

const RESPONSE = '[TOKEN_REFRESH_RESPONSE]'
const state = (frame: Frame) => mockCall(frame, 'state') as Promise<MockFrameState>
const responses = (s: MockFrameState) => s.received.filter((m) => m.data.type === RESPONSE)

async function readyAgent(page: Page, demo: Parameters<typeof mountAgent>[1], options: Parameters<typeof mountAgent>[2] = {}) {
  await signInQuietly(page, demo)
  await mountAgent(page, demo, options)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  // The tests ask by hand; the mock's own expiry timer would add asks of its own.
  await mockCall(frame, 'setAutoAsk', false)
  return frame
}

test('asks are answered in their own form, nudges go as JSON strings, other messages reach the host', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const frame = await readyAgent(page, demo)
  const first = await state(frame)

  await mockCall(frame, 'ask', 'string')
  await expect.poll(async () => responses(await state(frame)).length).toBe(1)
  await mockCall(frame, 'ask', 'object')
  await expect.poll(async () => responses(await state(frame)).length).toBe(2)
  const after = await state(frame)
  expect(responses(after).map((m) => m.form)).toEqual(['string', 'object'])
  expect(responses(after).every((m) => m.origin === new URL(demo.hostUrl).origin)).toBe(true)
  expect(after.token).not.toBe(first.token)
  expect(after.valid).toBe(true)
  expect(after.loadId).toBe(first.loadId)

  await agent(page).evaluate((el) => (el as ChatzyAgent).nudge('Hi, do you need any help?'))
  await expect.poll(async () => (await state(frame)).messages.map((m) => m.text)).toContain('Hi, do you need any help?')
  const nudge = (await state(frame)).received.find((m) => m.data.type === '[ASSISTANT_NUDGE]')
  expect(nudge?.form).toBe('string')

  await mockCall(frame, 'post', { type: '[CONVERSATION_STARTED]', conversation_id: 'c-1' })
  await mockCall(frame, 'post', JSON.stringify({ type: '[AGENT_REPLIED]', words: 12 }))
  await expect.poll(async () => (await agentEvents(page)).filter((e) => e.type === 'chatzy-message').map((e) => e.message))
    .toEqual([{ type: '[CONVERSATION_STARTED]', conversation_id: 'c-1' }, { type: '[AGENT_REPLIED]', words: 12 }])
  expect(errors).toEqual([])
})

test('messages from anything but our iframe on Chatzy\'s exact origin are ignored', async ({ page, demo, stranger }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  const mockOrigin = demo.mockUrl!
  const port = new URL(mockOrigin).port
  const iframePath = `/chatbot-iframe/${DEMO_CHATBOT_ID}?user_id=alice&access_token=stolen`
  const frame = await readyAgent(page, demo, {
    after: `<iframe id="twin" src="${mockOrigin}${iframePath}"></iframe><iframe id="stranger" src="${stranger.url}${iframePath}"></iframe>`,
  })
  const twin = await mockFrame(page, '#twin')
  const strangerFrame = await mockFrame(page, '#stranger')

  const hostile = async (from: Frame) => {
    await mockCall(from, 'askMany', 3, 'mixed')
    await mockCall(from, 'post', { type: '[FROM_A_STRANGER]' })
  }
  // A second iframe of Chatzy's own origin, an iframe of another origin, and the page itself.
  await hostile(twin)
  await hostile(strangerFrame)
  await page.evaluate(() => {
    window.postMessage({ type: '[TOKEN_REFRESH]', reason: 'TokenExpiredError' }, '*')
    window.postMessage({ type: '[FROM_THE_PAGE]' }, '*')
  })

  // Our own iframe, navigated to look-alike origins: same window, wrong origin.
  const lookAlikes = [
    `http://127.0.0.1.evil.localhost:${port}`, // Chatzy's host name as a prefix of another
    `http://localhost:${port}`, // another name for the same server
    stranger.url, // same host, another port
  ]
  for (const origin of lookAlikes) {
    await mockCall(frame, 'navigate', `${origin}${iframePath}`)
    await frame.waitForURL(`${origin}/**`)
    await frame.waitForFunction(() => 'chatzyMock' in window)
    await hostile(frame)
    await page.waitForTimeout(300)
    expect(responses(await state(frame))).toEqual([])
  }

  // Back on Chatzy's origin, the same iframe is answered again: one request, one answer.
  await mockCall(frame, 'navigate', `${mockOrigin}${iframePath}`)
  await frame.waitForURL(`${mockOrigin}/**`)
  await frame.waitForFunction(() => 'chatzyMock' in window)
  await mockCall(frame, 'setAutoAsk', false)
  await mockCall(frame, 'ask')
  await expect.poll(async () => responses(await state(frame)).length).toBe(1)

  expect(plugin.count('POST /refresh')).toBe(1)
  expect(responses(await state(twin))).toEqual([])
  expect(responses(await state(strangerFrame))).toEqual([])
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-message')).toEqual([])
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(errors).toEqual([])
})
