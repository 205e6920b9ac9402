import { test, expect } from '@playwright/test'
import { runExample, type RunningExample } from './examples-run.js'
import { expectLauncherSwitchedInline, expectWorkingFrameworkExample } from './examples-framework.js'

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
  await expectLauncherSwitchedInline(page, `${example.url}/?mode=launcher`)
})
