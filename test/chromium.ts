import { existsSync } from 'node:fs'
import type { LaunchOptions } from '@playwright/test'

/**
 * The browser every test and benchmark launches: CHROMIUM_PATH when set (any Chromium or Chrome
 * binary); else Debian's Chromium where it is installed (CI, machines where Playwright cannot
 * download its own); else Playwright's own browser. scripts/check-tools.mjs (`pretest`, plain
 * JavaScript so that it starts at once) looks in the same order.
 */
export function chromiumPath(): string | undefined {
  return process.env.CHROMIUM_PATH || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path))
}

/** Launch options for that browser, headless and quiet: no sandbox (root in CI), no GPU, no calls home. */
export function chromiumLaunchOptions(): LaunchOptions {
  const executablePath = chromiumPath()
  return {
    ...(executablePath ? { executablePath } : {}),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  }
}
