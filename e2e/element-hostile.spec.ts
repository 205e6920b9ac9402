import type { Frame, Page } from '@playwright/test'
import {
  test, expect, DEMO_CHATBOT_ID, agent, agentEvents, agentFrameOf, mockCall, mountAgent, signInQuietly,
  watchErrors, watchPlugin, type MockFrameState,
} from './fixtures.js'

const RESPONSE = '[TOKEN_REFRESH_RESPONSE]'
const state = (frame: Frame) => mockCall(frame, 'state') as Promise<MockFrameState>
const responses = (s: MockFrameState) => s.received.filter((m) => m.data.type === RESPONSE)

async function readyAgent(page: Page, demo: Parameters<typeof mountAgent>[1]) {
  await signInQuietly(page, demo)
  await mountAgent(page, demo)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  await mockCall(frame, 'setAutoAsk', false)
  return frame
}

/** The agent still works: an ask is answered with a token the mock Chatzy accepts. */
async function stillWorks(page: Page, frame: Frame) {
  const before = responses(await state(frame)).length
  await mockCall(frame, 'ask')
  await expect.poll(async () => responses(await state(frame)).length).toBe(before + 1)
  await expect.poll(async () => (await state(frame)).valid).toBe(true)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
}

test('malformed, oversized and poisoned messages from the iframe change nothing and throw nothing', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  const frame = await readyAgent(page, demo)

  await frame.evaluate(() => {
    const post = (data: unknown) => parent.postMessage(data, '*')
    const big = 'x'.repeat(70 * 1024)
    let deep: unknown = { type: '[DEEP]' }
    for (let i = 0; i < 200; i++) deep = { type: '[DEEP]', inner: deep }
    const garbage: unknown[] = [
      null, undefined, 0, 42, true, '', 'garbage', '{"type":', '[TOKEN_REFRESH]', '"[TOKEN_REFRESH]"', 'null', '[]', '{}',
      [], [{ type: '[TOKEN_REFRESH]' }], { type: 42 }, { type: null }, { type: ['[TOKEN_REFRESH]'] }, { kind: '[TOKEN_REFRESH]' },
      new Date(), /regex/, new Map([['type', '[TOKEN_REFRESH]']]), new Set(['[TOKEN_REFRESH]']), new ArrayBuffer(8),
      new Uint8Array([1, 2, 3]), new Blob(['{"type":"[TOKEN_REFRESH]"}']), BigInt(1), { type: '[TOKEN_REFRESH]', n: BigInt(1) },
      { type: '[TOKEN_REFRESH]', padding: big }, JSON.stringify({ type: '[TOKEN_REFRESH]', padding: big }),
      '{"type":"[TOKEN_REFRESH]"' + ' '.repeat(70 * 1024) + '}',
      deep,
      JSON.parse('{"type":"[POLLUTE]","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'),
      '{"type":"[POLLUTE]","__proto__":{"polluted":"yes"},"a":{"__proto__":{"polluted":"yes"}}}',
      { type: '[TOKEN_REFRESH_RESPONSE]', access_token: 'echoed' }, // our own message types coming back
      JSON.stringify({ type: '[ASSISTANT_NUDGE]', nudge_message: 'echo' }),
    ]
    for (const data of garbage) post(data)
  })
  // One real ask after the storm: it is answered, and it is the only request.
  await stillWorks(page, frame)
  expect(plugin.count('POST /refresh')).toBe(1)

  const messages = (await agentEvents(page)).filter((e) => e.type === 'chatzy-message').map((e) => e.message)
  // Deep nesting goes through (it is small); the poisoned keys are gone from what the host gets.
  expect(messages.map((m) => m?.type).sort()).toEqual(['[DEEP]', '[POLLUTE]', '[POLLUTE]'])
  for (const message of messages.filter((m) => m?.type === '[POLLUTE]')) {
    expect(Object.keys(message!)).not.toContain('__proto__')
    expect(Object.keys(message!)).not.toContain('constructor')
  }
  expect(await page.evaluate(() => ({} as Record<string, unknown>).polluted)).toBeUndefined()
  expect(await page.evaluate(() => (Object.prototype as Record<string, unknown>).polluted)).toBeUndefined()
  expect(errors).toEqual([])
})

