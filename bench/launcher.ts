/**
 * The launcher's costs, measured in Chromium against baselines of the same run:
 *
 *   launcher_idle_requests   requests a content page makes for the agent before any interaction
 *   launcher_main_thread_ms  main-thread time (script, style, layout) the closed launcher adds to
 *                            a content page's load: median with it − median without it
 *   launcher_open_ratio      click → ready agent shown, after a 300 ms hover ÷ with a cold click
 *
 * Run alone with `npm run build:cdn && npx tsx bench/launcher.ts`; `npm run bench` runs it too.
 *   BENCH_LAUNCHER_LOADS       page loads per variant for launcher_main_thread_ms (default 15)
 *   BENCH_LAUNCHER_ROUNDS      opens per variant for launcher_open_ratio (default 10)
 *   BENCH_MOCK_LATENCY_MS      delay of every answer of the mock Chatzy (default 150)
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { startDemo, DEMO_CHATBOT_ID, type Demo } from '../demo/server.js'
import { chromiumLaunchOptions } from '../test/chromium.js'

export interface LauncherFigure {
  name: string
  value: number
  what: string
  goal: [op: '>=' | '<=' | '==', target: number]
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places

/** A plain content page: an article a visitor reads, and, with the agent, the launcher's two lines. */
function contentPage(demo: Demo, withAgent: boolean): string {
  const paragraph = 'Our teas are picked in spring and shipped within the week. Every pot is made by hand, so each one differs a little from the photo. '.repeat(4)
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Teapot &amp; Co: about us</title>
<style>body { font: 16px/1.6 system-ui, sans-serif; max-width: 720px; margin: 0 auto; padding: 16px; }</style>
${withAgent ? '<script type="module" src="/assets/chatzy-agent.js"></script>' : ''}
</head><body>
<header><nav><a href="/">Home</a> <a href="/shop">Shop</a> <a href="/about">About</a></nav></header>
<main><h1>About Teapot &amp; Co</h1>${Array.from({ length: 12 }, (_, i) => `<h2>Part ${i + 1}</h2><p>${paragraph}</p>`).join('')}</main>
${withAgent ? `<chatzy-agent mode="launcher" chatbot-id="${DEMO_CHATBOT_ID}" endpoint="/chatzy" app-url="${demo.mockUrl}" title="Chat with us"></chatzy-agent>` : ''}
</body></html>`
}

const PATHS = { with: '/bench-launcher', without: '/bench-plain' } as const

/** A fresh visitor (empty cache), signed in to the host, on one of the two content pages. */
async function visitor(browser: Browser, demo: Demo): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext()
  // The pages are served by Playwright, so Chromium cannot know they come from loopback: allow
  // them to embed the loopback mock Chatzy (a real site embeds the public app.chatzy.ai).
  await context.grantPermissions(['local-network-access'])
  for (const variant of ['with', 'without'] as const) {
    const body = contentPage(demo, variant === 'with')
    await context.route(`${demo.hostUrl}${PATHS[variant]}`, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body }))
  }
  const signIn = await context.request.post(`${demo.hostUrl}/signin`, { form: { user: 'alice' }, maxRedirects: 0 })
  if (signIn.status() !== 303) throw new Error(`demo sign-in answered ${signIn.status()}`)
  return { context, page: await context.newPage() }
}

/** Until the launcher is drawn (with the agent) and two frames more, so that both variants end alike. */
async function settled(page: Page, withAgent: boolean) {
  if (withAgent) await page.locator('chatzy-agent [part=launcher]').waitFor({ state: 'visible' })
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
}

async function idleRequests(browser: Browser, demo: Demo) {
  const seen = { with: [] as string[], without: [] as string[] }
  for (const variant of ['without', 'with'] as const) {
    const { context, page } = await visitor(browser, demo)
    page.on('request', (request) => {
      if (request.url() !== `${demo.hostUrl}${PATHS[variant]}`) seen[variant].push(request.url())
    })
    await page.goto(`${demo.hostUrl}${PATHS[variant]}`)
    await settled(page, variant === 'with')
    // Long enough for anything lazy (an idle callback, a timer) to show itself.
    await pause(2_000)
    await context.close()
  }
  const extra = seen.with.filter((url) => !seen.without.includes(url))
  const mockOrigin = new URL(demo.mockUrl!).origin
  return {
    requests: extra.map((url) => new URL(url).pathname),
    to_chatzy_routes: extra.filter((url) => new URL(url).pathname.startsWith('/chatzy/')).length,
    to_app_origin: extra.filter((url) => new URL(url).origin === mockOrigin).length,
  }
}

const METRICS = ['ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'TaskDuration'] as const
type Metrics = Record<(typeof METRICS)[number], number>

/** Chromium's own main-thread counters (CDP Performance.getMetrics) over one load of a page, in ms. */
async function loadCost(browser: Browser, demo: Demo, variant: 'with' | 'without'): Promise<Metrics> {
  const { context, page } = await visitor(browser, demo)
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  const read = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics')
    return Object.fromEntries(METRICS.map((name) => [name, (metrics.find((m) => m.name === name)?.value ?? 0) * 1000])) as Metrics
  }
  const before = await read()
  await page.goto(`${demo.hostUrl}${PATHS[variant]}`)
  await settled(page, variant === 'with')
  const after = await read()
  await context.close()
  return Object.fromEntries(METRICS.map((name) => [name, after[name] - before[name]])) as Metrics
}

/**
 * Starts timing at the next click, to the first frame where the panel is open and the agent
 * ready. (A string, so that no build helper of this file leaks into the page.)
 */
const START_OPEN_TIMER = `(() => {
  const agent = document.querySelector('chatzy-agent')
  window.openTime = new Promise((resolve) => {
    document.addEventListener('click', () => {
      const clicked = performance.now()
      const check = () => (agent.open && agent.status === 'ready' ? resolve(performance.now() - clicked) : requestAnimationFrame(check))
      requestAnimationFrame(check)
    }, { once: true, capture: true })
  })
})()`

/**
 * From the click on the launcher to the first frame that shows the open panel with a ready agent,
 * timed in the page. `hoverMs` undefined: a cold click (a tap: intent and click come together).
 */
async function openTime(browser: Browser, demo: Demo, hoverMs: number | undefined): Promise<number> {
  const { context, page } = await visitor(browser, demo)
  await page.goto(`${demo.hostUrl}${PATHS.with}`)
  await settled(page, true)
  await page.evaluate(START_OPEN_TIMER)
  const launcher = page.locator('chatzy-agent [part=launcher]')
  if (hoverMs !== undefined) {
    await launcher.hover()
    await pause(hoverMs)
  }
  await launcher.click()
  const ms = (await page.evaluate('window.openTime')) as number
  await context.close()
  return ms
}

export interface LauncherResult {
  figures: LauncherFigure[]
  details: Record<string, unknown>
}

export async function measureLauncher(log: (line: string) => void = console.log): Promise<LauncherResult> {
  const loads = Number(process.env.BENCH_LAUNCHER_LOADS ?? 15)
  const rounds = Number(process.env.BENCH_LAUNCHER_ROUNDS ?? 10)
  const latencyMs = Number(process.env.BENCH_MOCK_LATENCY_MS ?? 150)
  const figures: LauncherFigure[] = []

  const cdn = await readFile(new URL('../dist/cdn/chatzy-agent.min.js', import.meta.url))
  const gzip = gzipSync(cdn, { level: 9 }).length
  figures.push({ name: 'cdn_gzip_bytes', value: gzip, what: `dist/cdn/chatzy-agent.min.js with the launcher: ${cdn.length} bytes minified`, goal: ['<=', 8_704] })

  const demo = await startDemo({ accessTtlMs: 15 * 60_000, mockLatencyMs: latencyMs })
  const browser = await chromium.launch(chromiumLaunchOptions())
  try {
    log('  idle requests: the content page with and without the closed launcher, 2 s after load')
    const idle = await idleRequests(browser, demo)
    figures.push({
      name: 'launcher_idle_requests',
      value: idle.requests.length,
      what: `requests the launcher adds before any interaction: ${idle.requests.join(' ') || 'none'} (${idle.to_chatzy_routes} to /chatzy, ${idle.to_app_origin} to the app's origin)`,
      goal: ['==', 1],
    })

    log(`  main thread: ${loads} loads of the content page with and ${loads} without the closed launcher, alternating`)
    const costs = { with: [] as Metrics[], without: [] as Metrics[] }
    await loadCost(browser, demo, 'with') // warm-up: Chromium's own first-use costs
    for (let i = 0; i < loads; i++) {
      for (const variant of i % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const)) {
        costs[variant].push(await loadCost(browser, demo, variant))
      }
    }
    const mainThread = (m: Metrics) => m.ScriptDuration + m.LayoutDuration + m.RecalcStyleDuration
    const withMs = median(costs.with.map(mainThread))
    const withoutMs = median(costs.without.map(mainThread))
    const tasksWith = median(costs.with.map((m) => m.TaskDuration))
    const tasksWithout = median(costs.without.map((m) => m.TaskDuration))
    figures.push({
      name: 'launcher_main_thread_ms',
      value: round(withMs - withoutMs, 1),
      what: `median script+style+layout per load: ${round(withMs, 1)} ms with the closed launcher vs ${round(withoutMs, 1)} ms without (all tasks: ${round(tasksWith, 1)} vs ${round(tasksWithout, 1)} ms)`,
      goal: ['<=', 15],
    })

    log(`  open: ${rounds} cold clicks and ${rounds} clicks after a 300 ms hover, alternating; mock Chatzy answers after ${latencyMs} ms`)
    const open = { cold: [] as number[], hover: [] as number[] }
    for (let i = 0; i < rounds; i++) {
      open.cold.push(await openTime(browser, demo, undefined))
      open.hover.push(await openTime(browser, demo, 300))
    }
    const cold = median(open.cold)
    const hover = median(open.hover)
    figures.push({
      name: 'launcher_open_ratio',
      value: round(hover / cold, 3),
      what: `median click → ready agent shown: ${round(hover, 1)} ms after a 300 ms hover vs ${round(cold, 1)} ms on a cold click (mock Chatzy answering after ${latencyMs} ms)`,
      goal: ['<=', 0.6],
    })

    return {
      figures,
      details: {
        idle,
        main_thread_ms: { with: costs.with.map((m) => round(mainThread(m))), without: costs.without.map((m) => round(mainThread(m))) },
        open_ms: { cold: open.cold.map((ms) => round(ms, 1)), hover: open.hover.map((ms) => round(ms, 1)), mock_latency_ms: latencyMs },
      },
    }
  } finally {
    await browser.close()
    await demo.close()
  }
}

const met = ({ value, goal: [op, target] }: LauncherFigure) => (op === '<=' ? value <= target : op === '>=' ? value >= target : value === target)

// Alone: `npx tsx bench/launcher.ts` prints the launcher's figures, each with its goal.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { figures, details } = await measureLauncher()
  console.table(Object.fromEntries(figures.map((f) => [f.name, { value: f.value, goal: f.goal.join(' '), met: met(f) ? 'yes' : 'NO', measured: f.what }])))
  console.log(JSON.stringify(details))
}
