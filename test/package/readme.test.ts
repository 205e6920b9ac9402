import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { bin, packAndInstall, root, run, type Installed } from './install.js'
import { chromiumLaunchOptions } from '../chromium.js'

/*
 * The README's quick starts, as a newcomer follows them: its `server.ts` and `index.html`
 * blocks (marked `<!-- readme-test: file -->`) copied into a new app that installed the packed
 * tarball, compiled with `tsc --strict`, run against `npm run mock` with the environment and
 * the `app-url` the README gives for the mock, and opened in Chromium until the agent is ready.
 * The other servers' quick starts (Express, Hono: `chatzy-agent/node` and `/fetch`) are compiled
 * and run the same way with the same page; the Next.js one is compiled strict as an App Router
 * app's files (examples/nextjs, built and run in e2e/examples-nextjs.spec.ts, is the running one).
 */

/** The fenced blocks that follow `<!-- readme-test: name -->` markers, by name. */
function readmeSnippets(readme: string): Map<string, string> {
  const snippets = new Map<string, string>()
  for (const match of readme.matchAll(/<!-- readme-test: ([\w.-]+) -->\n```\w*\n([\s\S]*?)\n```/g)) {
    snippets.set(match[1]!, `${match[2]!}\n`)
  }
  return snippets
}

interface Running { child: ChildProcess; output(): string; waitFor(pattern: RegExp): Promise<RegExpExecArray> }

/** Starts a command in its own process group, its output kept for waiting on and for failures. */
function start(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Running {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { out += chunk.toString() })
  return {
    child,
    output: () => out,
    waitFor: (pattern) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')} printed no ${pattern} in time:\n${out}`)), 45_000)
      const check = () => {
        const match = pattern.exec(out)
        if (match === null) return
        clearTimeout(timer)
        resolve(match)
      }
      child.stdout!.on('data', check)
      child.stderr!.on('data', check)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`${command} ${args.join(' ')} exited (${code}):\n${out}`))
      })
      check()
    }),
  }
}

/** A free loopback port, for servers that take PORT and print nothing. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/** Until http://localhost:port/ answers, or the server exits. */
async function answering(running: Running, port: number): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (running.child.exitCode !== null) throw new Error(`the server exited (${running.child.exitCode}):\n${running.output()}`)
    if (await fetch(`http://localhost:${port}/`).then(() => true, () => false)) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`nothing answered on port ${port}:\n${running.output()}`)
}

function stop(running: Running | undefined) {
  const pid = running?.child.pid
  if (pid === undefined || running!.child.exitCode !== null) return
  try { process.kill(-pid, 'SIGKILL') } catch { /* already gone */ }
}


let installed: Installed
let mock: Running | undefined
let server: Running | undefined
const others: Running[] = []
let mockEnv: NodeJS.ProcessEnv | undefined
let browser: Browser | undefined
let agentPage: Page | undefined
const consoleErrors: string[] = []

before(async () => {
  installed = await packAndInstall()
})
after(async () => {
  await browser?.close()
  stop(server)
  for (const other of others) stop(other)
  stop(mock)
  await installed?.remove()
})

test('the README\'s quick starts compile with tsc --strict and reach status="ready" in Chromium against the mock Chatzy', { timeout: 180_000 }, async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const snippets = readmeSnippets(readme)
  assert.deepEqual([...snippets.keys()].sort(), ['express.ts', 'hono.ts', 'index.html', 'nextjs-chatzy.tsx', 'nextjs-route.ts', 'server.ts'])

  // The page and the servers, exactly as written.
  const dir = installed.dir
  for (const name of ['server.ts', 'express.ts', 'hono.ts', 'index.html']) await writeFile(join(dir, name), snippets.get(name)!)
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true,
      types: ['node'], outDir: 'out', rootDir: '.', skipLibCheck: true,
    },
    files: ['server.ts', 'express.ts', 'hono.ts'],
  }))
  const compiled = await run(bin('tsc'), ['-p', dir, '--strict'], { cwd: dir }).catch((error: { stdout: string }) => error)
  assert.equal(compiled.stdout, '', `the README's server quick starts do not compile:\n${compiled.stdout}`)

  // `npm run mock`, then the README's line for the mock: the server's environment and the element's app-url.
  mock = start('npm', ['run', 'mock', '--silent'], { cwd: root, env: { ...process.env, MOCK_PORT: '0' } })
  const [, mockUrl, apiKey] = await mock.waitFor(/mock Chatzy: (http:\/\/\S+)\s+\(API key: (\S+);/)
  assert.match(readme, new RegExp(`CHATZY_API_KEY=${apiKey} CHATZY_API_URL=http://127\\.0\\.0\\.1:3001 CHATZY_APP_URL=http://127\\.0\\.0\\.1:3001`))
  assert.match(readme, /give the element `app-url="http:\/\/127\.0\.0\.1:3001"`/)
  const page = snippets.get('index.html')!
  assert.match(page, /<chatzy-agent /)
  await writeFile(join(dir, 'index.html'), page.replace('<chatzy-agent ', `<chatzy-agent app-url="${mockUrl}" `))

  const { CHATZY_CHATBOT_ID: _ignored, ...env } = process.env
  mockEnv = {
    ...env, CHATZY_API_KEY: apiKey, CHATZY_API_URL: mockUrl, CHATZY_APP_URL: mockUrl,
    COOKIE_SECRET: randomBytes(32).toString('hex'),
  }
  server = start(process.execPath, ['out/server.js'], { cwd: dir, env: { ...mockEnv, PORT: '0' } })
  const [, port] = await server.waitFor(/Server listening at http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)/)

  browser = await chromium.launch(chromiumLaunchOptions())
  const tab = await browser.newPage()
  const failed: string[] = []
  tab.on('pageerror', (error) => failed.push(error.message))
  // The browser's own favicon request is no part of the README.
  tab.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) failed.push(`${response.status()} ${response.url()}`)
  })
  tab.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) consoleErrors.push(message.text())
  })
  await tab.goto(`http://localhost:${port}/`)
  await tab.locator('chatzy-agent[status="ready"]').waitFor({ timeout: 30_000 })
  // The mock's iframe shows whom its token was minted for: the user of the sign-in hook.
  await tab.frameLocator('chatzy-agent iframe').locator('#user').filter({ hasText: 'ada' }).waitFor({ timeout: 10_000 })
  assert.deepEqual(failed, [], `the page failed; server output:\n${server.output()}`)
  agentPage = tab
})

