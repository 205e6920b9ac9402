import type { ChatzyAgent } from '../element/src/chatzy-agent.js'
import type { Frame, Page } from '@playwright/test'
import {
  test, expect, expectIdle, DEMO_CHATBOT_ID, agent, agentEvents, agentFrameOf, mockCall, mountAgent, signInQuietly,
  watchErrors, watchPlugin, type MockFrameState,
} from './fixtures.js'

const RESPONSE = '[TOKEN_REFRESH_RESPONSE]'
const state = (frame: Frame) => mockCall(frame, 'state') as Promise<MockFrameState>
const responses = (s: MockFrameState) => s.received.filter((m) => m.data.type === RESPONSE)
const json = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }
const iframeSrc = (page: Page) => page.locator('chatzy-agent iframe').getAttribute('src')

test('lazy by default: no request and no iframe until the element nears the viewport', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountAgent(page, demo, { attributes: { loading: 'lazy' }, before: '<div style="height: 5000px">tall content</div>' })
  await page.waitForTimeout(1_000)
  expect(plugin).toHaveLength(0)
  await expect(page.locator('chatzy-agent iframe')).toHaveCount(0)
  await expectIdle(agent(page))

  await agent(page).scrollIntoViewIfNeeded()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(plugin.count('POST /session')).toBe(1)
  expect(errors).toEqual([])
})

test.describe('with tokens that live long enough to be rendered into a page', () => {
  test.use({ accessTtlMs: 60_000 })

  test('a server-rendered first token skips /session; refreshes then go through the plugin', async ({ page, demo }) => {
    const errors = watchErrors(page)
    const plugin = watchPlugin(page)
    await signInQuietly(page, demo)
    const started = await page.request.post(`${demo.hostUrl}/chatzy/session`, { headers: json, data: {} })
    const session = (await started.json()) as { access_token: string; user_id: string; expires_at: number }
    await mountAgent(page, demo, {
      attributes: { 'access-token': session.access_token, 'user-id': session.user_id, 'expires-at': String(session.expires_at) },
    })
    await expect(agent(page)).toHaveAttribute('status', 'ready')
    const frame = await agentFrameOf(page)
    await mockCall(frame, 'setAutoAsk', false)
    expect((await state(frame)).token).toBe(session.access_token)
    await mockCall(frame, 'ask')
    await expect.poll(async () => responses(await state(frame)).length).toBe(1)
    expect((await state(frame)).valid).toBe(true)
    expect(plugin.count('POST /session')).toBe(0)
    expect(errors).toEqual([])
  })
})

test('methods: refresh pushes a token without touching src, reload starts a new iframe', async ({ page, demo }) => {
  const errors = watchErrors(page)
  await signInQuietly(page, demo)
  await mountAgent(page, demo)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  await mockCall(frame, 'setAutoAsk', false)
  const src = await iframeSrc(page)
  const { loadId, token } = await state(frame)

  await agent(page).evaluate((el) => (el as ChatzyAgent).refresh())
  await agent(page).evaluate((el) => (el as ChatzyAgent).refresh())
  await expect.poll(async () => responses(await state(frame)).length).toBe(2)
  expect(await iframeSrc(page)).toBe(src)
  expect((await state(frame)).loadId).toBe(loadId)
  expect((await state(frame)).token).not.toBe(token)
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-token-refreshed').map((e) => e.reason)).toEqual(['manual', 'manual'])

  await agent(page).evaluate((el) => (el as ChatzyAgent).reload())
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const reloaded = await agentFrameOf(page)
  expect((await state(reloaded)).loadId).not.toBe(loadId)
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-ready')).toHaveLength(2)
  expect(errors).toEqual([])
})

test('disconnect aborts and stops everything; reconnect starts again', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  let release!: () => void
  const held = new Promise<void>((resolve) => { release = resolve })
  await page.route('**/chatzy/session', async (route) => {
    await held
    await route.continue().catch(() => undefined)
  })
  await mountAgent(page, demo, { attributes: { 'refresh-ahead': '2' } })
  await expect(agent(page)).toHaveAttribute('status', 'loading')
  await expect(agent(page).getByRole('status')).toHaveText('Loading the agent…')

  // Removed while its /session request is in flight: the request is aborted, nothing shows up.
  await page.evaluate(() => {
    const el = document.querySelector('chatzy-agent')!
    ;(window as unknown as { parked: Element }).parked = el
    el.remove()
  })
  release()
  await expect.poll(async () => page.evaluate(() => (window as unknown as { parked: Element }).parked.getAttribute('status'))).toBe('idle')
  await page.waitForTimeout(500)
  expect(await page.evaluate(() => (window as unknown as { parked: Element }).parked.shadowRoot!.querySelector('iframe'))).toBeNull()
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-ready')).toEqual([])
  await page.unroute('**/chatzy/session')

  // Back in the page: a new session, and refresh-ahead runs again...
  await page.evaluate(() => document.body.append((window as unknown as { parked: Element }).parked))
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect.poll(async () => (await agentEvents(page)).filter((e) => e.type === 'chatzy-token-refreshed').length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1)

  // ...until it is removed again: then no timer and no listener is left to refresh anything.
  await page.evaluate(() => document.querySelector('chatzy-agent')!.remove())
  const requests = plugin.length
  await page.waitForTimeout(4_000)
  expect(plugin.length).toBe(requests)
  expect(errors).toEqual([])
})

