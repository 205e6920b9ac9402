import { test, expect } from '@playwright/test'
import { runExample, type RunningExample } from './examples-run.js'
import { chatzyCalls, expectAgentReadyAndRefreshing } from './examples-servers.js'

let example: RunningExample

test.beforeAll(async () => {
  example = await runExample('hono', { MOCK_ACCESS_TTL_MS: '4000' })
})
test.afterAll(async () => {
  await example?.stop()
})

test('Hono on Node: app.all(\'/chatzy/*\', (c) => agent.fetch(c.req.raw)) answers the element, which gets ready and answers the iframe\'s refreshes', async ({ page }) => {
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
