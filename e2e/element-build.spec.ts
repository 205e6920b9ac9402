import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'
import {
  test, expect, agent, agentFrameOf, mockCall, mountAgent, signInQuietly, watchErrors, type MockFrameState,
} from './fixtures.js'

// These tests look at the shipped files: run `npm run build` first (`npm test` does).
const root = new URL('../', import.meta.url)
const file = (path: string) => fileURLToPath(new URL(path, root))
const CDN_ESM = 'dist/cdn/chatzy-agent.min.js'
const SIZE_BUDGET = 10_240

test('the CDN file, Lit included, stays under 10 KiB gzipped', () => {
  const gzipped = gzipSync(readFileSync(file(CDN_ESM)), { level: 9 }).length
  test.info().annotations.push({ type: 'cdn gzip bytes', description: String(gzipped) })
  console.log(`${CDN_ESM}: ${gzipped} bytes gzipped`)
  expect(gzipped).toBeLessThanOrEqual(SIZE_BUDGET)
})

/** Serves the builds at /npm (dist), /nm (node_modules, for Lit as npm users get it) and /cdn. */
async function serveBuilds(page: Page, hostUrl: string) {
  const type = (path: string) => (path.endsWith('.js') ? 'text/javascript' : 'application/octet-stream')
  for (const [prefix, dir] of [['npm', 'dist/'], ['nm', 'node_modules/'], ['cdn', 'dist/cdn/']] as const) {
    await page.route(`${hostUrl}/${prefix}/**`, (route) => {
      const path = decodeURIComponent(new URL(route.request().url()).pathname.slice(prefix.length + 2))
      if (path.includes('..')) return route.fulfill({ status: 404 })
      return route.fulfill({ path: file(dir + path), contentType: type(path) })
    })
  }
}

async function works(page: Page) {
  await expect(agent(page)).toHaveAttribute('status', 'ready')
  const frame = await agentFrameOf(page)
  await mockCall(frame, 'setAutoAsk', false)
  await mockCall(frame, 'ask', 'string')
  await expect.poll(async () => ((await mockCall(frame, 'state')) as MockFrameState).refreshes).toBe(1)
}

test('the classic-script build works on a page without modules', async ({ page, demo }) => {
  const errors = watchErrors(page)
  await signInQuietly(page, demo)
  await serveBuilds(page, demo.hostUrl)
  await mountAgent(page, demo, { scripts: '<script src="/cdn/chatzy-agent.iife.min.js"></script>' })
  await works(page)
  expect(await page.evaluate(() => {
    const kit = (window as unknown as { ChatzyAgentKit?: { ChatzyAgent: unknown } }).ChatzyAgentKit
    return kit?.ChatzyAgent === customElements.get('chatzy-agent')
  })).toBe(true)
  expect(errors).toEqual([])
})

test('npm build, CDN module and classic script on one page: no error, the first definition wins', async ({ page, demo }) => {
  const errors = watchErrors(page)
  const warnings: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text())
  })
  await signInQuietly(page, demo)
  await serveBuilds(page, demo.hostUrl)
  await mountAgent(page, demo, {
    scripts: `<script type="importmap">{"imports": {
        "@lit/reactive-element": "/nm/@lit/reactive-element/reactive-element.js",
        "@lit/reactive-element/": "/nm/@lit/reactive-element/"}}</script>
      <script type="module" src="/npm/element/src/index.js"></script>
      <script type="module" src="/assets/chatzy-agent.js"></script>
      <script type="module">
        await import('/npm/element/src/index.js')
        await import('/assets/chatzy-agent.js')
        const classic = document.createElement('script')
        classic.src = '/cdn/chatzy-agent.iife.min.js'
        document.head.append(classic)
      </script>`,
  })
  await works(page)
  const npmCopy = await page.evaluate(async () => (await import('/npm/element/src/index.js' as string)).ChatzyAgent === customElements.get('chatzy-agent'))
  expect(npmCopy).toBe(true)
  await expect.poll(() => warnings.filter((w) => w.includes('already defined')).length).toBe(2)
  expect(errors).toEqual([])
})
