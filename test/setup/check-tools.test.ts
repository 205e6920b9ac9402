import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { installPlan, isDebianLike } from '../../scripts/tool-install.mjs'

/*
 * `pretest` (scripts/check-tools.mjs): a machine without Chromium, Redis, Firefox, WebKitGTK's
 * driver or Xvfb learns it at once, one line per tool with its install commands, rather than
 * after minutes of build and a screen of stack traces. As root on Debian/Ubuntu it installs them
 * itself; elsewhere it prints the one command to run. The browsers it checks are the ones the
 * tests launch. No test here installs anything: apt-get is a stand-in that writes down its arguments.
 */

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const script = join(root, 'scripts/check-tools.mjs')
const notLinux = process.platform !== 'linux' && 'these decisions are Linux\'s'
const asRoot = process.getuid?.() === 0
const sudo = asRoot ? '' : 'sudo '
const EVERY_PACKAGE = 'chromium redis-server redis-tools firefox-esr webkit2gtk-driver xvfb'
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\n'
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n'

interface Result { code: number; stdout: string; stderr: string; aptGet: string[] }

/**
 * Runs the check with only `node` on the PATH (and a stand-in apt-get when asked), on a machine
 * whose /etc/os-release says `osRelease`, and `env` on top.
 */
async function checkWithBarePath(env: Record<string, string>, options: { osRelease?: string; aptGet?: boolean } = {}): Promise<Result> {
  const bin = await mkdtemp(join(tmpdir(), 'chatzy-agent-bin-'))
  try {
    await symlink(process.execPath, join(bin, 'node'))
    const log = join(bin, 'apt-get.log')
    await writeFile(log, '')
    if (options.aptGet) {
      await writeFile(join(bin, 'apt-get'), `#!/bin/sh\necho "$*" >> '${log}'\n`)
      await chmod(join(bin, 'apt-get'), 0o755)
    }
    await writeFile(join(bin, 'os-release'), options.osRelease ?? DEBIAN)
    const { CHROMIUM_PATH: _chromium, FIREFOX_PATH: _firefox, MINIBROWSER_PATH: _minibrowser, ...rest } = process.env
    const result = await run(process.execPath, [script], { env: { ...rest, PATH: bin, CHECK_TOOLS_OS_RELEASE: join(bin, 'os-release'), ...env } })
      .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (error: { code: number; stdout: string; stderr: string }) => error)
    const aptGet = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '')
    return { code: result.code, stdout: result.stdout, stderr: result.stderr, aptGet }
  } finally {
    await rm(bin, { recursive: true, force: true })
  }
}

const missingLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('missing for the tests: '))

