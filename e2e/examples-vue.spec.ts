import { test, expect } from '@playwright/test'
import { runExample, type RunningExample } from './examples-run.js'
import { frameState } from './fixtures.js'

let example: RunningExample

test.beforeAll(async () => {
  example = await runExample('vue', { MOCK_ACCESS_TTL_MS: '4000' })
})
test.afterAll(async () => {
  await example?.stop()
})

test('Vue 3 (Vite, isCustomElement): bound attributes reach the element, @chatzy-* listeners fire, a template ref calls nudge()', async ({ page }) => {
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))
  const vueWarnings: string[] = []
  page.on('console', (message) => {
    if (message.text().includes('[Vue warn]')) vueWarnings.push(message.text())
  })

  await page.goto(example.url)
  const agent = page.locator('chatzy-agent')
  // Attributes written in JSX are the element's: it found its chatbot and Chatzy's URL.
  await expect(agent).toHaveAttribute('chatbot-id', '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1')
  await expect(agent).toHaveAttribute('status', 'ready', { timeout: 30_000 })
  const frame = page.frameLocator('chatzy-agent iframe')
  await expect(frame.locator('#user')).toHaveText('ada')
  await expect(frame.locator('#state')).toHaveText('valid')

  // @chatzy-ready is a real listener, with the typed event's fields.
  await expect(page.locator('#status')).toHaveText('ready')
  await expect(page.locator('#log')).toContainText('ready: signed in as ada')

  // The ref is the element: its methods can be called.
  await page.getByRole('button', { name: 'Nudge' }).click()
  await expect(frame.getByText('Hi, do you need any help?')).toBeVisible()

  // Refreshes asked by the iframe reach @chatzy-token-refreshed; the iframe is not reloaded.
  const before = await frameState(page)
  await expect(page.locator('#log')).toContainText('token refreshed (iframe)', { timeout: 20_000 })
  const after = await frameState(page)
  expect(after.loadId).toBe(before.loadId)
  expect(after.valid).toBe(true)

  // A ref call that goes through the server too.
  await page.getByRole('button', { name: 'Refresh token' }).click()
  await expect(page.locator('#log')).toContainText('token refreshed (manual)')
  expect(pageErrors).toEqual([])
  // isCustomElement: Vue renders the element as is and never tries to resolve it as a component.
  expect(vueWarnings).toEqual([])
})
