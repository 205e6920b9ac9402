import { readFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { test, expect } from '@playwright/test'
import chatzyAgent from '../server/src/index.js'
import { createMockChatzy, type MockChatzy } from '../demo/mock-chatzy/api.js'
import { DEMO_CHATBOT_ID } from '../demo/server.js'
import config from '../playwright.config.js'

/*
 * A page on plain http at a real host name (a staging box without TLS): Chromium drops the
 * Secure `__Host-` session cookie, so every refresh would answer 401 and the element would mint
 * again, silently. The server says so once, with what to do. `shop.test` resolves to loopback
 * inside this browser only, so that the browser sees a non-loopback host.
 */

const launchOptions = config.use?.launchOptions ?? {}
test.use({ launchOptions: { ...launchOptions, args: [...(launchOptions.args ?? []), '--host-resolver-rules=MAP shop.test 127.0.0.1'] } })

const WARNING = /the session cookie is Secure, but this page is plain http/

let mock: MockChatzy
let host: FastifyInstance
let port: number
const logLines: { level: number; msg: string }[] = []

test.beforeAll(async () => {
  mock = createMockChatzy({ apiKey: 'ak-e2e' })
  const mockUrl = await mock.app.listen({ host: '127.0.0.1', port: 0 })
  host = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => void logLines.push(JSON.parse(line)) } } })
  await host.register(chatzyAgent, {
    apiKey: 'ak-e2e', chatbotId: DEMO_CHATBOT_ID, identify: () => 'ada',
    cookie: { secret: randomBytes(32).toString('hex') }, apiUrl: mockUrl, appUrl: mockUrl,
  })
  const element = await readFile(new URL('../dist/cdn/chatzy-agent.min.js', import.meta.url))
  host.get('/chatzy-agent.js', (_request, reply) => reply.type('text/javascript').send(element))
  host.get('/', (_request, reply) => reply.type('text/html').send(`<!doctype html><title>Shop</title>
    <script type="module" src="/chatzy-agent.js"></script>
    <chatzy-agent chatbot-id="${DEMO_CHATBOT_ID}" app-url="${mockUrl}" loading="eager"></chatzy-agent>`))
  await host.listen({ host: '127.0.0.1', port: 0 })
  const address = host.server.address()
  port = typeof address === 'object' && address ? address.port : 0
})
test.afterAll(async () => {
  await host?.close()
  await mock?.app.close()
})

test('on plain http at a non-loopback host the browser drops the session cookie, and the server warns once, saying what to do', async ({ page, context }) => {
  const refreshes: number[] = []
  page.on('response', (response) => {
    if (response.url().endsWith('/chatzy/refresh')) refreshes.push(response.status())
  })
  await page.goto(`http://shop.test:${port}/`)
  const agent = page.locator('chatzy-agent')
  await expect(agent).toHaveAttribute('status', 'ready')
  // The answer set it; the browser kept nothing.
  expect(await context.cookies()).toEqual([])

  await agent.evaluate((element: HTMLElement & { refresh(): Promise<void> }) => element.refresh())
  await expect.poll(() => refreshes).toContain(401)
  await agent.evaluate((element: HTMLElement & { refresh(): Promise<void> }) => element.refresh())
  await expect.poll(() => refreshes.length).toBeGreaterThanOrEqual(2)

  const warnings = logLines.filter((line) => line.level === 40 && WARNING.test(line.msg))
  expect(warnings).toHaveLength(1)
  expect(warnings[0]!.msg).toMatch(/every refresh will answer 401.*Serve the page over https.*trustProxy.*http:\/\/localhost/)
})

test('the same page at http://localhost keeps its cookie, refreshes with it, and nothing is warned', async ({ page, context }) => {
  const before = logLines.length
  await page.goto(`http://localhost:${port}/`)
  const agent = page.locator('chatzy-agent')
  await expect(agent).toHaveAttribute('status', 'ready')
  expect((await context.cookies()).map((cookie) => cookie.name)).toEqual(['chatzy_session'])
  const refreshed = page.waitForResponse((response) => response.url().endsWith('/chatzy/refresh'))
  await agent.evaluate((element: HTMLElement & { refresh(): Promise<void> }) => element.refresh())
  expect((await refreshed).status()).toBe(200)
  expect(logLines.slice(before)).toEqual([])
})
