import { test, expect, expectIdle, agent, agentEvents, agentFrameOf, mockCall, mountAgent, signInQuietly, watchErrors, watchPlugin, type MockFrameState } from './fixtures.js'
import { call, closeButton, focused, isOpenInTopLayer, launcher, mountLauncher, panel, settled } from './launcher-helpers.js'

const openClose = async (page: Parameters<typeof agentEvents>[0]) =>
  ((await agentEvents(page)) as unknown as { type: string; open: boolean; bubbles: boolean; composed: boolean; typed: boolean }[])
    .filter((e) => e.type === 'chatzy-open' || e.type === 'chatzy-close')
    .map((e) => {
      // Event subclasses (Class.type is the name), bubbling and composed like the element's other events.
      expect([e.bubbles, e.composed, e.typed]).toEqual([true, true, true])
      return { type: e.type, open: e.open }
    })

test('open, show(), hide(), toggle(): every change fires chatzy-open or chatzy-close, reflected as the open attribute', async ({ page, demo }) => {
  const errors = watchErrors(page)
  await signInQuietly(page, demo)
  await mountLauncher(page, demo)
  await call(page, 'show')
  await expect(agent(page)).toHaveAttribute('open', '')
  await expect(panel(page)).toBeVisible()
  expect(await focused(page)).toBe('part=close')
  await call(page, 'show')
  await call(page, 'toggle')
  await expect(agent(page)).not.toHaveAttribute('open')
  await expect(panel(page)).toBeHidden()
  await call(page, 'toggle')
  await agent(page).evaluate((el) => el.removeAttribute('open'))
  await agent(page).evaluate((el) => ((el as HTMLElement & { open: boolean }).open = true))
  await call(page, 'hide')
  await expect(agent(page)).not.toHaveAttribute('open')
  expect(await openClose(page)).toEqual([
    { type: 'chatzy-open', open: true },
    { type: 'chatzy-close', open: false },
    { type: 'chatzy-open', open: true },
    { type: 'chatzy-close', open: false },
    { type: 'chatzy-open', open: true },
    { type: 'chatzy-close', open: false },
  ])
  expect(errors).toEqual([])
})

test('a real button named by title, with aria-expanded and aria-controls; slotted text names it instead', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { attributes: { title: 'Shop assistant' } })
  const button = page.getByRole('button', { name: 'Shop assistant' })
  await expect(button).toHaveAttribute('aria-expanded', 'false')
  await button.click()
  await expect(button).toHaveAttribute('aria-expanded', 'true')
  const dialog = page.getByRole('dialog', { name: 'Shop assistant' })
  await expect(dialog).toBeVisible()
  expect(await button.getAttribute('aria-controls')).toBe(await panel(page).getAttribute('id'))
  expect(await dialog.getAttribute('aria-modal')).toBeNull()
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeVisible()

  await agent(page).evaluate((el) => el.insertAdjacentHTML('beforeend', '<span slot="launcher">Ask us</span>'))
  await expect(page.getByRole('button', { name: 'Ask us', exact: true })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Shop assistant' })).toHaveCount(0)
})

test('keyboard only: open, use, close, reopen; focus moves in and back, Escape closes, no trap, the conversation stays', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { after: '<a href="#after">a link after</a>' })
  await page.keyboard.press('Tab')
  expect(await focused(page)).toBe('part=launcher')
  await page.keyboard.press('Enter')
  await expect(agent(page)).toHaveAttribute('open', '')
  expect(await focused(page)).toBe('part=close')
  await expect(agent(page)).toHaveAttribute('status', 'ready')

  // Into the conversation: the mock's message box is the first stop inside the iframe.
  await page.keyboard.press('Tab')
  const frame = await agentFrameOf(page)
  await expect(frame.locator('#text')).toBeFocused()
  await page.keyboard.type('hello')
  await page.keyboard.press('Enter')
  await expect.poll(async () => ((await mockCall(frame, 'state')) as MockFrameState).messages.map((m) => m.text)).toContain('You said: hello')

  // Back out to the panel's header, and Escape there closes it and returns focus to the launcher.
  await page.keyboard.press('Shift+Tab')
  expect(await focused(page)).toBe('part=close')
  await page.keyboard.press('Escape')
  await expect(agent(page)).not.toHaveAttribute('open')
  expect(await focused(page)).toBe('part=launcher')

  // Reopen: the same iframe, the conversation still there; the close button works from the keyboard too.
  await page.keyboard.press('Space')
  await expect(agent(page)).toHaveAttribute('open', '')
  expect(((await mockCall(await agentFrameOf(page), 'state')) as MockFrameState).messages.map((m) => m.text)).toContain('You said: hello')
  await page.keyboard.press('Enter')
  await expect(agent(page)).not.toHaveAttribute('open')
  expect(await focused(page)).toBe('part=launcher')

  // No trap: Tab goes on to the page after the launcher.
  await page.keyboard.press('Tab')
  await expect(page.getByRole('link', { name: 'a link after' })).toBeFocused()
  expect(plugin.count('POST /session')).toBe(1)
  expect(errors).toEqual([])
})

