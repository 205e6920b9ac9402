import { test, expect } from '@playwright/test'
import { runExample, type RunningExample } from './examples-run.js'
import { chatzyCalls, expectAgentReadyAndRefreshing } from './examples-servers.js'

let example: RunningExample

test.beforeAll(async () => {
  // `npm start` is `next build` then `next start`.
  test.setTimeout(240_000)
  example = await runExample('nextjs', { MOCK_ACCESS_TTL_MS: '4000' }, { timeoutMs: 220_000 })
})
test.afterAll(async () => {
  await example?.stop()
})

const startSession = () => fetch('/chatzy/session', {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1' },
  body: '{}',
}).then((response) => response.status)

test('Next.js App Router: the route handler answers the element for the user of the app\'s own sign-in; ready, refreshed, and ended on sign-out', async ({ page }) => {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text())
  })

  // Nobody signed in: identify reads no user from the request, so no Chatzy session.
  const calls = chatzyCalls(page)
  await page.goto(example.url)
  expect(await page.evaluate(startSession)).toBe(401)

  // Signed in through the app's own form: the agent is minted for that user, not a fixed one.
  await page.getByLabel('Name').fill('grace')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.locator('#who')).toHaveText('grace')
  await expectAgentReadyAndRefreshing(page, 'grace', calls)
  expect(calls).toContain('POST /chatzy/session 200')
  await expect(page.locator('#log')).toContainText('ready: signed in as grace')
  await expect(page.locator('#log')).toContainText('token refreshed (iframe)')

  // Signing out of the app ends the agent's session too: its cookie is cleared.
  const agentCookie = (await page.context().cookies()).find((cookie) => cookie.name.includes('chatzy_session'))
  expect(agentCookie).toBeDefined()
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
  expect((await page.context().cookies()).map((cookie) => cookie.name)).toEqual([])
  expect(await page.evaluate(startSession)).toBe(401)
  expect(problems).toEqual([])
})
