import {
  test, expect, agent, agentEvents, mountAgent, signInQuietly, watchErrors, watchPlugin, DEMO_CHATBOT_ID,
} from './fixtures.js'

const rateLimited = { statusCode: 429, code: 'CHATZY_RATE_LIMITED', error: 'Too Many Requests', message: 'Too many requests for this user: try again in 2 s' }

test('rate limited (429 + Retry-After): a retryable rate-limited error, then the element tries again by itself, no sooner than Retry-After', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  let refusedAt = 0
  await page.route('**/chatzy/session', async (route) => {
    if (refusedAt !== 0) return route.continue()
    refusedAt = Date.now()
    return route.fulfill({ status: 429, headers: { 'retry-after': '2' }, json: rateLimited })
  })
  await mountAgent(page, demo)
  await expect(agent(page)).toHaveAttribute('status', 'error')
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error')).toMatchObject([{ code: 'rate-limited', retryable: true }])
  await expect(agent(page).getByRole('alert')).toContainText('busy')

  // Nobody clicks anything: it recovers on its own.
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const sessions = plugin.filter((request) => request.method() === 'POST' && request.url().endsWith('/chatzy/session'))
  expect(sessions).toHaveLength(2)
  const retriedAt = await sessions[1]!.timing()
  expect(retriedAt.startTime).toBeGreaterThanOrEqual(refusedAt + 2_000)
  expect(errors).toEqual([])
})

test('rate limited on a refresh: the same iframe gets its token once Retry-After has passed, without a Retry click', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountAgent(page, demo)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  let refused = 0
  await page.route('**/chatzy/refresh', (route) => {
    if (refused++ > 0) return route.continue()
    return route.fulfill({ status: 429, headers: { 'retry-after': '1' }, json: rateLimited })
  })
  await agent(page).evaluate((element: HTMLElement & { refresh(): Promise<void> }) => element.refresh())
  await expect(agent(page)).toHaveAttribute('status', 'error')
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect((await agentEvents(page)).map((e) => e.type)).toEqual(['chatzy-ready', 'chatzy-error', 'chatzy-token-refreshed'])
})

for (const chatbotId of ['..', '.', '../../evil', 'a/b']) {
  test(`a server-rendered token with chatbot-id "${chatbotId}" is a config error: no iframe, the token goes nowhere`, async ({ page, demo }) => {
    const toChatzy: string[] = []
    page.on('request', (request) => {
      if (request.url().startsWith(demo.mockUrl!)) toChatzy.push(request.url())
    })
    await mountAgent(page, demo, {
      attributes: { 'chatbot-id': chatbotId, 'access-token': 'at_server_rendered', 'user-id': 'alice', 'expires-at': String(Date.now() + 600_000) },
    })
    await expect(agent(page)).toHaveAttribute('status', 'error')
    expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error')).toMatchObject([{ code: 'config', retryable: false }])
    await expect(agent(page).locator('iframe')).toHaveCount(0)
    expect(toChatzy).toEqual([])
  })
}

