import type { Frame } from '@playwright/test'
import { test, expect, agent, agentEvents, agentFrameOf, mockCall, mountAgent, signInQuietly, watchErrors, type MockFrameState } from './fixtures.js'

const nudges = async (frame: Frame) => ((await mockCall(frame, 'state')) as MockFrameState).received
  .filter((m) => m.data.type === '[ASSISTANT_NUDGE]').map((m) => m.data.nudge_message)

test('chatzy-ready waits for the Chatzy page; nudges sent before it arrive first, in order, then the README\'s nudge on ready', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const consoleErrors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text())
  })
  await signInQuietly(page, demo)
  // A slow Chatzy page: the iframe is in the element well before its page has loaded.
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  await page.route('**/chatbot-iframe/**', async (route) => {
    await held
    await route.continue()
  })
  await mountAgent(page, demo, {
    after: `<script type="module">
      const agent = document.querySelector('chatzy-agent')
      agent.nudge('one')
      agent.addEventListener('chatzy-ready', () => agent.nudge('on ready'))
    </script>`,
  })
  await expect(page.locator('chatzy-agent iframe')).toHaveCount(1)
  await agent(page).evaluate((el) => (el as HTMLElement & { nudge(text: string): void }).nudge('two'))
  await expect(agent(page)).toHaveAttribute('status', 'loading')
  expect((await agentEvents(page)).filter((e) => e.type === 'chatzy-ready')).toHaveLength(0)

  release()
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  await expect.poll(() => nudges(frame)).toEqual(['one', 'two', 'on ready'])
  await agent(page).evaluate((el) => (el as HTMLElement & { nudge(text: string): void }).nudge('later'))
  await expect.poll(() => nudges(frame)).toEqual(['one', 'two', 'on ready', 'later'])
  expect(((await mockCall(frame, 'state')) as MockFrameState).messages.map((m) => m.text)).toEqual(['one', 'two', 'on ready', 'later'])
  expect(consoleErrors.filter((text) => text.includes('postMessage'))).toEqual([])
  expect(errors).toEqual([])
})
