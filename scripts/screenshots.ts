import { mkdir, stat, writeFile } from 'node:fs/promises'
import { chromium, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { startDemo } from '../demo/server.js'
import { chromiumLaunchOptions } from '../test/chromium.js'

/*
 * `npm run screenshots`: the README's pictures, made from the demo (the host app and its mock
 * Chatzy) in headless Chromium, so that they can be made again whenever the look changes.
 * Written to docs/images/ as WebP at quality 75: a few tens of kilobytes each.
 */

const OUT = new URL('../docs/images/', import.meta.url)
const QUALITY = 75
const DESKTOP: BrowserContextOptions = { viewport: { width: 1024, height: 640 }, deviceScaleFactor: 1 }
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true }

const demo = await startDemo({ port: 0, mockPort: 0 })
const browser = await chromium.launch(chromiumLaunchOptions())
const written: string[] = []
try {
  await mkdir(OUT, { recursive: true })

  // alice on the inline page, then on a phone: the conversation carries over, as it does.
  const desktop = await signedIn(DESKTOP, 'alice')
  const inline = await desktop.newPage()
  await inline.goto(`${demo.hostUrl}/`)
  await ready(inline)
  await inline.getByRole('button', { name: 'Nudge' }).click()
  await converse(inline, 'Which tea goes with breakfast?')
  await shoot(inline, 'inline')
  await desktop.close()

  // bob in the shop, from a fresh conversation.
  const shop = await signedIn(DESKTOP, 'bob')
  const page = await shop.newPage()
  await page.goto(`${demo.hostUrl}/shop`)
  const agent = page.locator('chatzy-agent')
  await agent.locator('[part=launcher]').waitFor()
  await agent.evaluate((element) => (element as HTMLElement & { nudge(text: string): void }).nudge('Hi! Looking for a tea to start with?'))
  await agent.locator('[part=teaser]').waitFor()
  await page.mouse.move(0, 0)
  await shoot(page, 'launcher-teaser')

  await agent.locator('[part=launcher]').click()
  await ready(page)
  await converse(page, 'Is the kyusu teapot good for sencha?')
  await shoot(page, 'launcher-open')
  await shop.close()

  const phone = await signedIn(PHONE, 'alice')
  const phonePage = await phone.newPage()
  await phonePage.goto(`${demo.hostUrl}/shop`)
  await phonePage.locator('chatzy-agent [part=launcher]').tap()
  await ready(phonePage)
  await phonePage.frameLocator('chatzy-agent iframe').getByText('You said: Which tea goes with breakfast?').waitFor()
  await shoot(phonePage, 'launcher-phone')
  await phone.close()
} finally {
  await browser.close()
  await demo.close()
}
let total = 0
for (const name of written) {
  const { size } = await stat(new URL(name, OUT))
  total += size
  console.log(`docs/images/${name}  ${(size / 1024).toFixed(1)} KiB`)
}
console.log(`total  ${(total / 1024).toFixed(1)} KiB`)

/** A context signed in as one of the demo's users, with the host's own sign-in; no motion to catch mid-way. */
async function signedIn(options: BrowserContextOptions, user: 'alice' | 'bob'): Promise<BrowserContext> {
  const context = await browser.newContext({ ...options, reducedMotion: 'reduce' })
  const response = await context.request.post(`${demo.hostUrl}/signin`, { form: { user }, maxRedirects: 0 })
  if (response.status() !== 303) throw new Error(`the demo's sign-in answered ${response.status()}`)
  return context
}

async function ready(page: Page): Promise<void> {
  await page.locator('chatzy-agent[status="ready"]').waitFor({ state: 'attached', timeout: 30_000 })
}

/** A question typed in the (mock) Chatzy iframe, and its answer shown. */
async function converse(page: Page, question: string): Promise<void> {
  const frame = page.frameLocator('chatzy-agent iframe')
  await frame.getByLabel('Message').fill(question)
  await frame.getByRole('button', { name: 'Send' }).click()
  await frame.getByText(`You said: ${question}`).waitFor()
}

/** The viewport as WebP (Chromium's own encoder, over CDP: Playwright's API has PNG and JPEG only). */
async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((resolve) => requestAnimationFrame(resolve))))
  const cdp = await page.context().newCDPSession(page)
  const { data } = await cdp.send('Page.captureScreenshot', { format: 'webp', quality: QUALITY })
  await cdp.detach()
  const file = `${name}.webp`
  await writeFile(new URL(file, OUT), Buffer.from(data, 'base64'))
  written.push(file)
}
