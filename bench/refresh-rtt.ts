/**
 * refresh_rtt_ratio: in Chromium, the median time from the iframe's `[TOKEN_REFRESH]` to its
 * `[TOKEN_REFRESH_RESPONSE]` (element + plugin + store, across two origins), over the median of
 * a bare `fetch` of the same route with the same body from the host page. Rounds alternate.
 * The host page is the demo's `/embed` (the element alone) or its full page, whose own script
 * re-renders a status line and an event log on every state the element goes through.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium, type Frame, type Page } from '@playwright/test'
import { build } from 'vite'
import { startDemo } from '../demo/server.js'
import { chromiumLaunchOptions } from '../test/chromium.js'

export interface RttResult {
  /** The demo page the element ran on. */
  page: HostPage
  rounds: number
  /** Whether the element's loop breaker was lifted for the run (see buildElement). */
  loop_breaker_lifted: boolean
  element_median_ms: number
  fetch_median_ms: number
  refresh_rtt_ratio: number
  /** The same round through a hand-written relay of a few lines instead of the element (see RELAY). */
  relay_median_ms: number
  /** The relay over the bare fetch: the least any element could reach here, two cross-process hops added to the fetch. */
  relay_rtt_ratio: number
  /** The element over the relay: what the element itself adds to a round. */
  element_vs_relay_ratio: number
}

const root = fileURLToPath(new URL('..', import.meta.url))
const workDir = fileURLToPath(new URL('../node_modules/.cache/chatzy-bench-rtt/', import.meta.url))

/**
 * The element as the CDN ships it, built the same way (the project's Vite config), with one
 * difference: its loop breaker (a few refreshes a minute per element, against an iframe that
 * asks in a loop) is lifted, or 100 back-to-back rounds would mostly measure its waiting.
 * Undefined when the element offers no such knob: then the stock CDN file runs.
 */
async function buildElement(): Promise<string | undefined> {
  await rm(workDir, { recursive: true, force: true })
  await mkdir(workDir, { recursive: true })
  // Its own package.json: the project's `sideEffects` list must not prune this entry's assignment.
  await writeFile(`${workDir}package.json`, JSON.stringify({ type: 'module', sideEffects: true }))
  await writeFile(`${workDir}entry.js`, [
    `import { policy } from ${JSON.stringify(`${root}element/src/token-client.ts`)}`,
    `import { defineChatzyAgent } from ${JSON.stringify(`${root}element/src/index.ts`)}`,
    'policy.refreshesPerWindow = Number.MAX_SAFE_INTEGER',
    // Registered explicitly: the package marks its sources free of side effects.
    'defineChatzyAgent()',
  ].join('\n'))
  try {
    await build({
      root,
      logLevel: 'silent',
      build: {
        outDir: `${workDir}out`,
        emptyOutDir: true,
        lib: { entry: `${workDir}entry.js`, formats: ['es'], fileName: () => 'chatzy-agent.bench.js' },
      },
    })
    const code = await readFile(`${workDir}out/chatzy-agent.bench.js`, 'utf8')
    return /refreshesPerWindow\s*=/.test(code) ? code : undefined
  } catch {
    return undefined
  }
}

export type HostPage = '/embed' | '/'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * One round as the iframe sees it: post [TOKEN_REFRESH] to the parent, wait for the answer.
 * (A string, so that no build helper of this file leaks into the page.)
 */
const ELEMENT_ROUND = `new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no [TOKEN_REFRESH_RESPONSE] within 10 s')), 10000)
  const started = performance.now()
  // Capture: the arrival is timed, before the iframe's own handler does anything with it.
  addEventListener('message', function onMessage(event) {
    let data = event.data
    if (typeof data === 'string') {
      try { data = JSON.parse(data) } catch { return }
    }
    if (!data || data.type !== '[TOKEN_REFRESH_RESPONSE]') return
    const elapsed = performance.now() - started
    clearTimeout(timer)
    removeEventListener('message', onMessage, true)
    resolve(elapsed)
  }, true)
  parent.postMessage({ type: '[TOKEN_REFRESH]', reason: 'TokenExpiredError' }, '*')
})`

function elementRound(frame: Frame): Promise<number> {
  return frame.evaluate(ELEMENT_ROUND) as Promise<number>
}

/**
 * The least an element can do for a round, written by hand: a second iframe of the same
 * Chatzy page, and a page listener that answers its [TOKEN_REFRESH] with one bare fetch of the
 * same route, posting the token back. No origin or shape checks, no retries, no events: the
 * floor under this protocol, in this browser, on this machine. Like the element, it sends the
 * expiry of the token it holds. A failed fetch is not answered, and the round fails.
 */
