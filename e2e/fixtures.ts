import { createServer, type Server } from 'node:http'
import { test as base, expect, type Frame, type FrameLocator, type Locator, type Page, type Request } from '@playwright/test'
import type { ChatzyAgent } from '../element/src/chatzy-agent.js'
import { startDemo, DEMO_CHATBOT_ID, type Demo } from '../demo/server.js'
import { iframePage } from '../demo/mock-chatzy/iframe-page.js'

export interface MockFrameState {
  user: string | null
  token: string | null
  expiresAt: number
  valid: boolean
  refreshes: number
  asks: number
  pendingAsks: number
  loadId: string
  received: { form: 'object' | 'string'; origin: string; data: { type?: string; [k: string]: unknown } }[]
  messages: { kind: string; text: string }[]
}

/** A server that serves the mock iframe page on another origin than Chatzy's (another port). */
async function startStranger(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.url?.startsWith('/mock/token-info')) {
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ valid: false, reason: 'unknown' }))
      return
    }
    response.setHeader('content-type', 'text/html; charset=utf-8')
    response.end(iframePage)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/** The demo (host app + mock Chatzy on another origin), fresh for each test. */
export const test = base.extend<{ demo: Demo; accessTtlMs: number; minRefreshIntervalMs: number | undefined; otherChatbotIds: string[]; stranger: { url: string } }>({
  accessTtlMs: [4_000, { option: true }],
  /**
   * The plugin's per-session floor on upstream calls (its default when undefined). Tokens here
   * live seconds, so by default no floor: every refresh a test asks for reaches Chatzy. The
   * floor itself is tested in server/test/limits-floor.test.ts.
   */
  minRefreshIntervalMs: [0, { option: true }],
  /** Chatbots the plugin allows besides DEMO_CHATBOT_ID (a page with several agents). */
  otherChatbotIds: [[], { option: true }],
  demo: async ({ accessTtlMs, minRefreshIntervalMs, otherChatbotIds }, use) => {
    const demo = await startDemo({ accessTtlMs, otherChatbotIds, ...(minRefreshIntervalMs !== undefined && { minRefreshIntervalMs }) })
    await use(demo)
    await demo.close()
  },
  stranger: async ({}, use) => {
    const stranger = await startStranger()
    await use(stranger)
    await stranger.close()
  },
})

export { expect, DEMO_CHATBOT_ID }

export async function signIn(page: Page, demo: Demo, user = 'alice') {
  await page.goto(demo.hostUrl)
  await page.getByRole('button', { name: `Sign in as ${user}` }).click()
  await expect(page.locator('#who')).toHaveText(user)
}

export function agentFrame(page: Page): FrameLocator {
  return page.frameLocator('chatzy-agent iframe')
}

/** The mock iframe's own view of itself (window.chatzyMock.state()). */
export async function frameState(page: Page): Promise<MockFrameState> {
  return mockCall(await agentFrameOf(page), 'state') as Promise<MockFrameState>
}

/** The agent iframe's current document (whatever origin it is on now). */
export function agentFrameOf(page: Page): Promise<Frame> {
  return mockFrame(page, 'chatzy-agent iframe')
}

/** The document of an iframe running the mock page, once its test switches are there. */
export async function mockFrame(page: Page, iframeSelector: string): Promise<Frame> {
  const handle = await page.locator(iframeSelector).elementHandle()
  const frame = await handle?.contentFrame()
  if (!frame) throw new Error(`no iframe ${iframeSelector}`)
  await frame.waitForFunction(() => 'chatzyMock' in window)
  return frame
}

/** Calls a test switch of the mock iframe (`window.chatzyMock[name](...args)`). */
export function mockCall(frame: Frame, name: string, ...args: unknown[]): Promise<unknown> {
  return frame.evaluate(([name, args]) => {
    const mock = (window as unknown as { chatzyMock: Record<string, (...a: unknown[]) => unknown> }).chatzyMock
    return mock[name as string]!(...(args as unknown[]))
  }, [name, args] as const)
}

/** Signs a demo user in through the host's own form, without loading the agent page. */
export async function signInQuietly(page: Page, demo: Demo, user = 'alice') {
  const response = await page.request.post(`${demo.hostUrl}/signin`, { form: { user }, maxRedirects: 0 })
  expect(response.status()).toBe(303)
}