test('changing endpoint, app-url or chatbot-id starts again cleanly', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountAgent(page, demo)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const { loadId } = await state(await agentFrameOf(page))

  await agent(page).evaluate((el) => el.setAttribute('endpoint', '/chatzy/'))
  await expect.poll(() => plugin.count('POST /session')).toBe(2)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect((await state(await agentFrameOf(page))).loadId).not.toBe(loadId)

  // An app-url the server's iframe is not on: refused as a configuration error, no iframe.
  await agent(page).evaluate((el, url) => el.setAttribute('app-url', url), `http://localhost:${new URL(demo.mockUrl!).port}`)
  await expect(agent(page)).toHaveAttribute('status', 'error')
  await expect(page.locator('chatzy-agent iframe')).toHaveCount(0)
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error')).toMatchObject([{ code: 'config', retryable: false }])

  await agent(page).evaluate((el, url) => el.setAttribute('app-url', url), demo.mockUrl!)
  await expect(agent(page)).toHaveAttribute('status', 'ready')

  // A chatbot the server does not allow: a configuration error; the right one again: ready.
  await agent(page).evaluate((el) => el.setAttribute('chatbot-id', '00000000-0000-4000-8000-000000000000'))
  await expect(agent(page)).toHaveAttribute('status', 'error')
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error').at(-1)).toMatchObject({ code: 'config', retryable: false })
  await agent(page).evaluate((el, id) => el.setAttribute('chatbot-id', id), DEMO_CHATBOT_ID)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(errors).toEqual([])
})

test('accessible and styleable: iframe title, allow, slots, parts and size properties', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await page.route('**/chatzy/session', (route) => route.fulfill({ status: 401, json: { statusCode: 401, code: 'CHATZY_UNAUTHENTICATED', error: 'Unauthorized', message: 'no user' } }))
  await mountAgent(page, demo, {
    attributes: { title: 'Shop assistant', allow: 'clipboard-write', style: '--chatzy-agent-height: 320px; --chatzy-agent-radius: 3px' },
    before: '<style>chatzy-agent::part(frame) { outline: 2px solid rgb(255, 0, 0); }</style>',
  })
  // Default error content: a reason and a working Retry.
  await expect(agent(page)).toHaveAttribute('status', 'error')
  await expect(agent(page).getByRole('alert')).toContainText('Sign in')
  expect((await agent(page).boundingBox())!.height).toBe(320)
  await page.unroute('**/chatzy/session')
  await agent(page).getByRole('button', { name: 'Retry' }).click()
  await expect(agent(page)).toHaveAttribute('status', 'ready')

  const frame = page.locator('chatzy-agent iframe')
  await expect(frame).toHaveAttribute('title', 'Shop assistant')
  await expect(frame).toHaveAttribute('allow', 'clipboard-write')
  await expect(frame).toHaveCSS('outline-color', 'rgb(255, 0, 0)')
  await expect(page.locator('chatzy-agent [part=base]')).toHaveCSS('border-top-left-radius', '3px')
  await agent(page).evaluate((el) => el.setAttribute('title', 'Help'))
  await expect(frame).toHaveAttribute('title', 'Help')
})

test('slotted error content replaces the default one', async ({ page, demo }) => {
  await page.route('**/chatzy/session', (route) => route.fulfill({ status: 503, json: { statusCode: 503, code: 'CHATZY_UPSTREAM_UNAVAILABLE', error: 'Service Unavailable', message: 'down' } }))
  await signInQuietly(page, demo)
  await mountAgent(page, demo, { attributes: {}, after: '' })
  await page.evaluate(() => {
    const el = document.querySelector('chatzy-agent')!
    el.innerHTML = '<p slot="error">Our assistant is resting.</p><p slot="loading">Warming up…</p>'
  })
  await expect(agent(page)).toHaveAttribute('status', 'error', { timeout: 20_000 })
  await expect(page.getByText('Our assistant is resting.')).toBeVisible()
  await expect(page.getByText('Warming up…')).toBeHidden()
  await expect(agent(page).getByRole('button', { name: 'Retry' })).toHaveCount(0)
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error')).toMatchObject([{ code: 'server', retryable: true }])
})

test('signOut ends the session and signs the agent out in the other tabs too', async ({ page, demo, context }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountAgent(page, demo)
  const other = await context.newPage()
  const otherErrors = watchErrors(other)
  await mountAgent(other, demo)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect(agent(other)).toHaveAttribute('status', 'ready')

  await agent(page).evaluate((el) => (el as ChatzyAgent).signOut())
  expect(plugin.count('DELETE /session')).toBe(1)
  await expect(agent(page)).toHaveAttribute('status', 'idle')
  await expect(page.locator('chatzy-agent iframe')).toHaveCount(0)
  await expect(agent(other)).toHaveAttribute('status', 'error')
  await expect(other.locator('chatzy-agent iframe')).toHaveCount(0)
  expect((await agentEvents(other)).filter((e) => e.type === 'chatzy-error')).toMatchObject([{ code: 'unauthenticated', retryable: false }])
  expect(errors).toEqual([])
  expect(otherErrors).toEqual([])
})
