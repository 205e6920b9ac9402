import type { Page, Request, Response } from '@playwright/test'
import type { Demo } from '../demo/server.js'
import type { Fault } from '../demo/mock-chatzy/faults.js'
import { test, expect, signIn, frameState } from './fixtures.js'

/*
 * Chatzy misbehaves (the mock's fault injection); the browser sees exactly the documented
 * answer from the plugin, the element reports it, and once Chatzy heals the agent works again
 * without the user doing more than using it.
 */

// Tokens that outlive a test's few asks: the iframe and the element's refresh-ahead stay quiet,
// so the element's refresh budget (a few a minute) is left for the asks under test. Still
// shorter than the plugin's refresh margin, so every ask reaches Chatzy.
test.use({ accessTtlMs: 20_000 })

interface ErrorEventRecord { code: string; retryable: boolean }

/** Records every `chatzy-error` the element fires, before any page script runs. */
async function recordErrors(page: Page) {
  await page.addInitScript(() => {
    const errors: { code: string; retryable: boolean }[] = []
    ;(window as unknown as { chatzyErrors: typeof errors }).chatzyErrors = errors
    document.addEventListener('chatzy-error', (event) => {
      const { code, retryable } = event as unknown as { code: string; retryable: boolean }
      errors.push({ code, retryable })
    })
  })
}

const errorsOf = (page: Page) => page.evaluate(() => (window as unknown as { chatzyErrors: ErrorEventRecord[] }).chatzyErrors)

/** The iframe says its token expired ([TOKEN_REFRESH]), as Chatzy's iframe does. */
async function iframeAsksForToken(page: Page) {
  const frame = await (await page.locator('chatzy-agent iframe').elementHandle())!.contentFrame()
  await frame!.evaluate(() => (window as unknown as { chatzyMock: { ask(): void } }).chatzyMock.ask())
}

const isRefresh = (response: Response) => new URL(response.url()).pathname === '/chatzy/refresh' && response.request().method() === 'POST'

/** Triggers a refresh from the iframe and returns the plugin's answer the element received. */
async function refreshThroughElement(page: Page): Promise<{ status: number; body: Record<string, unknown> }> {
  // Only a request sent from now on answers this ask (not one already in flight).
  const sent = new Set<Request>()
  const onRequest = (request: Request) => void sent.add(request)
  page.on('request', onRequest)
  try {
    const answer = page.waitForResponse((response) => isRefresh(response) && sent.has(response.request()), { timeout: 40_000 })
    await iframeAsksForToken(page)
    const response = await answer
    return { status: response.status(), body: (await response.json()) as Record<string, unknown> }
  } finally {
    page.off('request', onRequest)
  }
}

async function readyAgent(page: Page, demo: Demo) {
  await recordErrors(page)
  await signIn(page, demo, 'alice')
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready')
  await expect.poll(async () => (await frameState(page)).valid).toBe(true)
}

/**
 * After the fault clears, the iframe's next ask ends with a fresh, valid token in the same
 * iframe and a ready element. Not necessarily at the first answer: after a run of failures the
 * plugin's circuit breaker may fail fast (503) for a few seconds, and the element retries.
 */
async function expectRecovery(page: Page, demo: Demo) {
  const before = await frameState(page)
  const answers: Response[] = []
  const onResponse = (response: Response) => void (isRefresh(response) && answers.push(response))
  page.on('response', onResponse)
  try {
    await iframeAsksForToken(page)
    await expect.poll(async () => (await frameState(page)).refreshes, { timeout: 30_000 }).toBeGreaterThan(before.refreshes)
  } finally {
    page.off('response', onResponse)
  }
  const after = await frameState(page)
  expect(after.valid).toBe(true)
  expect(demo.mock!.issued.access.has(after.token!)).toBe(true)
  expect(after.loadId).toBe(before.loadId) // recovered in place, no reload of the iframe
  expect(answers.at(-1)?.status()).toBe(200)
  for (const answer of answers) expect([200, 502, 503, 504]).toContain(answer.status())
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready')
}

const failures: { fault: Fault; status: number; code: string }[] = [
  { fault: 'status-500', status: 503, code: 'CHATZY_UPSTREAM_UNAVAILABLE' },
  { fault: 'reset', status: 503, code: 'CHATZY_UPSTREAM_UNAVAILABLE' },
  { fault: 'non-json', status: 502, code: 'CHATZY_UPSTREAM_BAD_RESPONSE' },
  { fault: 'oversized', status: 502, code: 'CHATZY_UPSTREAM_BAD_RESPONSE' },
  { fault: 'schema', status: 502, code: 'CHATZY_UPSTREAM_BAD_RESPONSE' },
]

for (const { fault, status, code } of failures) {
  test(`Chatzy fault "${fault}" on refresh: the element gets ${status} ${code}, then recovers when Chatzy heals`, async ({ page, demo }) => {
    const pageErrors: Error[] = []
    page.on('pageerror', (error) => pageErrors.push(error))
    await readyAgent(page, demo)
    const refreshesBefore = (await frameState(page)).refreshes

    demo.mock!.faults.inject({ fault, endpoints: ['refresh'] })
    const failed = await refreshThroughElement(page)
    expect(failed.status).toBe(status)
    expect(failed.body).toMatchObject({ statusCode: status, code })
    // The element retries (with backoff) before it gives up and says so.
    await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'error', { timeout: 30_000 })
    await expect.poll(() => errorsOf(page)).toContainEqual({ code: 'server', retryable: true })
    expect((await frameState(page)).refreshes).toBe(refreshesBefore) // no token went to the iframe

    demo.mock!.faults.clear()
    await expectRecovery(page, demo)
    expect(pageErrors).toEqual([])
  })
}

