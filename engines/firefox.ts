import puppeteer, { type Browser, type Frame, type KeyInput, type Page as PuppeteerPage } from 'puppeteer-core'
import { fromPage, pageScript, type Context, type ContextOptions, type Engine, type Key, type Page } from './driver.js'

/** Debian's Firefox ESR (a Mac's Firefox) unless FIREFOX_PATH names another (any recent one speaks BiDi). */
export const firefoxPath = () => process.env.FIREFOX_PATH
  || (process.platform === 'darwin' ? '/Applications/Firefox.app/Contents/MacOS/firefox' : '/usr/bin/firefox-esr')

const DEFAULT_VIEWPORT = { width: 1280, height: 800 }
const KEYS: Record<Key, KeyInput[]> = {
  Tab: ['Tab'], 'Shift+Tab': ['Shift', 'Tab'], Enter: ['Enter'], Escape: ['Escape'], Space: [' '], PageDown: ['PageDown'],
}

async function launch(reducedMotion: boolean): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    protocolTimeout: 30_000,
    timeout: 30_000,
    // Media-feature emulation is CDP-only: the system preference is a Firefox pref.
    extraPrefsFirefox: reducedMotion ? { 'ui.prefersReducedMotion': 1 } : {},
  })
}

/** Firefox over WebDriver BiDi; a second browser, started when first needed, prefers reduced motion. */
export async function firefox(): Promise<Engine> {
  const browser = await launch(false)
  const version = (await browser.version()).replace(/^firefox\//i, '')
  let reduced: Promise<Browser> | undefined
  return {
    title: `Firefox ${version}`,
    async newContext(options: ContextOptions = {}): Promise<Context> {
      const owner = options.reducedMotion ? await (reduced ??= launch(true)) : browser
      const context = await owner.createBrowserContext()
      return {
        // A page of its own: Firefox's first tab never gets focus (no focus events, Enter does not click).
        async newPage() {
          const page = await context.newPage()
          await page.setViewport(options.viewport ?? DEFAULT_VIEWPORT)
          return wrap(page)
        },
        close: () => context.close(),
      }
    },
    async close() {
      await Promise.all([browser.close(), reduced?.then((other) => other.close())])
    },
  }
}

function agentFrame(page: PuppeteerPage): Frame {
  const frame = page.frames().find((candidate) => !candidate.detached && candidate.url().includes('/chatbot-iframe/'))
  if (!frame) throw new Error('no agent iframe in the page')
  return frame
}

function wrap(page: PuppeteerPage): Page {
  const press = async (key: Key) => {
    const keys = KEYS[key]
    for (const down of keys.slice(0, -1)) await page.keyboard.down(down)
    await page.keyboard.press(keys.at(-1)!)
    for (const up of keys.slice(0, -1).reverse()) await page.keyboard.up(up)
  }
  return {
    goto: async (url) => void await page.goto(url, { waitUntil: 'load' }),
    reload: async () => void await page.reload({ waitUntil: 'load' }),
    evaluate: async (fn, ...args) => fromPage(await page.evaluate(pageScript(fn as never, args))),
    evaluateInAgentFrame: async (fn, ...args) => fromPage(await agentFrame(page).evaluate(pageScript(fn as never, args))),
    hover: (x, y) => page.mouse.move(x, y),
    click: (x, y) => page.mouse.click(x, y),
    press: (key) => press(key),
    type: (text) => page.keyboard.type(text),
  }
}
