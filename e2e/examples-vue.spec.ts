import { test, expect } from '@playwright/test'
import { runExample, type RunningExample } from './examples-run.js'
import { expectLauncherSwitchedInline, expectWorkingFrameworkExample } from './examples-framework.js'

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
  await expectLauncherSwitchedInline(page, `${example.url}/?mode=launcher`)
})
