import { test, expect } from '@playwright/test'
import type { ChatzyAgent } from '../element/src/chatzy-agent.js'
import { runExample, type RunningExample } from './examples-run.js'
import { expectWorkingFrameworkExample } from './examples-framework.js'
import { expectWorkingLauncher } from './examples-launcher.js'
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
  // @chatzy-* listeners are real ones; the template ref is the element.
  await expectWorkingFrameworkExample(page, example.url)
  expect(pageErrors).toEqual([])
  // isCustomElement: Vue renders the element as is and never tries to resolve it as a component.
  expect(vueWarnings).toEqual([])
})

test('Vue launcher (?mode=launcher): mode, position and open bound, chatzy-open and chatzy-close listeners fire; switched inline live, the same iframe stays', async ({ page }) => {
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))
  await expectWorkingLauncher(page, `${example.url}/?mode=launcher`)
  expect(await page.locator('chatzy-agent').evaluate((element) => (element as ChatzyAgent).position)).toBe('bottom-right')
  const { loadId } = await frameState(page)
  await page.getByRole('button', { name: 'Show inline' }).click()
  await expect.poll(() => page.locator('chatzy-agent').evaluate((element) => (element as ChatzyAgent).mode)).toBe('inline')
  await expect(page.locator('chatzy-agent').locator('[part=launcher]')).toBeHidden()
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
  expect((await frameState(page)).loadId).toBe(loadId)
  expect(pageErrors).toEqual([])
})
