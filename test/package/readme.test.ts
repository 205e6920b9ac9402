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
  assert.deepEqual([...snippets.keys()].sort(), ['express.ts', 'hono.ts', 'index.html', 'install.sh', 'launcher', 'nextjs-chatzy.tsx', 'nextjs-route.ts', 'server.ts'])
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
  assert.deepEqual([...snippets.keys()].sort(), ['express.ts', 'hono.ts', 'index.html', 'install.sh', 'launcher', 'nextjs-chatzy.tsx', 'nextjs-route.ts', 'server.ts'])

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

/** A phone's screen, as Chromium emulates it: a meta viewport is honoured (980 CSS px wide without one). */
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true }

test('on a 390×844 phone the README page is laid out at the phone\'s width, and the README\'s launcher in its place opens full screen', { timeout: 60_000 }, async () => {
  assert.ok(agentPage, 'the page did not load')
  const url = agentPage.url()
  const phone = await browser!.newContext(PHONE)
  const tab = await phone.newPage()
  const failed: string[] = []
  tab.on('pageerror', (error) => failed.push(error.message))

  await tab.goto(url)
  await tab.locator('chatzy-agent[status="ready"]').waitFor({ timeout: 30_000 })
  assert.equal(await tab.evaluate(() => document.documentElement.clientWidth), 390, 'the page is not laid out at the phone\'s width: no viewport <meta>?')
  const inline = (await tab.locator('chatzy-agent').boundingBox())!
  assert.ok(inline.x >= 0 && inline.x + inline.width <= 390, `the inline box overflows the screen: ${JSON.stringify(inline)}`)

  // "For a launcher … instead of a box": the README's launcher element in the page's element's place.
  const readme = readmeSnippets(await readFile(join(root, 'README.md'), 'utf8'))
  const page = await readFile(join(installed.dir, 'index.html'), 'utf8')
  const appUrl = /app-url="[^"]+"/.exec(page)![0]
  const launcher = readme.get('launcher')!.trim().replace('<chatzy-agent ', `<chatzy-agent ${appUrl} `)
  assert.match(page, /<chatzy-agent [\s\S]*?<\/chatzy-agent>/)
  await writeFile(join(installed.dir, 'index.html'), page.replace(/<chatzy-agent [\s\S]*?<\/chatzy-agent>/, launcher))
  await tab.reload()
  const button = tab.locator('chatzy-agent [part=launcher]')
  await button.waitFor({ timeout: 10_000 })
  await button.tap()
  await tab.locator('chatzy-agent[status="ready"][open]').waitFor({ state: 'attached', timeout: 30_000 })
  const panel = tab.locator('chatzy-agent [part=panel]')
  await panel.evaluate((el) => Promise.all(el.getAnimations().map((animation) => animation.finished)))
  const box = (await panel.boundingBox())!
  assert.deepEqual([box.x, box.y, box.width, box.height].map(Math.round), [0, 0, 390, 844], 'the open panel does not fill the phone\'s screen')
  assert.deepEqual(failed, [])
  await phone.close()
})

test('the README\'s install lines name every package its quick start imports, and the tools it runs', async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const snippets = readmeSnippets(readme)
  const lines = snippets.get('install.sh')!.trim().split('\n')
  const named = (line: string | undefined) => line?.replace(/^npm install (--save-dev )?/, '').split(/\s+/) ?? []
  const runtime = named(lines.find((line) => /^npm install (?!-)/.test(line)))
  const dev = named(lines.find((line) => line.startsWith('npm install --save-dev ')))
  // What server.ts imports (node: built-ins aside) is installed as a dependency.
  const imports = [...snippets.get('server.ts')!.matchAll(/^import [^'"]*'([^'"]+)'/gm)].map((match) => match[1]!)
    .filter((specifier) => !specifier.startsWith('node:'))
    .map((specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'))
  assert.ok(imports.includes('fastify') && imports.includes('chatzy-agent'))
  for (const name of imports) assert.ok(runtime.includes(name), `server.ts imports ${name}; the install line does not name it`)
  // `npx tsx server.ts` and `tsc` (the README's two ways to run it), Node's types for its `process.env`.
  assert.match(readme, /Run it with `npx tsx server\.ts`, or compile it with `tsc`/)
  assert.deepEqual(dev.sort(), ['@types/node', 'tsx', 'typescript'])
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
