import type { Page } from '@playwright/test'
import { test, expect, agent, mountAgent, signInQuietly } from './fixtures.js'

/*
 * A setup mistake of the site is a `config` error, never retried (a refused mint costs a mint
 * each time), with no Retry button, and its detail names the value at fault and where to fix it.
 */

/** Every chatzy-error's code, retryable and detail, recorded from the start. */
async function recordErrors(page: Page) {
  await page.addInitScript(() => {
    const errors: { code: string; retryable: boolean; detail: string }[] = []
    ;(window as unknown as { setupErrors: typeof errors }).setupErrors = errors
    document.addEventListener('chatzy-error', (event) => {
      const { code, retryable, detail } = event as Event & { code: string; retryable: boolean; detail: string }
      errors.push({ code, retryable, detail })
    })
  })
}
const errors = (page: Page) => page.evaluate(() => (window as unknown as { setupErrors: { code: string; retryable: boolean; detail: string }[] }).setupErrors)

/** Every request the page sends to the plugin's routes, as "POST /session". */
function pluginCalls(page: Page): string[] {
  const calls: string[] = []
  page.on('request', (request) => {
    const { pathname } = new URL(request.url())
    if (pathname.startsWith('/chatzy/')) calls.push(`${request.method()} ${pathname.slice('/chatzy'.length)}`)
  })
  return calls
}

async function expectSetupError(page: Page) {
  await expect(agent(page)).toHaveAttribute('status', 'error')
  await expect(agent(page).getByRole('alert').locator('p')).toHaveText('The agent is not set up correctly on this site.')
  await expect(agent(page).getByRole('button', { name: 'Retry' })).toBeHidden()
  const all = await errors(page)
  expect(all).toHaveLength(1)
  expect(all[0]).toMatchObject({ code: 'config', retryable: false })
  return all[0]!.detail
}

test.beforeEach(async ({ page, demo }) => {
  await recordErrors(page)
  await signInQuietly(page, demo)
})

test('Chatzy refuses the mint (a wrong API key): one /session call, a config error naming apiKey and chatbotId', async ({ page, demo }) => {
  const calls = pluginCalls(page)
  demo.mock!.faults.inject({ fault: 'refuse', endpoints: ['mint'] })
  const mints = demo.mock!.calls.mint
  await mountAgent(page, demo)
  const detail = await expectSetupError(page)
  expect(detail).toContain('apiKey')
  expect(detail).toContain('chatbotId')
  expect(calls).toEqual(['POST /session'])
  expect(demo.mock!.calls.mint - mints).toBe(1)
})

test('a chatbot-id the server does not list: the detail names the id and the fix, no retry', async ({ page, demo }) => {
  const calls = pluginCalls(page)
  const unknown = '0f3b6a52-7c1d-4e8f-9a2b-5c6d7e8f9a0b'
  await mountAgent(page, demo, { attributes: { 'chatbot-id': unknown } })
  const detail = await expectSetupError(page)
  expect(detail).toContain(`"${unknown}"`)
  expect(detail).toContain('chatbotId')
  expect(calls).toEqual(['POST /session'])
})

test('a malformed chatbot-id: refused before any request, the detail names it', async ({ page, demo }) => {
  const calls = pluginCalls(page)
  await mountAgent(page, demo, { attributes: { 'chatbot-id': 'support bot' } })
  expect(await expectSetupError(page)).toContain('"support bot"')
  expect(calls).toEqual([])
})

for (const endpoint of ['data:application/json,{}', 'javascript:void 0']) {
  test(`endpoint "${endpoint}" is no http(s) URL: refused as config before any request`, async ({ page, demo }) => {
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    await mountAgent(page, demo, { attributes: { endpoint } })
    expect(await expectSetupError(page)).toContain(`endpoint "${endpoint}"`)
    // The page itself and the element's script, nothing else.
    expect(requests.map((url) => new URL(url).pathname)).toEqual(['/e2e-agent', '/assets/chatzy-agent.js'])
  })
}

test('app-url not on the plugin\'s appUrl (here: left out, so Chatzy\'s own): the detail names both origins and the fix', async ({ page, demo }) => {
  const calls = pluginCalls(page)
  await mountAgent(page, demo, { attributes: { 'app-url': 'https://app.chatzy.ai' } })
  const detail = await expectSetupError(page)
  expect(detail).toContain(new URL(demo.mockUrl!).origin)
  expect(detail).toContain('https://app.chatzy.ai')
  expect(detail).toContain('appUrl')
  expect(calls).toEqual(['POST /session'])
  await expect(page.locator('chatzy-agent iframe')).toHaveCount(0)
})

test('app-url that is no http(s) URL: refused before any request, no mint spent', async ({ page, demo }) => {
  const calls = pluginCalls(page)
  await mountAgent(page, demo, { attributes: { 'app-url': 'javascript:alert(1)' } })
  expect(await expectSetupError(page)).toContain('app-url "javascript:alert(1)"')
  expect(calls).toEqual([])
})
