import { test, expect, signIn, agentFrame, frameState } from './fixtures.js'

test('a signed-in user gets the agent, and its expired token is refreshed without a reload', async ({ page, demo }) => {
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))
  await signIn(page, demo, 'alice')

  const frame = agentFrame(page)
  await expect(frame.locator('#user')).toHaveText('alice')
  await expect(frame.locator('#state')).toHaveText('valid')
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready')
  const first = await frameState(page)
  expect(first.refreshes).toBe(0)

  // The mock's access tokens live 4 s: the iframe asks, the element answers through the plugin.
  await expect.poll(async () => (await frameState(page)).refreshes, { timeout: 15_000 }).toBeGreaterThanOrEqual(1)
  const after = await frameState(page)
  expect(after.token).not.toBe(first.token)
  expect(after.loadId).toBe(first.loadId) // same document: the iframe was not reloaded
  expect(after.valid).toBe(true)
  expect(demo.mock!.calls.refresh).toBeGreaterThanOrEqual(1)
  const response = after.received.find((m) => m.data.type === '[TOKEN_REFRESH_RESPONSE]')
  expect(response?.origin).toBe(new URL(demo.hostUrl).origin)

  // ...and keeps working with the new token.
  await frame.getByLabel('Message').fill('Where is my order?')
  await frame.getByRole('button', { name: 'Send' }).click()
  await expect(frame.getByText('You said: Where is my order?')).toBeVisible()
  expect(pageErrors).toEqual([])
})

test('the demo page shows the element\'s states: ready, refreshing, error with a working Retry', async ({ page, demo }) => {
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))
  await signIn(page, demo, 'bob')
  await expect(page.locator('#status')).toHaveText('ready')

  await page.getByLabel(/Slow network/).check()
  await page.getByRole('button', { name: 'Refresh token' }).click()
  await expect(page.locator('#status')).toHaveText('refreshing')
  await expect(page.locator('#status')).toHaveText('ready')
  await page.getByLabel(/Slow network/).uncheck()

  // From here on only the user's Retry asks for a token: no refresh-ahead and no asks of the
  // iframe, which would otherwise heal the element by themselves once requests work again.
  await page.locator('chatzy-agent').evaluate((agent) => agent.removeAttribute('refresh-ahead'))
  const iframe = await (await page.locator('chatzy-agent iframe').elementHandle())!.contentFrame()
  await iframe!.evaluate(() => (window as unknown as { chatzyMock: { setAutoAsk(on: boolean): void } }).chatzyMock.setAutoAsk(false))
  await page.getByLabel(/Token requests fail/).check()
  await page.getByRole('button', { name: 'Refresh token' }).click()
  await expect(page.locator('#status')).toHaveText('error', { timeout: 20_000 })
  const retry = page.locator('chatzy-agent').getByRole('button', { name: 'Retry' })
  await expect(retry).toBeVisible()
  await page.getByLabel(/Token requests fail/).uncheck()
  await retry.click()
  await expect(page.locator('#status')).toHaveText('ready')
  await expect(agentFrame(page).locator('#user')).toHaveText('bob')
  await expect(page.locator('#log')).toContainText('token refreshed (manual)')
  expect(pageErrors).toEqual([])
})

test('the agent alone at /embed: the element and nothing else, for the signed-in user only', async ({ page, demo }) => {
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => pageErrors.push(error))
  await page.goto(`${demo.hostUrl}/embed`)
  await expect(page.getByRole('button', { name: 'Sign in as alice' })).toBeVisible()

  await signIn(page, demo, 'alice')
  await page.getByRole('link', { name: 'The agent alone' }).click()
  await expect(page).toHaveURL(`${demo.hostUrl}/embed`)
  await expect(page.locator('chatzy-agent')).toHaveAttribute('status', 'ready')
  await expect(agentFrame(page).locator('#user')).toHaveText('alice')
  await expect(page.locator('body > *:not(script)')).toHaveCount(1)
  expect(pageErrors).toEqual([])
})
