import { test } from '@playwright/test'
import { runningExample } from './examples-run.js'
import { expectStaticPageAgent } from './examples-servers.js'

const example = runningExample('hono', { MOCK_ACCESS_TTL_MS: '4000' })

test('Hono on Node: app.all(\'/chatzy/*\', (c) => agent.fetch(c.req.raw)) answers the element, which gets ready and answers the iframe\'s refreshes', async ({ page }) => {
  await expectStaticPageAgent(page, example().url)
})
