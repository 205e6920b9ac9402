import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/*
 * `pretest` (scripts/check-tools.mjs): a machine without Chromium or Redis learns it at once, one
 * line per tool with its install commands, rather than after minutes of build and a screen of
 * stack traces. The browser it checks is the one playwright.config.ts launches.
 */

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const script = join(root, 'scripts/check-tools.mjs')

/** Runs the check with only `node` on the PATH, and `env` on top. */
async function checkWithBarePath(env: Record<string, string>) {
  const bin = await mkdtemp(join(tmpdir(), 'chatzy-agent-bin-'))
  try {
    await symlink(process.execPath, join(bin, 'node'))
    const { CHROMIUM_PATH: _ignored, ...rest } = process.env
    return await run(process.execPath, [script], { env: { ...rest, PATH: bin, ...env } })
      .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (error: { code: number; stdout: string; stderr: string }) => error)
  } finally {
    await rm(bin, { recursive: true, force: true })
  }
}

test('without redis-server, redis-cli and a browser: one line each, with the Debian/Ubuntu and macOS install, and exit 1', async () => {
  const result = await checkWithBarePath({ CHROMIUM_PATH: '/nowhere/chromium' })
  assert.equal(result.code, 1)
  assert.equal(result.stdout, '')
  const lines = result.stderr.trim().split('\n')
  assert.equal(lines.length, 3, result.stderr)
  assert.match(lines[0]!, /Chromium: CHROMIUM_PATH=\/nowhere\/chromium is not an executable file/)
  assert.match(lines[1]!, /redis-server: .*Debian\/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`/)
  assert.match(lines[2]!, /redis-cli: .*Debian\/Ubuntu: `sudo apt-get install redis-tools`; macOS: `brew install redis`/)
})

test('a CHROMIUM_PATH that is an executable satisfies the browser check; only the missing tools are listed', async () => {
  const result = await checkWithBarePath({ CHROMIUM_PATH: process.execPath })
  assert.equal(result.code, 1)
  assert.doesNotMatch(result.stderr, /Chromium/)
  assert.equal(result.stderr.trim().split('\n').length, 2)
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
