import type { Frame, Page } from '@playwright/test'
import {
  test, expect, agent, agentEvents, agentFrameOf, mockCall, mountAgent, signInQuietly,
  watchErrors, watchPlugin, type MockFrameState,
} from './fixtures.js'

const RESPONSE = '[TOKEN_REFRESH_RESPONSE]'
const state = (frame: Frame) => mockCall(frame, 'state') as Promise<MockFrameState>
const responses = (s: MockFrameState) => s.received.filter((m) => m.data.type === RESPONSE)
const refreshed = async (page: Page) => (await agentEvents(page)).filter((e) => e.type === 'chatzy-token-refreshed')

// Tokens live 4 s; refresh-ahead="2" asks for a new one about 2 s before expiry.
async function readyAgent(page: Page, demo: Parameters<typeof mountAgent>[1]) {
  await signInQuietly(page, demo)
  await mountAgent(page, demo, { attributes: { 'refresh-ahead': '2' } })
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  await mockCall(frame, 'setAutoAsk', false) // only the element may start a refresh here
  return frame
}

test('refresh-ahead pushes a new token before expiry, unasked', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const frame = await readyAgent(page, demo)
  const { token, loadId } = await state(frame)
  await expect.poll(async () => responses(await state(frame)).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1)
  const after = await state(frame)
  expect(after.asks).toBe(0)
  expect(after.token).not.toBe(token)
  expect(after.valid).toBe(true)
  expect(after.loadId).toBe(loadId)
  expect((await refreshed(page))[0]).toMatchObject({ reason: 'ahead' })
  expect(errors).toEqual([])
})

test('refresh-ahead corrects for a browser clock that is far behind the server', async ({ page, demo }) => {
  // Ten minutes behind: without the server's Date header the element would wait ten minutes.
  await page.addInitScript(() => {
    const now = Date.now.bind(Date)
    Date.now = () => now() - 600_000
  })
  const errors = watchErrors(page)
  const frame = await readyAgent(page, demo)
  await expect.poll(async () => (await refreshed(page)).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1)
  expect((await refreshed(page))[0]).toMatchObject({ reason: 'ahead' })
  expect((await state(frame)).valid).toBe(true)
  expect(errors).toEqual([])
})

test('no refresh-ahead while the page is hidden; a refresh as soon as it is visible again', async ({ page, demo }) => {
  await page.addInitScript(() => {
    let hidden = false
    Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') })
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden })
    ;(window as unknown as { setHidden(h: boolean): void }).setHidden = (h: boolean) => {
      hidden = h
      document.dispatchEvent(new Event('visibilitychange'))
    }
  })
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  const frame = await readyAgent(page, demo)
  await page.evaluate(() => (window as unknown as { setHidden(h: boolean): void }).setHidden(true))
  // Past the refresh time and past expiry, hidden all along.
  await page.waitForTimeout(5_000)
  expect(plugin.count('POST /refresh')).toBe(0)

  await page.evaluate(() => (window as unknown as { setHidden(h: boolean): void }).setHidden(false))
  await expect.poll(async () => responses(await state(frame)).length).toBe(1)
  expect(plugin.count('POST /refresh')).toBe(1)
  expect((await refreshed(page))[0]).toMatchObject({ reason: 'ahead' })
  expect((await state(frame)).valid).toBe(true)
  expect(errors).toEqual([])
})