test('closing with focus outside the panel leaves focus where it is; opening by property takes no focus', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { before: '<input aria-label="search">' })
  await page.getByRole('textbox', { name: 'search' }).focus()
  await agent(page).evaluate((el) => ((el as HTMLElement & { open: boolean }).open = true))
  await expect(panel(page)).toBeVisible()
  await expect(page.getByRole('textbox', { name: 'search' })).toBeFocused()
  await call(page, 'hide')
  await expect(page.getByRole('textbox', { name: 'search' })).toBeFocused()
})

test('the panel is in the top layer: above an element with z-index 2147483647', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, {
    before: '<div id="banner" style="position: fixed; inset: 0; z-index: 2147483647; background: rgb(200, 0, 0)">cookie banner</div>',
  })
  await call(page, 'show')
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
  expect(await isOpenInTopLayer(page)).toBe(true)
  const box = (await panel(page).boundingBox())!
  const onTop = await page.evaluate(({ x, y }) => {
    const hit = document.elementFromPoint(x, y)
    return hit?.tagName.toLowerCase() === 'chatzy-agent'
  }, { x: box.x + box.width / 2, y: box.y + box.height / 2 })
  expect(onTop).toBe(true)
  await closeButton(page).click()
  await expect(agent(page)).not.toHaveAttribute('open')
})

test('kept per tab across page loads: a reload keeps the panel open (without taking focus), a closed one stays closed', async ({ page, demo }) => {
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountLauncher(page, demo)
  await launcher(page).click()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await page.reload()
  await expect(agent(page)).toHaveAttribute('open', '')
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
  expect(await focused(page)).toBe('body')
  expect(await openClose(page)).toEqual([{ type: 'chatzy-open', open: true }])

  await call(page, 'hide')
  await page.reload()
  await expect(launcher(page)).toBeVisible()
  await page.waitForTimeout(500)
  await expect(agent(page)).not.toHaveAttribute('open')
  await expectIdle(agent(page))
  expect(plugin.count('POST /session')).toBe(2)

  // Another chatbot on the same tab has its own state.
  const other = await page.evaluate(() => sessionStorage.length)
  expect(other).toBe(1)
})

test('an open attribute in the markup starts it open; hide() closes it', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { attributes: { open: '' } })
  await expect(panel(page)).toBeVisible()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  expect(await openClose(page)).toEqual([{ type: 'chatzy-open', open: true }])
  await call(page, 'hide')
  await expect(panel(page)).toBeHidden()
})

test('position and CSS custom properties place and size the launcher and panel', async ({ page, demo }) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, {
    attributes: {
      position: 'bottom-left',
      style: '--chatzy-agent-offset: 32px; --chatzy-agent-panel-width: 360px; --chatzy-agent-panel-height: 2000px; --chatzy-agent-accent: rgb(0, 128, 0)',
    },
  })
  const button = (await launcher(page).boundingBox())!
  expect(button.x).toBe(32)
  expect(button.y + button.height).toBe(800 - 32)
  await expect(launcher(page)).toHaveCSS('background-color', 'rgb(0, 128, 0)')
  await call(page, 'show')
  await expect(panel(page)).toBeVisible()
  await settled(page)
  const box = (await panel(page).boundingBox())!
  expect(box.x).toBe(32)
  expect(box.width).toBe(360)
  expect(box.y).toBeGreaterThanOrEqual(0)
  expect(box.y + box.height).toBeLessThanOrEqual(button.y)

  await agent(page).evaluate((el) => el.setAttribute('position', 'bottom-right'))
  await expect.poll(async () => (await launcher(page).boundingBox())!.x + button.width).toBe(1280 - 32)
})