test('without any of the tools: one line each, with the Debian/Ubuntu and macOS install, the one command for them all, and exit 1', { skip: notLinux }, async () => {
  const result = await checkWithBarePath({ CHROMIUM_PATH: '/nowhere/chromium', FIREFOX_PATH: '/nowhere/firefox' })
  assert.equal(result.code, 1)
  assert.equal(result.stdout, '')
  const lines = missingLines(result.stderr)
  assert.equal(lines.length, 6, result.stderr)
  assert.match(lines[0]!, /Chromium: CHROMIUM_PATH=\/nowhere\/chromium is not an executable file/)
  assert.match(lines[1]!, /redis-server: .*Debian\/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`/)
  assert.match(lines[2]!, /redis-cli: .*Debian\/Ubuntu: `sudo apt-get install redis-tools`; macOS: `brew install redis`/)
  assert.match(lines[3]!, /Firefox: FIREFOX_PATH=\/nowhere\/firefox is not an executable file/)
  assert.match(lines[4]!, /WebKitGTK: WebKitWebDriver or its MiniBrowser not found\. Debian\/Ubuntu: `sudo apt-get install webkit2gtk-driver`/)
  assert.match(lines[5]!, /Xvfb: not on the PATH .*Debian\/Ubuntu: `sudo apt-get install xvfb`/)
  // No apt-get on this PATH: even root gets the command to run rather than an attempt.
  assert.ok(result.stderr.trimEnd().endsWith(`install them all with: ${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${EVERY_PACKAGE}`), result.stderr)
})

test('browsers named by CHROMIUM_PATH and FIREFOX_PATH satisfy their checks; only the missing tools are listed, and in the one command', { skip: notLinux }, async () => {
  const result = await checkWithBarePath({ CHROMIUM_PATH: process.execPath, FIREFOX_PATH: process.execPath })
  assert.equal(result.code, 1)
  assert.doesNotMatch(result.stderr, /Chromium|Firefox/)
  assert.equal(missingLines(result.stderr).length, 4)
  assert.match(result.stderr, /apt-get install -y --no-install-recommends redis-server redis-tools webkit2gtk-driver xvfb$/m)
})

test('as root on Debian: it installs what is missing with apt-get (update, then install), says so, and checks again', { skip: notLinux || (!asRoot && 'only root installs') }, async () => {
  const result = await checkWithBarePath({ CHROMIUM_PATH: process.execPath, FIREFOX_PATH: '/nowhere/firefox' }, { aptGet: true })
  assert.deepEqual(result.aptGet, ['update -qq', 'install -y -qq --no-install-recommends redis-server redis-tools firefox-esr webkit2gtk-driver xvfb'])
  assert.match(result.stderr, /^installing for the tests \(root on Debian\/Ubuntu\): apt-get install redis-server redis-tools firefox-esr webkit2gtk-driver xvfb$/m)
  // The stand-in installed nothing: the check says what is still missing, and fails.
  assert.equal(result.stderr.split('\n').filter((line) => line.startsWith('still missing for the tests: ')).length, 5)
  assert.equal(result.code, 1)
})

test('root on another Linux (here: Fedora) installs nothing; it prints the command with the Debian names', { skip: notLinux }, async () => {
  const result = await checkWithBarePath({ CHROMIUM_PATH: process.execPath, FIREFOX_PATH: process.execPath }, { aptGet: true, osRelease: FEDORA })
  assert.deepEqual(result.aptGet, [])
  assert.match(result.stderr, /install them all with: \(Debian\/Ubuntu\) (sudo )?apt-get update && (sudo )?apt-get install -y --no-install-recommends redis-server redis-tools webkit2gtk-driver xvfb$/m)
  assert.equal(result.code, 1)
})

test('the decisions: root on Debian/Ubuntu with apt-get installs; a user gets sudo; a Mac gets brew; nothing missing, nothing to do', () => {
  const missing = [{ apt: 'redis-server', brew: 'brew install redis' }, { apt: 'redis-tools', brew: 'brew install redis' }, { apt: 'xvfb' }]
  const machine = { missing, platform: 'linux', root: true, debianLike: true, aptGet: true }
  assert.deepEqual(installPlan(machine), { action: 'install', packages: ['redis-server', 'redis-tools', 'xvfb'] })
  assert.deepEqual(installPlan({ ...machine, root: false }), {
    action: 'print', command: 'sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server redis-tools xvfb',
  })
  assert.deepEqual(installPlan({ ...machine, aptGet: false }), {
    action: 'print', command: 'apt-get update && apt-get install -y --no-install-recommends redis-server redis-tools xvfb',
  })
  assert.deepEqual(installPlan({ ...machine, platform: 'darwin' }), { action: 'print', command: 'brew install redis' })
  assert.equal(installPlan({ ...machine, missing: [] }), undefined)
  assert.equal(isDebianLike(DEBIAN), true)
  assert.equal(isDebianLike('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n'), true)
  assert.equal(isDebianLike('ID=linuxmint\nID_LIKE="ubuntu debian"\n'), true)
  assert.equal(isDebianLike(FEDORA), false)
  assert.equal(isDebianLike(undefined), false)
})

test('on a machine with every tool (this one: the tests need them) it prints nothing and exits 0', async () => {
  const result = await run(process.execPath, [script], { env: process.env })
  assert.deepEqual([result.stdout, result.stderr], ['', ''])
})

test('playwright.config.ts launches the browser CHROMIUM_PATH names', async () => {
  const print = "const { default: config } = await import('./playwright.config.ts'); console.log(config.use?.launchOptions?.executablePath)"
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', print], {
    cwd: root, env: { ...process.env, CHROMIUM_PATH: '/opt/my-chrome/chrome' },
  })
  assert.equal(stdout.trim(), '/opt/my-chrome/chrome')
})
