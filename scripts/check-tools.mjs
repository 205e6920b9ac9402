#!/usr/bin/env node
// @ts-check
/**
 * `npm test`'s `pretest`: the tools the tests need beyond node_modules, checked in well under a
 * second, before minutes of typecheck and build. One line per missing tool; then, as root on
 * Debian or Ubuntu (containers, CI), it installs them with apt-get and says so; elsewhere it
 * prints the one command that installs them all. Exit code 1 when anything is still missing.
 *
 * Plain JavaScript on purpose: no TypeScript loader to start. The browsers are looked for where
 * the tests look: CHROMIUM_PATH, Debian's Chromium, Playwright's own download (playwright.config.ts);
 * FIREFOX_PATH or Debian's Firefox ESR (engines/firefox.ts); WebKitGTK's driver and MiniBrowser,
 * under Xvfb (engines/webkit.ts).
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants, readFileSync, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { installPlan, isDebianLike } from './tool-install.mjs'

/** Debian's Chromium paths, as in playwright.config.ts. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser']
/** Firefox as engines/firefox.ts launches it. */
const SYSTEM_FIREFOX = process.platform === 'darwin' ? '/Applications/Firefox.app/Contents/MacOS/firefox' : '/usr/bin/firefox-esr'
/** MiniBrowser where Debian's webkit2gtk-driver puts it (one directory per architecture), as engines/webkit.ts looks. */
const MINIBROWSERS = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((arch) => `/usr/lib/${arch}/webkit2gtk-4.1/MiniBrowser`)

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

/**
 * A browser named by an environment variable, else found at a known path.
 * @param {string} name @param {string} variable @param {string[]} paths @param {string} hint
 */
function browserProblem(name, variable, paths, hint) {
  const override = process.env[variable]
  if (override !== undefined && override !== '') {
    return isExecutable(override) ? undefined
      : `${name}: ${variable}=${override} is not an executable file; point it at a ${name} binary, or unset it`
  }
  return paths.some(isExecutable) ? undefined : `${name}: not found. ${hint}`
}

/** @returns {Promise<string | undefined>} what is wrong with Chromium, if anything */
async function chromiumProblem() {
  const problem = browserProblem('Chromium', 'CHROMIUM_PATH', SYSTEM_CHROMIUM, '')
  if (problem === undefined || problem.includes('CHROMIUM_PATH=')) return problem
  // Only now load Playwright (the slow part), to ask where its own browser would be.
  const { chromium } = await import('playwright-core')
  if (isExecutable(chromium.executablePath())) return undefined
  return 'Chromium: not found. Debian/Ubuntu: `sudo apt-get install chromium` (or `npx playwright install --with-deps chromium`); '
    + 'macOS: `npx playwright install chromium`; or set CHROMIUM_PATH to a Chromium or Chrome binary'
}

const linux = process.platform === 'linux'

/** @type {{ problem: () => Promise<string | undefined> | string | undefined, apt: string, brew?: string }[]} */
const TOOLS = [
  { problem: chromiumProblem, apt: 'chromium', brew: 'npx playwright install chromium' },
  {
    problem: () => (onPath('redis-server') ? undefined : 'redis-server: not on the PATH. Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`'),
    apt: 'redis-server', brew: 'brew install redis',
  },
  {
    problem: () => (onPath('redis-cli') ? undefined : 'redis-cli: not on the PATH. Debian/Ubuntu: `sudo apt-get install redis-tools`; macOS: `brew install redis`'),
    apt: 'redis-tools', brew: 'brew install redis',
  },
  {
    problem: () => browserProblem('Firefox', 'FIREFOX_PATH', [SYSTEM_FIREFOX],
      'Debian/Ubuntu: `sudo apt-get install firefox-esr`; macOS: `brew install --cask firefox`; or set FIREFOX_PATH to a Firefox binary'),
    apt: 'firefox-esr', brew: 'brew install --cask firefox',
  },
  // WebKitGTK (Safari's engine) runs on Linux; on a Mac, Safari is the WebKit to try by hand.
  ...(linux ? [
    {
      problem: () => (onPath('WebKitWebDriver') && (process.env.MINIBROWSER_PATH ? [process.env.MINIBROWSER_PATH] : MINIBROWSERS).some(isExecutable) ? undefined
        : 'WebKitGTK: WebKitWebDriver or its MiniBrowser not found. Debian/Ubuntu: `sudo apt-get install webkit2gtk-driver`'),
      apt: 'webkit2gtk-driver',
    },
    { problem: () => (onPath('Xvfb') ? undefined : 'Xvfb: not on the PATH (WebKit runs on a virtual display). Debian/Ubuntu: `sudo apt-get install xvfb`'), apt: 'xvfb' },
  ] : []),
]

async function missingTools() {
  const found = await Promise.all(TOOLS.map(async (tool) => ({ ...tool, problem: await tool.problem() })))
  return found.filter((tool) => tool.problem !== undefined)
}

/** @param {string} file */
function readOr(file) {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** @param {string[]} args */
function aptGet(args) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  return result.status === 0
}

let missing = await missingTools()
for (const tool of missing) console.error(`missing for the tests: ${tool.problem}`)
const plan = installPlan({
  missing,
  platform: process.platform,
  root: process.getuid?.() === 0,
  // CHECK_TOOLS_OS_RELEASE: another os-release file, for the tests of this decision.
  debianLike: isDebianLike(readOr(process.env.CHECK_TOOLS_OS_RELEASE || '/etc/os-release')),
  aptGet: onPath('apt-get'),
})
if (plan?.action === 'install') {
  console.error(`installing for the tests (root on Debian/Ubuntu): apt-get install ${plan.packages.join(' ')}`)
  if (aptGet(['update', '-qq']) && aptGet(['install', '-y', '-qq', '--no-install-recommends', ...plan.packages])) missing = await missingTools()
  for (const tool of missing) console.error(`still missing for the tests: ${tool.problem}`)
} else if (plan?.action === 'print') {
  console.error(`install them all with: ${plan.command}`)
}
if (missing.length > 0) process.exitCode = 1