test('motion only without prefers-reduced-motion', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await page.emulateMedia({ reducedMotion: 'reduce' })
  await mountLauncher(page, demo)
  await expect(panel(page)).toHaveCSS('transition-duration', '0s')
  await page.emulateMedia({ reducedMotion: 'no-preference' })
  await expect(panel(page)).not.toHaveCSS('transition-duration', '0s')
})

test('hidden hides the launcher and an open panel; moved within the page (an SPA re-render), it comes back open', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { after: '<div id="elsewhere"></div>' })
  await call(page, 'show')
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await agent(page).evaluate((el) => el.toggleAttribute('hidden', true))
  await expect(launcher(page)).toBeHidden()
  await expect(page.locator('chatzy-agent iframe')).toBeHidden()
  await agent(page).evaluate((el) => el.toggleAttribute('hidden', false))
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()

  await agent(page).evaluate((el) => document.querySelector('#elsewhere')!.append(el))
  await expect(agent(page)).toHaveAttribute('open', '')
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
  expect(await isOpenInTopLayer(page)).toBe(true)
  expect(await openClose(page)).toEqual([{ type: 'chatzy-open', open: true }])
})

test('show() on an open panel moves focus into it once: a later token refresh leaves the focus where the user put it', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo, { before: '<input aria-label="search">' })
  const search = page.getByRole('textbox', { name: 'search' })
  await call(page, 'show')
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await search.focus()
  await call(page, 'show')
  expect(await focused(page)).toBe('part=close')
  await search.focus()
  await agent(page).evaluate((el) => (el as HTMLElement & { refresh(): Promise<void> }).refresh())
  await expect.poll(async () => (await agentEvents(page)).filter((e) => e.type === 'chatzy-token-refreshed')).toHaveLength(1)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect(search).toBeFocused()
})

test('Escape on the host\'s own content slotted into the panel (a button in the error slot) closes it and returns focus to the launcher', async ({ page, demo }) => {
  await mountLauncher(page, demo) // nobody signed in: the panel shows the error slot
  await agent(page).evaluate((el) => el.insertAdjacentHTML('beforeend', '<div slot="error"><p>Sign in to chat with us.</p><button>Sign in</button></div>'))
  await launcher(page).click()
  await expect(agent(page)).toHaveAttribute('status', 'error')
  const signIn = page.getByRole('button', { name: 'Sign in' })
  await signIn.focus()
  await page.keyboard.press('Escape')
  await expect(panel(page)).toBeHidden()
  expect(await focused(page)).toBe('part=launcher')
})

test('without custom element states (Safari before 17.4, Firefox before 126) inline mode still loads with no launcher, and launcher mode still works', async ({ page, demo }) => {
  const errors = watchErrors(page)
  await page.addInitScript(() => {
    delete (ElementInternals.prototype as { states?: unknown }).states
    delete (globalThis as { CustomStateSet?: unknown }).CustomStateSet
  })
  await signInQuietly(page, demo)
  await mountAgent(page, demo)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await expect(page.locator('chatzy-agent iframe')).toBeVisible()
  await expect(launcher(page)).toBeHidden()
  await expect(closeButton(page)).toBeHidden()

  await agent(page).evaluate((el) => el.setAttribute('mode', 'launcher'))
  await expect(launcher(page)).toBeVisible()
  await launcher(page).click()
  await expect(panel(page)).toBeVisible()
  await expect(closeButton(page)).toBeVisible()
  await agent(page).evaluate((el) => el.setAttribute('position', 'bottom-left'))
  await expect.poll(async () => (await launcher(page).boundingBox())!.x).toBe(20)
  expect(errors).toEqual([])
})