for (const [name, file] of [['Express', 'express'], ['Hono', 'hono']] as const) {
  test(`the README's ${name} quick start serves the same page, whose agent reaches status="ready" in Chromium against the mock Chatzy`, { timeout: 60_000 }, async () => {
    assert.ok(browser && mockEnv, 'the Fastify quick start did not run')
    const port = await freePort()
    const running = start(process.execPath, [`out/${file}.js`], { cwd: installed.dir, env: { ...mockEnv, PORT: String(port) } })
    others.push(running)
    await answering(running, port)
    const tab = await browser.newPage()
    const failed: string[] = []
    tab.on('pageerror', (error) => failed.push(error.message))
    tab.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) failed.push(`${response.status()} ${response.url()}`)
    })
    await tab.goto(`http://localhost:${port}/`)
    await tab.locator('chatzy-agent[status="ready"]').waitFor({ timeout: 30_000 })
    await tab.frameLocator('chatzy-agent iframe').locator('#user').filter({ hasText: 'ada' }).waitFor({ timeout: 10_000 })
    assert.deepEqual(failed, [], `the page failed; server output:\n${running.output()}`)
    await tab.close()
    stop(running)
  })
}

test('the README\'s Next.js quick start (a route handler and a client component) compiles with tsc --strict as an App Router app\'s files', async () => {
  const snippets = readmeSnippets(await readFile(join(root, 'README.md'), 'utf8'))
  const app = join(installed.dir, 'next-app')
  await mkdir(join(app, 'app', 'chatzy', '[...path]'), { recursive: true })
  await writeFile(join(app, 'app', 'chatzy', '[...path]', 'route.ts'), snippets.get('nextjs-route.ts')!)
  await writeFile(join(app, 'app', 'chatzy.tsx'), snippets.get('nextjs-chatzy.tsx')!)
  // What Next.js checks of a route module: POST and DELETE take its Request and answer a Response.
  await writeFile(join(app, 'app', 'route-check.ts'), [
    "import type { NextRequest } from 'next/server'",
    "import { POST, DELETE } from './chatzy/[...path]/route'",
    'type Handler = (request: NextRequest, context: { params: Promise<{ path: string[] }> }) => Response | Promise<Response>',
    'export const handlers: Handler[] = [POST, DELETE]',
    '',
  ].join('\n'))
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      jsx: 'react-jsx', strict: true, noEmit: true, isolatedModules: true, skipLibCheck: true, types: ['node'],
    },
    include: ['app'],
  }))
  const compiled = await run(bin('tsc'), ['-p', app, '--strict'], { cwd: app }).catch((error: { stdout: string }) => error)
  assert.equal(compiled.stdout, '', `the README's Next.js quick start does not compile:\n${compiled.stdout}`)
})

test('the README page\'s nudge on chatzy-ready reaches the iframe, and the console stays clean', async () => {
  assert.ok(agentPage, 'the page did not load')
  await agentPage.frameLocator('chatzy-agent iframe').locator('#messages li.nudge').filter({ hasText: 'Hi, do you need any help?' }).waitFor({ timeout: 5_000 })
  assert.deepEqual(consoleErrors, [])
})

test('the README\'s pinned CDN script names this version, with the integrity hash of this build\'s CDN file', async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const block = /<!-- readme-sri -->\n```html\n([\s\S]*?)\n```/.exec(readme)?.[1]
  assert.ok(block, 'README.md has no <!-- readme-sri --> block')
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }
  assert.match(block, new RegExp(`src="https://unpkg\\.com/chatzy-agent@${version.replaceAll('.', '\\.')}/dist/cdn/chatzy-agent\\.min\\.js"`))
  const hash = createHash('sha384').update(await readFile(join(root, 'dist/cdn/chatzy-agent.min.js'))).digest('base64')
  assert.equal(/integrity="([^"]+)"/.exec(block)?.[1], `sha384-${hash}`, 'the README shows another hash: run `node scripts/sri.mjs --write` after `npm run build`')
  assert.match(block, /crossorigin="anonymous"/)
})
