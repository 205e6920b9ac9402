import { test, expect } from '@playwright/test'
import { runExample, type RunningExample } from './examples-run.js'
import { chatzyCalls, expectAgentReadyAndRefreshing } from './examples-servers.js'

let example: RunningExample

test.beforeAll(async () => {
  example = await runExample('express', { MOCK_ACCESS_TTL_MS: '4000' })
})
test.afterAll(async () => {
  await example?.stop()
})

test('Express 5: app.use(agent.middleware) after express.json() answers the element, which gets ready and answers the iframe\'s refreshes', async ({ page }) => {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  const calls = chatzyCalls(page)
  await page.goto(example.url)
  await expectAgentReadyAndRefreshing(page, 'ada', calls)
  expect(calls).toContain('POST /chatzy/session 200')
  await expect(page.locator('#log')).toContainText('ready: signed in as ada')
  await expect(page.locator('#log')).toContainText('token refreshed (iframe)')
  expect(problems).toEqual([])
})

test('Express 5: the app\'s own JSON route keeps its parsed body, and paths outside /chatzy reach the app', async ({ request }) => {
  const feedback = await request.post(`${example.url}/api/feedback`, { data: { rating: 5 } })
  expect(await feedback.json()).toEqual({ thanks: 5 })
  // The middleware called next(): Express's own 404, not the agent's JSON error.
  const elsewhere = await request.get(`${example.url}/no-such-page`)
  expect(elsewhere.status()).toBe(404)
  expect(await elsewhere.text()).toContain('Cannot GET /no-such-page')
})
