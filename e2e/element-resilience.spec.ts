import type { Frame, Page } from '@playwright/test'
import {
  test, expect, agent, agentEvents, agentFrameOf, mockCall, mountAgent, signInQuietly,
  watchErrors, watchPlugin, type MockFrameState,
} from './fixtures.js'

const RESPONSE = '[TOKEN_REFRESH_RESPONSE]'
const state = (frame: Frame) => mockCall(frame, 'state') as Promise<MockFrameState>
const responses = (s: MockFrameState) => s.received.filter((m) => m.data.type === RESPONSE)
const json = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

async function readyAgent(page: Page, demo: Parameters<typeof mountAgent>[1]) {
  await signInQuietly(page, demo)
  await mountAgent(page, demo)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  await mockCall(frame, 'setAutoAsk', false)
  return frame
}

test('network errors and 5xx are retried, then the ask is answered', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  const frame = await readyAgent(page, demo)
  let calls = 0
  await page.route('**/chatzy/refresh', (route) => {
    calls++
    if (calls === 1) return route.abort('connectionreset')
    if (calls === 2) return route.fulfill({ status: 503, json: { statusCode: 503, code: 'CHATZY_UPSTREAM_UNAVAILABLE', error: 'Service Unavailable', message: 'down' } })
    return route.continue()
  })
  await mockCall(frame, 'ask')
  await expect.poll(async () => responses(await state(frame)).length).toBe(1)
  expect(plugin.count('POST /refresh')).toBe(3)
  expect((await state(frame)).valid).toBe(true)
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error')).toEqual([])
  expect(errors).toEqual([])
})

test('when retries run out: a retryable error with a Retry that recovers the same iframe', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  const frame = await readyAgent(page, demo)
  const { loadId } = await state(frame)
  await page.route('**/chatzy/refresh', (route) => route.fulfill({ status: 503, json: { statusCode: 503, code: 'CHATZY_UPSTREAM_UNAVAILABLE', error: 'Service Unavailable', message: 'down' } }))
  await mockCall(frame, 'ask')
  await expect(agent(page)).toHaveAttribute('status', 'error', { timeout: 20_000 })
  const failures = (await agentEvents(page)).filter((e) => e.type === 'chatzy-error')
  expect(failures).toMatchObject([{ code: 'server', retryable: true }])
  expect(plugin.count('POST /refresh')).toBe(4) // one try and three retries, no more
  expect(responses(await state(frame))).toEqual([])
  await expect(agent(page).getByRole('alert')).toContainText('not available')

  await page.unroute('**/chatzy/refresh')
  await agent(page).getByRole('button', { name: 'Retry' }).click()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect.poll(async () => responses(await state(frame)).length).toBe(1)
  const after = await state(frame)
  expect(after.loadId).toBe(loadId) // recovered in place: no reload, no lost conversation
  expect(after.valid).toBe(true)
  await expect(agent(page).getByRole('alert')).toBeHidden()
  expect(errors).toEqual([])
})

test('back online after a retryable failure, the same iframe gets a token by itself', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const frame = await readyAgent(page, demo)
  const { loadId } = await state(frame)
  await page.route('**/chatzy/refresh', (route) => route.abort('internetdisconnected'))
  await mockCall(frame, 'ask')
  await expect(agent(page)).toHaveAttribute('status', 'error', { timeout: 20_000 })
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error')).toMatchObject([{ code: 'network', retryable: true }])

  await page.unroute('**/chatzy/refresh')
  await page.evaluate(() => window.dispatchEvent(new Event('online')))
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect.poll(async () => responses(await state(frame)).length).toBe(1)
  expect((await state(frame)).loadId).toBe(loadId)
  expect(errors).toEqual([])
})

