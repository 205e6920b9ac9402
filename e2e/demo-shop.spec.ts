import type { Page } from '@playwright/test'
import { test, expect, agentFrame, signInQuietly, watchErrors, watchPlugin } from './fixtures.js'
import { expectNoAxeViolations, expectNoSidewaysScroll, layoutShifts, watchLayoutShifts } from './demo-checks.js'

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1280, height: 800 }

const launcher = (page: Page) => page.getByRole('button', { name: 'Ask us' })
const panel = (page: Page) => page.getByRole('dialog', { name: 'Chat with Teapot & Co' })
const agent = (page: Page) => page.locator('chatzy-agent')

for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
  test(`shop pages pass axe at ${name} width, with the launcher closed and open; nothing shifts, nothing scrolls sideways`, async ({ page, demo }) => {
    const errors = watchErrors(page)
    await page.setViewportSize(viewport)
    await watchLayoutShifts(page)
    await signInQuietly(page, demo)
    await page.goto(`${demo.hostUrl}/shop`)
    await expect(launcher(page)).toBeVisible()
    await expectNoAxeViolations(page)
    await expectNoSidewaysScroll(page)
    expect(await layoutShifts(page)).toEqual([])

    await launcher(page).click()
    await expect(panel(page)).toBeVisible()
    await expect(agent(page)).toHaveAttribute('status', 'ready')
    await expectNoAxeViolations(page)

    for (const path of ['/shop/product/sencha', '/shop/cart']) {
      await page.goto(`${demo.hostUrl}${path}`)
      await expect(agent(page)).toHaveAttribute('status', 'ready')
      await expectNoAxeViolations(page)
      await panel(page).getByRole('button', { name: 'Close' }).press('Escape')
      await expect(panel(page)).toBeHidden()
      await expectNoAxeViolations(page)
      await expectNoSidewaysScroll(page)
      await launcher(page).click()
      await expect(panel(page)).toBeVisible()
    }
    expect(errors).toEqual([])
  })
}

test('walking through the shop with the chat open keeps it open and keeps the conversation: one session, one mint', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await page.goto(`${demo.hostUrl}/shop`)
  // Nothing before intent: a shop page costs Chatzy nothing until the user reaches for the chat.
  await expect(launcher(page)).toBeVisible()
  expect(plugin.length).toBe(0)

  await launcher(page).click()
  await expect(panel(page)).toBeVisible()
  await agentFrame(page).getByLabel('Message').fill('Do you ship to Norway?')
  await agentFrame(page).getByRole('button', { name: 'Send' }).click()
  await expect(agentFrame(page).getByText('You said: Do you ship to Norway?')).toBeVisible()

  await page.getByRole('link', { name: 'Kyusu teapot' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Kyusu teapot')
  // Open from the first paint, without taking focus from the page.
  await expect(agent(page)).toHaveAttribute('open', '')
  await expect(panel(page)).toBeVisible()
  await expect(agentFrame(page).getByText('You said: Do you ship to Norway?')).toBeVisible()
  expect(await page.evaluate(() => document.activeElement?.localName)).toBe('body')

  await page.getByRole('button', { name: 'Add to cart' }).click()
  await expect(page).toHaveURL(`${demo.hostUrl}/shop/cart`)
  await expect(page.getByRole('cell', { name: 'Kyusu teapot', exact: true })).toBeVisible()
  await expect(panel(page)).toBeVisible()
  await expect(agentFrame(page).getByText('You said: Do you ship to Norway?')).toBeVisible()
  await expect(agentFrame(page).locator('#user')).toHaveText('alice')

  // Closed here, closed on the next page.
  await panel(page).getByRole('button', { name: 'Close' }).click()
  await expect(panel(page)).toBeHidden()
  await page.getByRole('link', { name: 'All products' }).click()
  await expect(page).toHaveURL(`${demo.hostUrl}/shop`)
  await expect(launcher(page)).toBeVisible()
  await expect(panel(page)).toBeHidden()
  await expect(agent(page)).not.toHaveAttribute('open')

  // The same session all along: Chatzy minted one token for the walk.
  expect(demo.mock!.calls.mint).toBe(1)
  expect(errors).toEqual([])
})

test('"Ask about this product" opens the panel and hands the question to the agent', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await page.goto(`${demo.hostUrl}/shop/product/matcha-whisk`)
  await page.getByRole('button', { name: 'Ask about this product' }).click()
  await expect(panel(page)).toBeVisible()
  await expect(agentFrame(page).getByText('I have a question about the Matcha whisk.')).toBeVisible()
})