test('Chatzy hangs: the element gets 504 CHATZY_UPSTREAM_TIMEOUT, and its retry succeeds once Chatzy answers again', async ({ page, demo }) => {
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))
  await readyAgent(page, demo)
  const before = await frameState(page)

  demo.mock!.faults.inject({ fault: 'hang', endpoints: ['refresh'] })
  const answers: Response[] = []
  page.on('response', (response) => { if (isRefresh(response)) answers.push(response) })
  const failed = await refreshThroughElement(page)
  expect(failed.status).toBe(504)
  expect(failed.body).toMatchObject({ statusCode: 504, code: 'CHATZY_UPSTREAM_TIMEOUT' })

  demo.mock!.faults.clear()
  await expect.poll(async () => (await frameState(page)).refreshes, { timeout: 40_000 }).toBeGreaterThan(before.refreshes)
  const after = await frameState(page)
  expect(after.valid).toBe(true)
  expect(after.loadId).toBe(before.loadId)
  expect(answers.at(-1)?.status()).toBe(200)
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready')
  expect(pageErrors).toEqual([])
})

test('Chatzy slow to answer (within the timeout): the element still gets its token', async ({ page, demo }) => {
  await readyAgent(page, demo)
  demo.mock!.faults.inject({ fault: 'delay', delayMs: 1_500, endpoints: ['refresh'] })
  const slow = await refreshThroughElement(page)
  expect(slow.status).toBe(200)
  expect(demo.mock!.issued.access.has(slow.body.access_token as string)).toBe(true)
  await expect.poll(async () => (await frameState(page)).valid).toBe(true)
  expect(await errorsOf(page)).toEqual([])
})

test('Chatzy refuses the refresh token (401): the plugin mints again and the element never sees an error', async ({ page, demo }) => {
  await readyAgent(page, demo)
  const mintsBefore = demo.mock!.calls.mint
  demo.mock!.faults.inject({ fault: 'refuse', endpoints: ['refresh'] })
  const answer = await refreshThroughElement(page)
  expect(answer.status).toBe(200)
  expect(demo.mock!.issued.access.has(answer.body.access_token as string)).toBe(true)
  expect(demo.mock!.calls.mint).toBeGreaterThan(mintsBefore)
  await expect.poll(async () => (await frameState(page)).valid).toBe(true)
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready')
  expect(await errorsOf(page)).toEqual([])
})

test('Chatzy refuses both the refresh token and the new mint: 401, and Retry starts a working session once Chatzy heals', async ({ page, demo }) => {
  await readyAgent(page, demo)
  demo.mock!.faults.inject({ fault: 'refuse', endpoints: ['refresh', 'mint'] })
  const refused = await refreshThroughElement(page)
  expect(refused.status).toBe(401)
  expect(refused.body).toMatchObject({ statusCode: 401, code: 'CHATZY_NO_SESSION' })
  // The element tries a new session once; Chatzy refuses that mint too, so the user is told.
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'error', { timeout: 30_000 })
  await expect.poll(() => errorsOf(page)).toContainEqual({ code: 'session-expired', retryable: false })

  demo.mock!.faults.clear()
  const started = page.waitForResponse((r) => new URL(r.url()).pathname === '/chatzy/session' && r.request().method() === 'POST')
  await page.locator('chatzy-agent').getByRole('button', { name: 'Retry' }).click()
  expect((await started).status()).toBe(200)
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready')
  await expect.poll(async () => (await frameState(page)).valid).toBe(true)
})

test('Chatzy down when the page loads: the element gets 503 for its session, says so, and Retry works once Chatzy is back', async ({ page, demo }) => {
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))
  await recordErrors(page)
  demo.mock!.faults.inject({ fault: 'status-500', endpoints: ['mint'] })
  const isSession = (response: Response) => new URL(response.url()).pathname === '/chatzy/session' && response.request().method() === 'POST'
  const first = page.waitForResponse(isSession, { timeout: 40_000 })
  await signIn(page, demo, 'alice')
  const failed = await first
  expect(failed.status()).toBe(503)
  expect(await failed.json()).toMatchObject({ statusCode: 503, code: 'CHATZY_UPSTREAM_UNAVAILABLE' })
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'error', { timeout: 30_000 })
  await expect.poll(() => errorsOf(page)).toContainEqual({ code: 'server', retryable: true })
  await expect(page.locator('chatzy-agent iframe')).toHaveCount(0)

  demo.mock!.faults.clear()
  const started = page.waitForResponse(isSession)
  await page.locator('chatzy-agent').getByRole('button', { name: 'Retry' }).click()
  expect((await started).status()).toBe(200)
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready')
  await expect.poll(async () => (await frameState(page)).valid).toBe(true)
  expect(pageErrors).toEqual([])
})