test('a session the server lost is started again once through /session, in the same iframe', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  const frame = await readyAgent(page, demo)
  const { loadId } = await state(frame)
  // The server forgets the session (store flushed, cookie gone); the host user is still signed in.
  const ended = await page.request.delete(`${demo.hostUrl}/chatzy/session`, { headers: json, data: {} })
  expect(ended.status()).toBe(204)

  await mockCall(frame, 'ask')
  await expect.poll(async () => responses(await state(frame)).length).toBe(1)
  const after = await state(frame)
  expect(after.valid).toBe(true)
  expect(after.loadId).toBe(loadId)
  expect(plugin.count('POST /refresh')).toBe(1)
  expect(plugin.count('POST /session')).toBe(2) // the first one, and the one after the 401
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(errors).toEqual([])
})

test('signed out of the host: an unauthenticated error, the iframe removed, no token posted; Retry after sign-in works', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  const frame = await readyAgent(page, demo)
  await page.request.post(`${demo.hostUrl}/signout`, { maxRedirects: 0 })

  await mockCall(frame, 'ask')
  await expect(agent(page)).toHaveAttribute('status', 'error')
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error')).toMatchObject([{ code: 'unauthenticated', retryable: false }])
  await expect(page.locator('chatzy-agent iframe')).toHaveCount(0)
  expect(plugin.count('POST /refresh')).toBe(1)
  expect(plugin.count('POST /session')).toBe(2) // one attempt to start again, no more
  await expect(agent(page).getByRole('alert')).toContainText('Sign in')

  await signInQuietly(page, demo)
  await agent(page).getByRole('button', { name: 'Retry' }).click()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect((await agentFrameOf(page)).locator('#user')).toHaveText('alice')
  expect(errors).toEqual([])
})

test.describe('with tokens that live a minute', () => {
  test.use({ accessTtlMs: 60_000 })

  test('a looping iframe gets a few refreshes a minute, never more', async ({ page, demo }) => {
    const errors = watchErrors(page)
    const plugin = watchPlugin(page)
    const frame = await readyAgent(page, demo)
    // This iframe asks again as soon as it is answered.
    await mockCall(frame, 'setLoop', true)
    await mockCall(frame, 'ask')
    await expect.poll(() => plugin.count('POST /refresh')).toBe(6)
    await page.waitForTimeout(2_000)
    expect(plugin.count('POST /refresh')).toBe(6)
    expect((await state(frame)).asks).toBeGreaterThan(6)
    await expect(agent(page)).toHaveAttribute('status', 'refreshing')
    expect(errors).toEqual([])
  })
})

test('with short-lived tokens the breaker allows two refreshes per token lifetime, and still stops a loop', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  // Tokens live 4 s: two per lifetime is about 30 a minute (the server clock is known to ±0.5 s).
  const frame = await readyAgent(page, demo)
  await mockCall(frame, 'setLoop', true)
  await mockCall(frame, 'ask')
  await expect.poll(() => plugin.count('POST /refresh'), { timeout: 30_000 }).toBeGreaterThanOrEqual(20)
  await page.waitForTimeout(2_000)
  const stopped = plugin.count('POST /refresh')
  await page.waitForTimeout(1_000)
  expect(plugin.count('POST /refresh')).toBe(stopped)
  expect(stopped).toBeLessThanOrEqual(35)
  expect(errors).toEqual([])
})

test('a server on another origin that takes the request and never answers: a retryable server error after the timeout, not a load that never ends', async ({ page, demo }) => {
  test.setTimeout(60_000)
  const errors = watchErrors(page)
  const held: string[] = []
  // Both the request and the CORS probe that would follow a network error go unanswered.
  await page.route('https://api.example.test/**', (route) => {
    held.push(route.request().method())
  })
  await mountAgent(page, demo, { attributes: { endpoint: 'https://api.example.test/chatzy' } })
  await expect(agent(page)).toHaveAttribute('status', 'loading')
  await expect(agent(page)).toHaveAttribute('status', 'error', { timeout: 30_000 })
  const failures = (await agentEvents(page)).filter((e) => e.type === 'chatzy-error')
  expect(failures).toMatchObject([{ code: 'server', retryable: true }])
  expect(held).not.toContain('HEAD') // no probe: it would blame CORS for a slow server
  await expect(agent(page).getByRole('button', { name: 'Retry' })).toBeVisible()
  expect(errors).toEqual([])
})
