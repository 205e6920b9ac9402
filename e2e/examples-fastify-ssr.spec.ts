import { test, expect } from '@playwright/test'
import { runExample, type RunningExample } from './examples-run.js'
import { frameState } from './fixtures.js'
import { expectWorkingLauncher } from './examples-launcher.js'

let example: RunningExample

test.beforeAll(async () => {
  example = await runExample('fastify-ssr', { MOCK_ACCESS_TTL_MS: '4000' })
})
test.afterAll(async () => {
  await example?.stop()
})

test('server-rendered page: the agent starts from the rendered token with no /session round trip', async ({ page }) => {
  const calls: string[] = []
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (url.pathname.startsWith('/chatzy/')) calls.push(`${request.method()} ${url.pathname}`)
  })
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))

  await page.goto(example.url)
  const agent = page.locator('chatzy-agent')
  const rendered = await agent.getAttribute('access-token')
  expect(rendered).toBeTruthy()
  await expect(agent).toHaveAttribute('status', 'ready')
  const frame = page.frameLocator('chatzy-agent iframe')
  await expect(frame.locator('#user')).toHaveText('ada')
  await expect(frame.locator('#state')).toHaveText('valid')

  // The iframe holds exactly the token the server rendered, and the browser never asked for one.
  expect((await frameState(page)).token).toBe(rendered)
  expect(calls).toEqual([])

  // The session cookie set while rendering carries the refreshes: the token lives 4 s.
  await expect.poll(async () => (await frameState(page)).refreshes, { timeout: 20_000 }).toBeGreaterThanOrEqual(1)
  const after = await frameState(page)
  expect(after.valid).toBe(true)
  expect(after.token).not.toBe(rendered)
  expect(calls).toContain('POST /chatzy/refresh')
  expect(calls).not.toContain('POST /chatzy/session')
  expect(pageErrors).toEqual([])
})

test('server-rendered launcher page: no session is started for a page view; the user\'s intent starts it', async ({ page }) => {
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))
  await page.goto(example.url)
  await page.getByRole('link', { name: 'Launcher version' }).click()
  await expect(page.locator('chatzy-agent')).not.toHaveAttribute('access-token')
  await expectWorkingLauncher(page, `${example.url}/launcher`, { log: false })
  expect(pageErrors).toEqual([])
})
