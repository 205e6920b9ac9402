import { test, expect } from '@playwright/test'
import { runExample, type RunningExample } from './examples-run.js'

let example: RunningExample

test.beforeAll(async () => {
  example = await runExample('react', { MOCK_ACCESS_TTL_MS: '4000' })
})
test.afterAll(async () => {
  await example?.stop()
})

/*
 * The React example rendered on the server (react-dom/server) and hydrated (hydrateRoot):
 * React compares every attribute of the server's `<chatzy-agent>` with its props, and logs a
 * console.error for any the element added by itself before hydration.
 */
for (const [name, query] of [['inline', ''], ['launcher', '?mode=launcher']] as const) {
  test(`React 19 SSR + hydrateRoot, ${name}: no hydration warning, and the agent works`, async ({ page }) => {
    const problems: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error' || /hydrat/i.test(message.text())) problems.push(message.text())
    })
    page.on('pageerror', (error) => problems.push(error.message))
    const served = await (await page.request.get(`${example.url}/ssr${query}`)).text()
    expect(served).toContain('<chatzy-agent')
    await page.goto(`${example.url}/ssr${query}`)
    if (name === 'launcher') await page.locator('chatzy-agent').locator('[part=launcher]').click()
    await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready', { timeout: 30_000 })
    await expect(page.frameLocator('chatzy-agent iframe').locator('#state')).toHaveText('valid')
    expect(problems).toEqual([])
  })
}
