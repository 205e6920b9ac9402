#!/usr/bin/env node
// @ts-check
/**
 * `npm test`'s `pretest`: the tools the tests need beyond node_modules, checked in well under a
 * second, before minutes of typecheck and build. One line per missing tool, with its install
 * command for Debian/Ubuntu and macOS; exit code 1 when anything is missing.
 *
 * Plain JavaScript on purpose: no TypeScript loader to start. The browser is looked for in the
 * order playwright.config.ts uses: CHROMIUM_PATH, Debian's Chromium, Playwright's own download.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** Debian's Chromium paths, as in playwright.config.ts. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser']

/** @param {string} file */
function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/** @param {string} command */
function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isExecutable(join(dir, command)))
}

/** @returns {Promise<string | undefined>} what is wrong with the browser, if anything */
async function chromiumProblem() {
  const override = process.env.CHROMIUM_PATH
  if (override !== undefined && override !== '') {
    return isExecutable(override) ? undefined
      : `Chromium: CHROMIUM_PATH=${override} is not an executable file; point it at a Chromium or Chrome binary, or unset it`
  }
  if (SYSTEM_CHROMIUM.some(isExecutable)) return undefined
  // Only now load Playwright (the slow part), to ask where its own browser would be.
  const { chromium } = await import('playwright-core')
  if (isExecutable(chromium.executablePath())) return undefined
  return 'Chromium: not found. Debian/Ubuntu: `npx playwright install --with-deps chromium` (or `sudo apt-get install chromium`); '
    + 'macOS: `npx playwright install chromium`; or set CHROMIUM_PATH to a Chromium or Chrome binary'
}

const TOOLS = [
  ['redis-server', 'redis-server: not on the PATH. Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`'],
  ['redis-cli', 'redis-cli: not on the PATH. Debian/Ubuntu: `sudo apt-get install redis-tools`; macOS: `brew install redis`'],
]

const problems = [await chromiumProblem(), ...TOOLS.map(([command, hint]) => (onPath(command) ? undefined : hint))]
  .filter((problem) => problem !== undefined)

if (problems.length > 0) {
  for (const problem of problems) console.error(`missing for the tests: ${problem}`)
  process.exitCode = 1
}