test('a forged ask cannot steer the request: same endpoint, same body, answer to our iframe only', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  const frame = await readyAgent(page, demo)
  const held = (await agentEvents(page)).find((e) => e.type === 'chatzy-ready')!.expiresAt
  await mockCall(frame, 'post', {
    type: '[TOKEN_REFRESH]', reason: 'TokenExpiredError',
    endpoint: 'http://127.0.0.1:1/steal', chatbot_id: 'other', user_id: 'mallory', expires_at: 1, access_token: 'forged',
  })
  await expect.poll(async () => responses(await state(frame)).length).toBe(1)
  const [request] = plugin.filter((r) => r.method() === 'POST' && r.url().endsWith('/chatzy/refresh'))
  expect(new URL(request!.url()).origin).toBe(new URL(demo.hostUrl).origin)
  // Our chatbot and the token we hold, whatever the forged ask says.
  expect(request!.postDataJSON()).toEqual({ chatbot_id: DEMO_CHATBOT_ID, expires_at: held })
  expect(responses(await state(frame))[0]!.data.access_token).not.toBe('forged')
  expect((await state(frame)).valid).toBe(true)
  expect(errors).toEqual([])
})

test('a burst of replayed asks costs one request and each ask gets its answer', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  const frame = await readyAgent(page, demo)

  await mockCall(frame, 'askMany', 20, 'mixed')
  await expect.poll(async () => responses(await state(frame)).length).toBe(20)
  const after = await state(frame)
  expect(plugin.count('POST /refresh')).toBe(1)
  expect(new Set(responses(after).map((m) => m.data.access_token)).size).toBe(1)
  expect(responses(after).map((m) => m.form)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? 'string' : 'object')))
  expect(after.valid).toBe(true)
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-token-refreshed')).toHaveLength(1)
  expect(errors).toEqual([])
})

test('an iframe that navigates to another origin during a refresh never gets the token', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const frame = await readyAgent(page, demo)
  const port = new URL(demo.mockUrl!).port
  const evilOrigin = `http://127.0.0.1.evil.localhost:${port}`
  const iframePath = `/chatbot-iframe/${DEMO_CHATBOT_ID}?user_id=alice&access_token=none`

  // Hold the refresh until the iframe has left Chatzy's origin.
  let release!: () => void
  const held = new Promise<void>((resolve) => { release = resolve })
  let answered: string | undefined
  await page.route('**/chatzy/refresh', async (route) => {
    await held
    const response = await route.fetch()
    answered = ((await response.json()) as { access_token: string }).access_token
    await route.fulfill({ response })
  })
  const asked = page.waitForRequest('**/chatzy/refresh')
  await mockCall(frame, 'ask')
  await asked
  await mockCall(frame, 'navigate', `${evilOrigin}${iframePath}`)
  await frame.waitForURL(`${evilOrigin}/**`)
  await frame.waitForFunction(() => 'chatzyMock' in window)
  release()
  await expect.poll(() => answered).toBeDefined()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  // Let any (wrongly) sent message arrive before looking.
  await page.waitForTimeout(500)
  const evil = await state(frame)
  expect(evil.received).toEqual([])
  expect(JSON.stringify(evil)).not.toContain(answered!)
  await page.unroute('**/chatzy/refresh')

  // Back on Chatzy's origin the same element serves the iframe again.
  await mockCall(frame, 'navigate', `${demo.mockUrl}${iframePath}`)
  await frame.waitForURL(`${demo.mockUrl}/**`)
  await frame.waitForFunction(() => 'chatzyMock' in window)
  await mockCall(frame, 'setAutoAsk', false)
  await stillWorks(page, frame)
  expect(errors).toEqual([])
})
