import type { Frame } from '@playwright/test'
import { test, expect, expectIdle, agent, agentFrameOf, mockCall, mountAgent, signInQuietly, watchErrors, watchPlugin, type MockFrameState } from './fixtures.js'
import { call, launcher, mountLauncher, panel, teaser } from './launcher-helpers.js'

const nudges = async (frame: Frame) => ((await mockCall(frame, 'state')) as MockFrameState).received
  .filter((m) => m.data.type === '[ASSISTANT_NUDGE]').map((m) => m.data.nudge_message)

test('nudges while closed show the latest beside the launcher, start nothing, and all reach the iframe in order once it is ready', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const plugin = watchPlugin(page)
  await signInQuietly(page, demo)
  await mountLauncher(page, demo)
  await call(page, 'nudge', 'Need help choosing?')
  await call(page, 'nudge', 'Free shipping today')
  await expect(teaser(page)).toBeVisible()
  await expect(teaser(page)).toContainText('Free shipping today')
  await expect(teaser(page)).not.toContainText('Need help choosing?')
  await page.waitForTimeout(500)
  expect(plugin).toHaveLength(0)
  await expectIdle(agent(page))

  // Dismissed: the text goes, the nudges stay.
  await teaser(page).getByRole('button', { name: 'Dismiss' }).click()
  await expect(teaser(page)).toBeHidden()
  await call(page, 'nudge', 'Still there?')
  await expect(teaser(page)).toContainText('Still there?')

  await teaser(page).getByRole('button', { name: 'Still there?' }).click()
  await expect(panel(page)).toBeVisible()
  await expect(teaser(page)).toBeHidden()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  await expect.poll(() => nudges(frame)).toEqual(['Need help choosing?', 'Free shipping today', 'Still there?'])

  // While open: straight in, no teaser.
  await call(page, 'nudge', 'While open')
  await expect.poll(() => nudges(frame)).toEqual(['Need help choosing?', 'Free shipping today', 'Still there?', 'While open'])
  await expect(teaser(page)).toBeHidden()
  expect(errors).toEqual([])
})

test('a nudge to a warm, closed launcher reaches the live iframe at once and shows the teaser', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountLauncher(page, demo)
  await launcher(page).hover()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  await call(page, 'nudge', 'Hello there')
  await expect.poll(() => nudges(frame)).toEqual(['Hello there'])
  await expect(teaser(page)).toContainText('Hello there')
  await launcher(page).click()
  await expect(teaser(page)).toBeHidden()
  expect(await nudges(frame)).toEqual(['Hello there'])
})

test('a nudge to an inline agent shows no teaser, then or after a switch to launcher mode', async ({ page, demo }) => {
  await signInQuietly(page, demo)
  await mountAgent(page, demo)
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  await call(page, 'nudge', 'Free shipping today')
  await agent(page).evaluate((el) => el.setAttribute('mode', 'launcher'))
  await expect(launcher(page)).toBeVisible()
  await expect(teaser(page)).toBeHidden()
  // The nudge itself reached the conversation, as in inline mode.
  await expect.poll(async () => nudges(await agentFrameOf(page))).toEqual(['Free shipping today'])
})
