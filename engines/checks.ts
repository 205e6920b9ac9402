import assert from 'node:assert/strict'
import type { Context, ContextOptions, Page } from './driver.js'
import type { Site } from './site.js'
import {
  box, call, clickPart, eventually, events, focused, frameCall, frameState, hasStatus, hoverPart, isOpen,
  mount, mountLauncher, pageErrors, pause, settled, signIn, status, visible, type Box,
} from './agent.js'

export interface CheckContext {
  site: Site
  page: Page
  context: Context
  /** Another fresh profile (its own cookies and storage), with other options. */
  newContext(options?: ContextOptions): Promise<Context>
}

export interface Check {
  name: string
  /** The first context's options. */
  options?: ContextOptions
  run(t: CheckContext): Promise<void>
}

const noErrors = async (page: Page) => assert.deepEqual(await pageErrors(page), [])
const messages = async (page: Page) => (await frameState(page)).messages.map((line) => line.text)

/** The element's core behaviours, as a user notices them; each engine runs every one. */
export const CHECKS: Check[] = [
  {
    name: 'inline: signed in, the element loads the iframe with its token and fires chatzy-ready',
    async run({ site, page }) {
      await signIn(page, site)
      await mount(page, site, { attributes: { loading: 'eager' } })
      await hasStatus(page, 'ready')
      assert.ok(await visible(page, 'iframe'))
      const state = await frameState(page)
      assert.deepEqual([state.user, state.valid], ['alice', true])
      assert.deepEqual((await events(page)).filter((e) => e.type === 'chatzy-ready').map((e) => e.userId), ['alice'])
      assert.equal(site.count('POST /session'), 1)
      await noErrors(page)
    },
  },
  {
    name: "inline: the iframe's [TOKEN_REFRESH] is answered with a new token, without a reload",
    async run({ site, page }) {
      await signIn(page, site)
      await mount(page, site, { attributes: { loading: 'eager' } })
      await hasStatus(page, 'ready')
      const before = await frameState(page)
      const src = await page.evaluate(() => document.querySelector('chatzy-agent')!.shadowRoot!.querySelector('iframe')!.src)
      await frameCall(page, 'ask')
      await eventually(async () => assert.equal((await frameState(page)).refreshes, 1))
      const after = await frameState(page)
      assert.equal(after.valid, true)
      assert.equal(after.loadId, before.loadId)
      assert.equal(await page.evaluate(() => document.querySelector('chatzy-agent')!.shadowRoot!.querySelector('iframe')!.src), src)
      assert.equal(site.count('POST /refresh'), 1)
      assert.equal((await events(page)).filter((e) => e.type === 'chatzy-token-refreshed').length, 1)
      await noErrors(page)
    },
  },
  {
    name: 'inline: nudge(text) reaches the iframe',
    async run({ site, page }) {
      await signIn(page, site)
      await mount(page, site, { attributes: { loading: 'eager' } })
      await hasStatus(page, 'ready')
      await call(page, 'nudge', 'Need a hand with sizes?')
      await eventually(async () => assert.ok((await frameState(page)).messages.some((m) => m.kind === 'nudge' && m.text === 'Need a hand with sizes?')))
    },
  },
  {
    name: 'inline, lazy: no token request and no iframe until the element nears the viewport',
    async run({ site, page }) {
      await signIn(page, site)
      await mount(page, site, { before: '<div style="height: 5000px">long page</div>' })
      await pause(1_000)
      assert.equal(await status(page), 'idle')
      assert.equal(site.count('POST /session'), 0)
      assert.equal(await box(page, 'iframe'), null)
      await page.evaluate(() => document.querySelector('chatzy-agent')!.scrollIntoView())
      await hasStatus(page, 'ready')
      assert.equal(site.count('POST /session'), 1)
      assert.ok(await visible(page, 'iframe'))
    },
  },
  {
    name: 'inline: signOut() in one tab signs the agent out in the other tabs too',
    async run({ site, page, context }) {
      await signIn(page, site)
      await mount(page, site, { attributes: { loading: 'eager' } })
      const other = await context.newPage()
      await mount(other, site, { attributes: { loading: 'eager' } })
      await hasStatus(page, 'ready')
      await hasStatus(other, 'ready')
      await call(page, 'signOut')
      await hasStatus(page, 'idle')
      assert.equal(await box(page, 'iframe'), null)
      await hasStatus(other, 'error')
      assert.equal(await box(other, 'iframe'), null)
      assert.deepEqual((await events(other)).filter((e) => e.type === 'chatzy-error').map((e) => [e.code, e.retryable]), [['unauthenticated', false]])
      await eventually(async () => assert.equal(site.count('DELETE /session'), 1))
      await noErrors(page)
      await noErrors(other)
    },
  },
  {
    name: 'inline: a failure shows its reason and a Retry that recovers',
    async run({ site, page }) {
      await signIn(page, site)
      site.demo.mock!.faults.inject({ fault: 'status-500', endpoints: ['mint'] })
      await mount(page, site, { attributes: { loading: 'eager' } })
      await hasStatus(page, 'error', 30_000)
      const notice = () => page.evaluate(() => {
        const alert = document.querySelector('chatzy-agent')!.shadowRoot!.querySelector('[role=alert]')!
        return alert.checkVisibility() ? alert.textContent : null
      })
      assert.match((await notice()) ?? '', /not available/)
      assert.deepEqual((await events(page)).filter((e) => e.type === 'chatzy-error').map((e) => [e.code, e.retryable]), [['server', true]])
      site.demo.mock!.faults.clear()
      await clickPart(page, '[role=alert] button')
      await hasStatus(page, 'ready')
      assert.ok(await visible(page, 'iframe'))
      assert.equal(await notice(), null)
      await noErrors(page)
    },
  },
  {
    name: 'launcher: nothing before intent (the page loads the element file and nothing else)',
    async run({ site, page }) {
      await signIn(page, site)
      const from = await mountLauncher(page, site)
      await eventually(async () => assert.ok(await visible(page, '[part=launcher]')))
      const chatzyBefore = site.chatzyRequests.length
      await pause(1_000)
      assert.deepEqual(site.requests.slice(from), ['GET /engines-agent', 'GET /assets/chatzy-agent.js'])
      assert.deepEqual(site.chatzyRequests.slice(chatzyBefore), [])
      assert.equal(site.chatzyRequests.length, 0)
      assert.equal(await box(page, 'iframe'), null)
      assert.equal(await page.evaluate(() => document.querySelectorAll('link[rel=preconnect]').length), 0)
      assert.equal(await status(page), 'idle')
      await noErrors(page)
    },
  },
  {
    name: 'launcher: a hover warms up (preconnect, session, hidden iframe); opening shows that same iframe',
    async run({ site, page }) {
      await signIn(page, site)
      await mountLauncher(page, site)
      await hoverPart(page, '[part=launcher]')
      await hasStatus(page, 'ready')
      assert.equal(await page.evaluate(() => document.querySelector('link[rel=preconnect]')?.getAttribute('href')), new URL(site.demo.mockUrl!).origin)
      assert.equal(site.count('POST /session'), 1)
      assert.equal(await isOpen(page), false)
      assert.equal(await visible(page, 'iframe'), false)
      const { loadId } = await frameState(page)
      await clickPart(page, '[part=launcher]')
      await eventually(async () => assert.ok(await visible(page, 'iframe')))
      assert.equal((await frameState(page)).loadId, loadId)
      assert.equal(site.count('POST /session'), 1)
      await noErrors(page)
    },
  },
  {
    name: 'launcher: the open panel is in the top layer, above any z-index',
    async run({ site, page }) {
      await signIn(page, site)
      await mountLauncher(page, site, {
        before: '<div id="banner" style="position: fixed; inset: 0; z-index: 2147483647; background: rgb(200, 0, 0)">cookie banner</div>',
      })
      await call(page, 'show')
      await eventually(async () => assert.ok(await visible(page, 'iframe')))
      await settled(page)
      const panel = (await box(page, '[part=panel]'))!
      const hit = await page.evaluate((x, y) => document.elementFromPoint(x, y)?.tagName.toLowerCase(), panel.x + panel.width / 2, panel.y + panel.height / 2)
      assert.equal(hit, 'chatzy-agent')
      assert.equal(await page.evaluate(() => document.querySelector('chatzy-agent')!.shadowRoot!.querySelector('[part=panel]')!.matches(':popover-open')), true)
    },
  },
  {
    name: 'launcher: a click opens with focus in the panel; Escape closes it and focus returns to the launcher',
    async run({ site, page }) {
      await signIn(page, site)
      await mountLauncher(page, site)
      await clickPart(page, '[part=launcher]')
      await eventually(async () => assert.equal(await isOpen(page), true))
      await eventually(async () => assert.equal(await focused(page), 'part=close'))
      await hasStatus(page, 'ready')
      await page.press('Escape')
      await eventually(async () => assert.equal(await isOpen(page), false))
      assert.equal(await focused(page), 'part=launcher')
      // Gone once its exit has played.
      await eventually(async () => assert.equal(await visible(page, '[part=panel]'), false))
      await noErrors(page)
    },
  },
  {
    name: 'launcher: keyboard only — open, chat, close with Escape, reopen; focus moves in and back; no trap',
    async run({ site, page }) {
      await signIn(page, site)
      await mountLauncher(page, site, { after: '<a href="#after">a link after</a>' })
      await eventually(async () => assert.ok(await visible(page, '[part=launcher]')))
      await page.press('Tab')
      await eventually(async () => assert.equal(await focused(page), 'part=launcher'))
      await page.press('Enter')
      await eventually(async () => assert.equal(await isOpen(page), true))
      assert.equal(await focused(page), 'part=close')
      await hasStatus(page, 'ready')

      await page.press('Tab')
      await eventually(async () => assert.equal(await page.evaluateInAgentFrame(() => document.activeElement?.id), 'text'))
      await page.type('hello', { inAgentFrame: true })
      await page.press('Enter', { inAgentFrame: true })
      await eventually(async () => assert.ok((await messages(page)).includes('You said: hello')))

      await page.press('Shift+Tab', { inAgentFrame: true })
      await eventually(async () => assert.equal(await focused(page), 'part=close'))
      await page.press('Escape')
      await eventually(async () => assert.equal(await isOpen(page), false))
      assert.equal(await focused(page), 'part=launcher')

      await page.press('Space')
      await eventually(async () => assert.equal(await isOpen(page), true))
      assert.ok((await messages(page)).includes('You said: hello'))
      await page.press('Enter')
      await eventually(async () => assert.equal(await isOpen(page), false))
      assert.equal(await focused(page), 'part=launcher')
      await page.press('Tab')
      await eventually(async () => assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'a link after'))
      assert.equal(site.count('POST /session'), 1)
      await noErrors(page)
    },
  },
  {
    name: 'launcher: the open state is kept across the pages of a tab, without taking focus; closed stays closed',
    async run({ site, page }) {
      await signIn(page, site)
      await mountLauncher(page, site)
      await clickPart(page, '[part=launcher]')
      await hasStatus(page, 'ready')
      await page.reload()
      await eventually(async () => assert.equal(await isOpen(page), true))
      await hasStatus(page, 'ready')
      assert.ok(await visible(page, 'iframe'))
      assert.equal(await focused(page), 'body')
      assert.deepEqual((await events(page)).filter((e) => e.type === 'chatzy-open' || e.type === 'chatzy-close').map((e) => e.type), ['chatzy-open'])

      await call(page, 'hide')
      await page.reload()
      await eventually(async () => assert.ok(await visible(page, '[part=launcher]')))
      await pause(500)
      assert.equal(await isOpen(page), false)
      assert.equal(await status(page), 'idle')
      assert.equal(site.count('POST /session'), 2)
    },
  },
  {
    name: 'launcher: a panel restored open on page load appears in its corner at its size (it does not fly in from elsewhere)',
    async run({ site, page }) {
      await signIn(page, site)
      // Every frame from the first one: where the panel is, while it is open.
      const recorder = `<script>
        window.panelFrames = []
        const started = performance.now()
        const sample = () => {
          const panel = document.querySelector('chatzy-agent')?.shadowRoot?.querySelector('[part=panel]')
          if (panel?.matches(':popover-open')) {
            const { x, y, width, height } = panel.getBoundingClientRect()
            panelFrames.push({ x, y, width, height })
          }
          if (performance.now() - started < 1500) requestAnimationFrame(sample)
        }
        requestAnimationFrame(sample)
      </script>`
      await mountLauncher(page, site, { before: recorder })
      await clickPart(page, '[part=launcher]')
      await hasStatus(page, 'ready')
      await page.reload()
      await eventually(async () => assert.equal(await isOpen(page), true))
      await pause(1_600)
      await settled(page)
      const frames = await page.evaluate(() => (window as unknown as { panelFrames: Box[] }).panelFrames)
      const final = (await box(page, '[part=panel]'))!
      assert.ok(frames.length > 0, 'the panel was never seen open')
      // Its entrance may fade and rise a little (translate: 0 16px); its place and size never move.
      const moved = frames.filter((frame) => Math.abs(frame.x - final.x) > 1 || Math.abs(frame.width - final.width) > 1
        || Math.abs(frame.height - final.height) > 1 || Math.abs(frame.y - final.y) > 17)
      assert.deepEqual(moved, [], `the panel settles at ${JSON.stringify(final)}`)
    },
  },
  {
    name: 'launcher: nudge(text) while closed shows the teaser; clicking it opens the panel, and the text reaches the iframe',
    async run({ site, page }) {
      await signIn(page, site)
      await mountLauncher(page, site)
      await call(page, 'nudge', 'Free returns this week')
      await eventually(async () => assert.ok(await visible(page, '[part=teaser]')))
      assert.equal(await page.evaluate(() => document.querySelector('chatzy-agent')!.shadowRoot!.querySelector('[part=teaser] button')!.textContent), 'Free returns this week')
      await clickPart(page, '[part=teaser] button')
      await eventually(async () => assert.equal(await isOpen(page), true))
      assert.equal(await visible(page, '[part=teaser]'), false)
      await eventually(async () => assert.ok((await frameState(page)).messages.some((m) => m.kind === 'nudge' && m.text === 'Free returns this week')))
      await noErrors(page)
    },
  },
  {
    name: 'launcher on a phone: the open panel fills the viewport and the page behind does not scroll',
    options: { viewport: { width: 390, height: 844 } },
    async run({ site, page }) {
      await signIn(page, site)
      await mountLauncher(page, site, { before: '<div style="height: 4000px">long page</div>' })
      const [width, height] = await page.evaluate(() => [innerWidth, innerHeight])
      assert.ok(width! <= 480, `a phone-wide viewport, not ${width}`)
      await page.evaluate(() => scrollTo(0, 200))
      await eventually(async () => assert.equal(await page.evaluate(() => scrollY), 200))
      await clickPart(page, '[part=launcher]')
      await hasStatus(page, 'ready')
      await settled(page)
      const panel = (await box(page, '[part=panel]'))!
      assert.deepEqual([panel.x, panel.y, panel.width, panel.height].map(Math.round), [0, 0, width, height])
      assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).overflow), 'hidden')
      await page.press('PageDown')
      await page.press('PageDown')
      await pause(300)
      assert.equal(await page.evaluate(() => scrollY), 200)

      await clickPart(page, '[part=close]')
      await eventually(async () => assert.equal(await isOpen(page), false))
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.documentElement).overflow), 'hidden')
      assert.equal(await page.evaluate(() => scrollY), 200)
    },
  },
  {
    name: 'launcher: motion only without prefers-reduced-motion',
    async run({ site, page, newContext }) {
      const transition = (page: Page) => page.evaluate(() => {
        const panel = document.querySelector('chatzy-agent')!.shadowRoot!.querySelector('[part=panel]')!
        return getComputedStyle(panel).transitionDuration.split(',').map((value) => value.trim())
      })
      await mountLauncher(page, site)
      await eventually(async () => assert.ok(await visible(page, '[part=launcher]')))
      assert.ok((await transition(page)).some((duration) => duration !== '0s'), 'the panel moves for a user who has not asked otherwise')

      const reduced = await (await newContext({ reducedMotion: true })).newPage()
      await mountLauncher(reduced, site)
      await eventually(async () => assert.ok(await visible(reduced, '[part=launcher]')))
      assert.equal(await reduced.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches), true)
      assert.deepEqual([...new Set(await transition(reduced))], ['0s'])
      await call(reduced, 'show')
      await eventually(async () => assert.equal(await isOpen(reduced), true))
      assert.equal(await reduced.evaluate(() => document.querySelector('chatzy-agent')!.shadowRoot!.querySelector('[part=panel]')!.getAnimations().length), 0)
    },
  },
]