export interface MountOptions {
  /** Attributes of <chatzy-agent>, besides chatbot-id, endpoint and app-url (given unless overridden). */
  attributes?: Record<string, string>
  /** HTML before the element (e.g. a tall spacer for lazy loading). */
  before?: string
  /** HTML after the element. */
  after?: string
  /** Scripts to load instead of the CDN build. */
  scripts?: string
  /** Path of the test page on the host origin. */
  path?: string
  /** Response headers of the test page (e.g. a Content-Security-Policy). */
  headers?: Record<string, string>
}

/**
 * Opens a test page on the host's origin (served by Playwright, so no CSP of the demo page)
 * with one <chatzy-agent> talking to the real plugin and the mock Chatzy. Every chatzy-*
 * event is recorded in `window.agentEvents`.
 */
export async function mountAgent(page: Page, demo: Demo, options: MountOptions = {}): Promise<void> {
  const attributes = {
    'chatbot-id': DEMO_CHATBOT_ID,
    endpoint: '/chatzy',
    'app-url': demo.mockUrl!,
    loading: 'eager',
    ...options.attributes,
  }
  const attrs = Object.entries(attributes).map(([name, value]) => `${name}="${value.replace(/"/g, '&quot;')}"`).join(' ')
  const path = options.path ?? '/e2e-agent'
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>agent test page</title>
<script>
  window.agentEvents = []
  for (const type of ['chatzy-ready', 'chatzy-token-refreshed', 'chatzy-error', 'chatzy-message']) {
    document.addEventListener(type, (event) => {
      const { userId, expiresAt, reason, code, retryable, message } = event
      window.agentEvents.push(JSON.parse(JSON.stringify({ type, userId, expiresAt, reason, code, retryable, message })))
    })
  }
</script>
${options.scripts ?? '<script type="module" src="/assets/chatzy-agent.js"></script>'}
</head><body>${options.before ?? ''}<chatzy-agent ${attrs}></chatzy-agent>${options.after ?? ''}</body></html>`
  // Playwright serves this page itself, so Chromium cannot know it comes from loopback: allow
  // it to embed the loopback mock Chatzy (a real site embeds the public app.chatzy.ai).
  await page.context().grantPermissions(['local-network-access'])
  await page.route(`${demo.hostUrl}${path}`, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', headers: options.headers, body: html }))
  await page.goto(`${demo.hostUrl}${path}`)
}

export interface AgentEvent {
  type: string
  userId?: string
  expiresAt?: number
  reason?: string
  code?: string
  retryable?: boolean
  message?: { type: string; [k: string]: unknown }
}

export async function agentEvents(page: Page): Promise<AgentEvent[]> {
  // As JSON text: a deeply nested message is more than Playwright's own serializer takes.
  return JSON.parse(await page.evaluate(() => JSON.stringify((window as unknown as { agentEvents: AgentEvent[] }).agentEvents))) as AgentEvent[]
}

/** Requests the page makes to the plugin's routes, by route ("POST /refresh"...), as they happen. */
export function watchPlugin(page: Page): Request[] & { count(route: string): number } {
  const seen = [] as unknown as Request[] & { count(route: string): number }
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/chatzy/')) seen.push(request)
  })
  seen.count = (route: string) => seen.filter((r) => `${r.method()} ${new URL(r.url()).pathname.replace(/^\/chatzy/, '')}` === route).length
  return seen
}

/** Errors thrown in the page (uncaught exceptions, unhandled rejections). */
export function watchErrors(page: Page): Error[] {
  const errors: Error[] = []
  page.on('pageerror', (error) => errors.push(error))
  return errors
}

export const agent = (page: Page) => page.locator('chatzy-agent')

/**
 * Idle, the default status: not reflected, so that markup a server rendered stays as it was
 * rendered until the element has news (React's hydration compares every attribute).
 */
export async function expectIdle(element: Locator) {
  await expect(element).not.toHaveAttribute('status')
  expect(await element.evaluate((el) => (el as ChatzyAgent).status)).toBe('idle')
}