test('a server-rendered token with a well-formed chatbot-id still shows at once, with no /session call', async ({ page, demo }) => {
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  const started = await page.request.post(`${demo.hostUrl}/chatzy/session`, { headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1' }, data: {} })
  const session = await started.json() as { access_token: string; user_id: string; expires_at: number }
  await mountAgent(page, demo, {
    attributes: { 'chatbot-id': DEMO_CHATBOT_ID, 'access-token': session.access_token, 'user-id': session.user_id, 'expires-at': String(session.expires_at) },
  })
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(plugin.count('POST /session')).toBe(0)
})

test('an endpoint on another origin without CORS: a setup error of the site, tried once, its detail naming both origins, CORS and allowedOrigins', async ({ page, demo }) => {
  const plugin: string[] = []
  page.on('request', (request) => { if (request.method() === 'POST') plugin.push(new URL(request.url()).pathname) })
  await signInQuietly(page, demo)
  // The detail is on the event itself (agentEvents keeps only its code): recorded from the start.
  await page.addInitScript(() => {
    const details: { code: string; detail: string }[] = []
    ;(window as unknown as { errorDetails: typeof details }).errorDetails = details
    document.addEventListener('chatzy-error', (event) => {
      const { code, detail } = event as Event & { code: string; detail: string }
      details.push({ code, detail })
    })
  })
  // The mock Chatzy's origin serves no plugin and sends no CORS headers: the browser blocks the call.
  await mountAgent(page, demo, { attributes: { endpoint: `${demo.mockUrl}/chatzy` } })
  await expect(agent(page)).toHaveAttribute('status', 'error', { timeout: 20_000 })
  const [failure] = await page.evaluate(() => (window as unknown as { errorDetails: { code: string; detail: string }[] }).errorDetails)
  expect(failure!.code).toBe('config')
  expect(failure!.detail).toContain('CORS')
  expect(failure!.detail).toContain('allowedOrigins')
  expect(failure!.detail).toContain(new URL(demo.mockUrl!).origin)
  expect(failure!.detail).toContain(new URL(demo.hostUrl).origin)
  // The user reads that it is the site's setup, not their connection, with no Retry that cannot help.
  await expect(agent(page).getByRole('alert').locator('p')).toHaveText('The agent is not set up correctly on this site.')
  await expect(agent(page).getByRole('button', { name: 'Retry' })).toBeHidden()
  expect(plugin).toEqual(['/chatzy/session'])
})

test('after a 503 with Retry-After, focus and coming back online wait for it; the user\'s own Retry goes at once', async ({ page, demo }) => {
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountAgent(page, demo)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await page.route('**/chatzy/refresh', (route) => route.fulfill({
    status: 503, headers: { 'retry-after': '120' }, json: { statusCode: 503, code: 'CHATZY_UPSTREAM_UNAVAILABLE', error: 'Service Unavailable', message: 'throttled' },
  }))
  await agent(page).evaluate((element: HTMLElement & { refresh(): Promise<void> }) => element.refresh())
  await expect(agent(page)).toHaveAttribute('status', 'error')
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error')).toMatchObject([{ code: 'server', retryable: true }])
  await page.unroute('**/chatzy/refresh')
  const refreshes = plugin.count('POST /refresh')
  await page.evaluate(() => {
    window.dispatchEvent(new Event('online'))
    window.dispatchEvent(new Event('focus'))
  })
  await page.waitForTimeout(1_000)
  expect(plugin.count('POST /refresh')).toBe(refreshes)
  await expect(agent(page)).toHaveAttribute('status', 'error')

  await agent(page).getByRole('button', { name: 'Retry' }).click()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(plugin.count('POST /refresh')).toBe(refreshes + 1)
})

test('rate limited again and again without Retry-After: it tries again after 4 s, then waits twice as long each time', async ({ page, demo }) => {
  const plugin = watchPlugin(page)
  await page.clock.install()
  await signInQuietly(page, demo)
  await page.route('**/chatzy/session', (route) => route.fulfill({ status: 429, json: rateLimited }))
  await mountAgent(page, demo)
  await expect(agent(page)).toHaveAttribute('status', 'error')
  const sessions = () => plugin.count('POST /session')
  expect(sessions()).toBe(1)
  // Each step jumps the page's clock, then gives the page real time to send what is due.
  const after = async (ms: number) => {
    await page.clock.fastForward(ms)
    await page.waitForTimeout(300)
    return sessions()
  }
  expect(await after(4_100)).toBe(2)
  expect(await after(4_100)).toBe(2) // 8 s after the second refusal, not 4
  expect(await after(4_100)).toBe(3)
  expect(await after(8_100)).toBe(3) // then 16 s
  expect(await after(8_100)).toBe(4)
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-error').map((e) => e.code)).toEqual(['rate-limited', 'rate-limited', 'rate-limited', 'rate-limited'])
})
