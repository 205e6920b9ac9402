import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'
import { test, expect, expectIdle, agent, agentFrame, mountAgent, signInQuietly, watchErrors, watchPlugin, type MountOptions } from './fixtures.js'
import type { Demo } from '../demo/server.js'

// The shipped files, as a page embeds them: run `npm run build` first (`npm test` does).
const cdnDir = fileURLToPath(new URL('../dist/cdn/', import.meta.url))

const BUILDS: Record<string, string> = {
  'CDN module (one <script type="module">)': '<script type="module" src="/cdn/chatzy-agent.min.js"></script>',
  'classic script (IIFE, a page without modules)': '<script src="/cdn/chatzy-agent.iife.min.js"></script>',
}

async function mountLauncherFrom(page: Page, demo: Demo, scripts: string) {
  await page.route(`${demo.hostUrl}/cdn/*`, (route) => {
    const name = new URL(route.request().url()).pathname.slice('/cdn/'.length)
    return /^[\w.-]+\.js$/.test(name)
      ? route.fulfill({ path: cdnDir + name, contentType: 'text/javascript' })
      : route.fulfill({ status: 404 })
  })
  const options: MountOptions = {
    scripts,
    attributes: { mode: 'launcher', title: 'Chat with us' },
    before: '<main><h1>A content page</h1><p>Text the visitor came for.</p></main><aside aria-label="Chat">',
    after: '</aside>',
  }
  await mountAgent(page, demo, options)
}

for (const [build, scripts] of Object.entries(BUILDS)) {
  test(`launcher mode from the ${build}: idle until intent, then a ready agent in the panel`, async ({ page, demo }) => {
    const errors = watchErrors(page)
    const plugin = watchPlugin(page)
    await signInQuietly(page, demo)
    await mountLauncherFrom(page, demo, scripts)
    const launcher = page.getByRole('button', { name: 'Chat with us' })
    await expect(launcher).toBeVisible()
    await expectIdle(agent(page))
    await expect(page.locator('chatzy-agent iframe')).toHaveCount(0)
    expect(plugin.length).toBe(0)

    await launcher.click()
    await expect(page.getByRole('dialog', { name: 'Chat with us' })).toBeVisible()
    await expect(agent(page)).toHaveAttribute('status', 'ready')
    await agentFrame(page).getByLabel('Message').fill('hello')
    await agentFrame(page).getByRole('button', { name: 'Send' }).click()
    await expect(agentFrame(page).getByText('You said: hello')).toBeVisible()
    expect(plugin.count('POST /session')).toBe(1)
    expect(errors).toEqual([])
  })
}
