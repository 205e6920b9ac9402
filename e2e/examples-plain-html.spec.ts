import { test, expect } from '@playwright/test'
import { runExample, type RunningExample } from './examples-run.js'
import { frameState } from './fixtures.js'
import { expectWorkingLauncher } from './examples-launcher.js'

let example: RunningExample

test.beforeAll(async () => {
  example = await runExample('plain-html', { MOCK_ACCESS_TTL_MS: '4000' })
})
test.afterAll(async () => {
  await example?.stop()
})

test('plain HTML: one CDN script tag gives a working agent under a strict CSP, with no build step', async ({ page }) => {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  const scripts: string[] = []
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname)
  })

  await page.goto(example.url)
  const agent = page.locator('chatzy-agent')
  await expect(agent).toHaveAttribute('status', 'ready')
  await expect(page.locator('#log')).toContainText('ready: signed in as ada')
  const frame = page.frameLocator('chatzy-agent iframe')
  await expect(frame.locator('#user')).toHaveText('ada')
  await expect(frame.locator('#state')).toHaveText('valid')

  // The element's own styles apply under style-src 'self' (constructable stylesheets), themed by the page.
  await expect(agent).toHaveCSS('height', '420px')
  await expect(page.locator('chatzy-agent iframe')).toHaveCSS('border-top-width', '0px') // a bare iframe has a 2px border
  // The error slot stays hidden while the agent works.
  await expect(page.getByText('The assistant is unavailable right now.')).toBeHidden()

  // The CDN build is self-contained: the page loads it and its own script, nothing else.
  expect(scripts.sort()).toEqual(['/app.js', '/cdn/chatzy-agent.min.js'])

  // Methods work from plain JavaScript.
  await page.getByRole('button', { name: 'Nudge' }).click()
  await expect(frame.getByText('Hi, do you need any help?')).toBeVisible()

  // The mock's tokens live 4 s: the iframe asks, the element answers, the page hears of it.
  await expect(page.locator('#log')).toContainText('token refreshed (iframe)', { timeout: 20_000 })
  const state = await frameState(page)
  expect(state.refreshes).toBeGreaterThanOrEqual(1)
  expect(state.valid).toBe(true)

  // Nothing was refused by the page's Content Security Policy, and nothing threw.
  expect(problems).toEqual([])
})

test('plain HTML launcher: the same CDN script tag, mode="launcher", under the same strict CSP; nothing loads before intent', async ({ page }) => {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  await page.goto(example.url)
  await page.getByRole('link', { name: 'Launcher version' }).click()
  await expect(page).toHaveURL(`${example.url}/launcher.html`)
  await expectWorkingLauncher(page, `${example.url}/launcher.html`)
  // The launcher is named by its slotted text, and plain JavaScript calls its methods.
  await expect(page.getByRole('button', { name: 'Ask us' })).toBeVisible()
  await page.getByRole('button', { name: 'Nudge' }).click()
  await expect(page.frameLocator('chatzy-agent iframe').getByText('Hi, do you need any help?')).toBeVisible()
  expect(problems).toEqual([])
})