test('a shop page asks a signed-out visitor to sign in first, then comes back to it', async ({ page, demo }) => {
  await page.goto(`${demo.hostUrl}/shop/cart`)
  await page.getByRole('button', { name: 'Sign in as bob' }).click()
  await expect(page).toHaveURL(`${demo.hostUrl}/shop/cart`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your cart')
  await expect(page.locator('#who')).toHaveText('bob')
  await expect(launcher(page)).toBeVisible()
})

test('sign-in sends nowhere but to a page of this site', async ({ page, demo }) => {
  for (const next of ['//example.com/', 'https://example.com/', '/\\example.com']) {
    const response = await page.request.post(`${demo.hostUrl}/signin`, { form: { user: 'alice', next }, maxRedirects: 0 })
    expect(response.headers().location).toBe('/')
  }
})

/** What has focus, through shadow roots and into the iframe: "launcher", "close", "message" or a tag name. */
async function focusedThing(page: Page): Promise<string> {
  const outer = await page.evaluate(() => {
    let element = document.activeElement
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement
    if (element?.localName === 'iframe') return 'iframe'
    return element?.getAttribute('part') ?? element?.localName ?? 'none'
  })
  if (outer !== 'iframe') return outer
  return agentFrame(page).locator(':focus').evaluate((element) => element.getAttribute('aria-label')?.toLowerCase() ?? element.localName)
}

async function tabTo(page: Page, target: string, key = 'Tab') {
  const seen: string[] = []
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press(key)
    seen.push(await focusedThing(page))
    if (seen.at(-1) === target) return
  }
  throw new Error(`${key} never reached ${target}: ${seen.join(' ')}`)
}

for (const [name, device] of [['a 390×844 touch phone', { viewport: PHONE, hasTouch: true, isMobile: true }], ['a desktop', { viewport: DESKTOP }]] as const) {
  test.describe(() => {
    test.use(device)
    test(`on ${name}, the keyboard alone opens the chat, sends a message, closes it and reopens it to the same conversation`, async ({ page, demo }) => {
      await signInQuietly(page, demo)
      await page.goto(`${demo.hostUrl}/shop/product/sencha`)
      await tabTo(page, 'launcher')
      await page.keyboard.press('Enter')
      await expect(panel(page)).toBeVisible()
      expect(await focusedThing(page)).toBe('close')
      await expect(agent(page)).toHaveAttribute('status', 'ready')

      await tabTo(page, 'message')
      await page.keyboard.type('Is it organic?')
      await page.keyboard.press('Enter')
      await expect(agentFrame(page).getByText('You said: Is it organic?')).toBeVisible()

      await tabTo(page, 'close', 'Shift+Tab')
      await page.keyboard.press('Enter')
      await expect(panel(page)).toBeHidden()
      expect(await focusedThing(page)).toBe('launcher')

      await page.keyboard.press('Enter')
      await expect(panel(page)).toBeVisible()
      await expect(agentFrame(page).getByText('You said: Is it organic?')).toBeVisible()
      await page.keyboard.press('Escape')
      await expect(panel(page)).toBeHidden()
      expect(await focusedThing(page)).toBe('launcher')
    })
  })
}

for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
  test(`at ${name} width the open panel's header sits above the agent, covering none of it`, async ({ page, demo }) => {
    await page.setViewportSize(viewport)
    // Layout, not motion: the boxes below are read one after another, and must not be read
    // from different frames of the panel's slide-in.
    await page.emulateMedia({ reducedMotion: 'reduce' })
    await signInQuietly(page, demo)
    await page.goto(`${demo.hostUrl}/shop`)
    await launcher(page).click()
    await expect(agent(page)).toHaveAttribute('status', 'ready')
    const header = (await panel(page).getByRole('button', { name: 'Close' }).boundingBox())!
    const panelBox = (await panel(page).boundingBox())!
    const frame = (await page.locator('chatzy-agent iframe').boundingBox())!
    expect(header.y + header.height).toBeLessThanOrEqual(frame.y)
    expect(header.y).toBeGreaterThanOrEqual(panelBox.y)
    expect(header.y - panelBox.y).toBeLessThan(8)
  })
}
