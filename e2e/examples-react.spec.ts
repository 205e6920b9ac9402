import { test, expect } from '@playwright/test'
import type { ChatzyAgent } from '../element/src/chatzy-agent.js'
import { runExample, type RunningExample } from './examples-run.js'
import { expectWorkingFrameworkExample } from './examples-framework.js'
import { expectWorkingLauncher } from './examples-launcher.js'
import { frameState } from './fixtures.js'

let example: RunningExample

test.beforeAll(async () => {
  example = await runExample('react', { MOCK_ACCESS_TTL_MS: '4000' })
})
test.afterAll(async () => {
  await example?.stop()
})

test('React 19 (Vite): attributes reach the element, event props fire, a ref calls nudge()', async ({ page }) => {
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))
  // onchatzy-* props are real listeners; the ref is the element.
  await expectWorkingFrameworkExample(page, example.url)
  expect(pageErrors).toEqual([])
})

test('React launcher (?mode=launcher): mode, position and open bound, chatzy-open and chatzy-close listeners fire; switched inline live, the same iframe stays', async ({ page }) => {
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
