import { test, expect } from '@playwright/test'
import { runningExample } from './examples-run.js'
import { expectStaticPageAgent } from './examples-servers.js'

const example = runningExample('express', { MOCK_ACCESS_TTL_MS: '4000' })

test('Express 5: app.use(agent.middleware) after express.json() answers the element, which gets ready and answers the iframe\'s refreshes', async ({ page }) => {
  await expectStaticPageAgent(page, example().url)
})

test('Express 5: the app\'s own JSON route keeps its parsed body, and paths outside /chatzy reach the app', async ({ request }) => {
  const { url } = example()
  const feedback = await request.post(`${url}/api/feedback`, { data: { rating: 5 } })
  expect(await feedback.json()).toEqual({ thanks: 5 })
  // The middleware called next(): Express's own 404, not the agent's JSON error.
  const elsewhere = await request.get(`${url}/no-such-page`)
  expect(elsewhere.status()).toBe(404)
  expect(await elsewhere.text()).toContain('Cannot GET /no-such-page')
})