const RELAY = `(async ({ src }) => {
  const frame = document.createElement('iframe')
  frame.name = 'chatzy-relay'
  frame.src = src
  document.body.append(frame)
  await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }))
  let held
  addEventListener('message', async (event) => {
    if (event.source !== frame.contentWindow) return
    const data = typeof event.data === 'string' ? JSON.parse(event.data) : event.data
    if (!data || data.type !== '[TOKEN_REFRESH]') return
    const response = await fetch('/chatzy/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1' },
      body: JSON.stringify(held === undefined ? {} : { expires_at: held }),
    })
    if (!response.ok) return
    const { access_token, expires_at } = await response.json()
    held = expires_at
    frame.contentWindow.postMessage({ type: '[TOKEN_REFRESH_RESPONSE]', access_token }, event.origin)
  })
})`

/**
 * The same route and headers from the host page with a bare fetch. Like the element and the
 * relay, it sends the expiry of the token it last got, so that all three ask the server the
 * same question.
 */
function fetchRound(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const state = window as unknown as { chatzyBareHeld?: number }
    const started = performance.now()
    const response = await fetch('/chatzy/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1' },
      body: JSON.stringify(state.chatzyBareHeld === undefined ? {} : { expires_at: state.chatzyBareHeld }),
    })
    const answer = (await response.json()) as { expires_at: number }
    if (!response.ok) throw new Error(`bare fetch answered ${response.status}`)
    const elapsed = performance.now() - started
    state.chatzyBareHeld = answer.expires_at
    return elapsed
  })
}

/** The relay's iframe, loaded and told not to ask on its own, like the element's. */
async function startRelay(page: Page, src: string): Promise<Frame> {
  await page.evaluate(`${RELAY}(${JSON.stringify({ src })})`)
  const frame = page.frame({ name: 'chatzy-relay' })
  if (frame === null) throw new Error('the relay iframe did not load')
  await frame.waitForFunction(() => 'chatzyMock' in window)
  await frame.evaluate(() => (window as unknown as { chatzyMock: { setAutoAsk(on: boolean): void } }).chatzyMock.setAutoAsk(false))
  return frame
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export async function measureRefreshRtt(hostPage: HostPage, requestedRounds = 100): Promise<RttResult> {
  const element = await buildElement()
  // With the loop breaker in place, only its allowance fits in one minute.
  const rounds = element === undefined ? 5 : requestedRounds
  const warmup = element === undefined ? 0 : 10
  // Long-lived tokens: the iframe never asks on its own during the run, only when told to.
  const demo = await startDemo({ accessTtlMs: 15 * 60_000 })
  const browser = await chromium.launch(chromiumLaunchOptions())
  try {
    const page = await browser.newPage()
    if (element !== undefined) {
      await page.route(`${demo.hostUrl}/assets/chatzy-agent.js`, (route) => route.fulfill({ contentType: 'text/javascript; charset=utf-8', body: element }))
    }
    await page.goto(demo.hostUrl)
    await page.getByRole('button', { name: 'Sign in as alice' }).click()
    if (hostPage !== '/') await page.goto(`${demo.hostUrl}${hostPage}`)
    await page.locator('chatzy-agent[status="ready"]').waitFor({ state: 'attached', timeout: 30_000 })
    const frameHandle = await page.locator('chatzy-agent iframe').elementHandle({ timeout: 30_000 })
    const frame = (await frameHandle!.contentFrame())!
    await frame.waitForFunction(() => 'chatzyMock' in window)
    await frame.evaluate(() => (window as unknown as { chatzyMock: { setAutoAsk(on: boolean): void } }).chatzyMock.setAutoAsk(false))

    const relayFrame = await startRelay(page, (await frameHandle!.getAttribute('src'))!)
    const kinds = {
      element: () => elementRound(frame),
      fetch: () => fetchRound(page),
      relay: () => elementRound(relayFrame),
    }
    const order = Object.keys(kinds) as (keyof typeof kinds)[]

    for (let i = 0; i < warmup; i++) {
      for (const kind of order) await kinds[kind]()
    }
    const times: Record<keyof typeof kinds, number[]> = { element: [], fetch: [], relay: [] }
    for (let i = 0; i < rounds; i++) {
      // Each kind takes each place in turn, so that none always follows the same other.
      for (let k = 0; k < order.length; k++) {
        const kind = order[(i + k) % order.length]!
        times[kind].push(await kinds[kind]())
        // Let the iframe finish its own check of the new token before the next timing.
        await pause(20)
      }
    }
    const viaElement = times.element
    const viaFetch = times.fetch
    const viaRelay = times.relay
    const viaElementMedian = median(viaElement)
    const bare = median(viaFetch)
    const relay = median(viaRelay)
    const ms = (value: number) => Math.round(value * 100) / 100
    const ratio = (value: number) => Math.round(value * 1000) / 1000
    return {
      page: hostPage,
      rounds,
      loop_breaker_lifted: element !== undefined,
      element_median_ms: ms(viaElementMedian),
      fetch_median_ms: ms(bare),
      refresh_rtt_ratio: ratio(viaElementMedian / bare),
      relay_median_ms: ms(relay),
      relay_rtt_ratio: ratio(relay / bare),
      element_vs_relay_ratio: ratio(viaElementMedian / relay),
    }
  } finally {
    await browser.close()
    await demo.close()
  }
}
