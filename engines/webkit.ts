import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromPage, pageScript, type Context, type ContextOptions, type Engine, type Key, type Page, type PageFunction } from './driver.js'
import { driverReady, WebDriverSession } from './webdriver.js'

/** WebKitGTK's driver and browser, as Debian's webkit2gtk-driver package installs them. */
export const WEBKIT_DRIVER = 'WebKitWebDriver'
export function miniBrowserPath(): string {
  const paths = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((arch) => `/usr/lib/${arch}/webkit2gtk-4.1/MiniBrowser`)
  return process.env.MINIBROWSER_PATH || paths.find((path) => existsSync(path)) || paths[0]!
}

const DEFAULT_WINDOW = { width: 1280, height: 800 }
const KEYS: Record<Key, string[]> = {
  Tab: ['\uE004'], 'Shift+Tab': ['\uE008', '\uE004'], Enter: ['\uE007'], Escape: ['\uE00C'], Space: ['\uE00D'], PageDown: ['\uE00F'],
}
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'

/** Every child process this module starts, killed with its process group however the run ends. */
const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of children) kill(child)
})
function kill(child: ChildProcess) {
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    // Already gone.
  }
}
async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  try {
    process.kill(-child.pid!, 'SIGTERM')
  } catch {
    return
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))])
  kill(child)
  children.delete(child)
}

/** An X display of its own: Xvfb picks a free number and writes it on fd 3. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], detached: true })
  children.add(xvfb)
  let errors = ''
  xvfb.stderr!.on('data', (chunk: Buffer) => (errors += chunk))
  const display = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start: ${errors}`)), 10_000)
    ;(xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      out += chunk
      if (out.includes('\n')) {
        clearTimeout(timer)
        resolve(`:${out.trim()}`)
      }
    })
    xvfb.once('error', reject)
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${errors}`)))
  })
  return { display, process: xvfb }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** One WebKitWebDriver (it drives one session at a time) on a free port of the given display. */
async function startDriver(display: string, env: NodeJS.ProcessEnv = {}): Promise<{ base: string; process: ChildProcess }> {
  const port = await freePort()
  const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], { env: { ...process.env, ...env, DISPLAY: display }, stdio: 'ignore', detached: true })
  children.add(driver)
  const base = `http://127.0.0.1:${port}`
  await Promise.race([
    driverReady(base),
    new Promise((_resolve, reject) => driver.once('error', reject)),
  ])
  return { base, process: driver }
}

/** GTK's own switch for "reduce motion", which WebKitGTK reads as prefers-reduced-motion. */
async function reducedMotionConfig(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'chatzy-agent-gtk-'))
  await mkdir(join(home, 'gtk-3.0'))
  await writeFile(join(home, 'gtk-3.0', 'settings.ini'), '[Settings]\ngtk-enable-animations=false\n')
  return home
}

/** WebKitGTK's MiniBrowser under Xvfb; a second driver, started when first needed, prefers reduced motion. */
export async function webkit(): Promise<Engine> {
  const xvfb = await startXvfb()
  const drivers: { process: ChildProcess }[] = []
  const temporary: string[] = []
  const start = async (env?: NodeJS.ProcessEnv) => {
    const driver = await startDriver(xvfb.display, env)
    drivers.push(driver)
    return driver.base
  }
  const normal = await start()
  let reduced: Promise<string> | undefined
  const capabilities = { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: miniBrowserPath(), args: ['--automation'] } }
  const probe = await WebDriverSession.create(normal, capabilities)
  const version = String(probe.capabilities.browserVersion)
  await probe.close()
  return {
    title: `WebKitGTK ${version}`,
    async newContext(options: ContextOptions = {}): Promise<Context> {
      const base = options.reducedMotion
        ? await (reduced ??= reducedMotionConfig().then((home) => (temporary.push(home), start({ XDG_CONFIG_HOME: home }))))
        : normal
      const session = await WebDriverSession.create(base, capabilities)
      const window = options.viewport ?? DEFAULT_WINDOW
      await session.command('POST', '/timeouts', { script: 20_000, pageLoad: 30_000 })
      await session.command('POST', '/window/rect', { x: 0, y: 0, ...window })
      const first = await session.command<string>('GET', '/window')
      const state = { current: first, first: true }
      return {
        async newPage() {
          if (state.first) {
            state.first = false
            return tab(session, first, state)
          }
          const { handle } = await session.command<{ handle: string }>('POST', '/window/new', { type: 'tab' })
          return tab(session, handle, state)
        },
        close: () => session.close(),
      }
    },
    async close() {
      for (const driver of drivers) await stop(driver.process)
      await stop(xvfb.process)
      for (const home of temporary) await rm(home, { recursive: true, force: true })
    },
  }
}

function tab(session: WebDriverSession, handle: string, state: { current: string }): Page {
  // Commands go to the session's current window: switch to this tab first when another one is.
  const here = async () => {
    if (state.current === handle) return
    await session.command('POST', '/window', { handle })
    state.current = handle
  }
  const run = async <R>(fn: PageFunction<unknown[], unknown>, args: unknown[]): Promise<R> => {
    const script = `const done = arguments[arguments.length - 1]; ${pageScript(fn, args)}.then(done, (error) => done(JSON.stringify({ error: String(error && error.stack || error) })))`
    const json = await session.command<string>('POST', '/execute/async', { script, args: [] })
    const { error } = JSON.parse(json) as { error?: string }
    if (error !== undefined) throw new Error(`in the page: ${error}`)
    return fromPage<R>(json)
  }
  // Keys reach a focused cross-origin iframe only when the session has switched to it.
  const inAgentFrame = async <R>(body: () => Promise<R>): Promise<R> => {
    const iframe = await session.command<Record<string, string>>('POST', '/execute/sync', {
      script: "return document.querySelector('chatzy-agent')?.shadowRoot?.querySelector('iframe') ?? null", args: [],
    })
    if (iframe === null || iframe[ELEMENT] === undefined) throw new Error('no agent iframe in the page')
    await session.command('POST', '/frame', { id: iframe })
    try {
      return await body()
    } finally {
      await session.command('POST', '/frame/parent')
    }
  }
  const actions = async (sources: unknown[]) => {
    await session.command('POST', '/actions', { actions: sources })
    await session.command('DELETE', '/actions')
  }
  const keys = (values: string[]) => actions([{
    type: 'key', id: 'keyboard',
    actions: [...values.map((value) => ({ type: 'keyDown', value })), ...values.toReversed().map((value) => ({ type: 'keyUp', value }))],
  }])
  const pointer = (steps: unknown[]) => actions([{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: steps }])
  const move = (x: number, y: number) => ({ type: 'pointerMove', x: Math.round(x), y: Math.round(y), duration: 0, origin: 'viewport' })
  const maybeInFrame = <R>(inFrame: boolean | undefined, body: () => Promise<R>) => (inFrame ? inAgentFrame(body) : body())
  return {
    goto: async (url) => {
      await here()
      await session.command('POST', '/url', { url })
    },
    reload: async () => {
      await here()
      await session.command('POST', '/refresh')
    },
    evaluate: async (fn, ...args) => {
      await here()
      return run(fn as never, args)
    },
    evaluateInAgentFrame: async (fn, ...args) => {
      await here()
      return inAgentFrame(() => run(fn as never, args))
    },
    hover: async (x, y) => {
      await here()
      await pointer([move(x, y)])
    },
    click: async (x, y) => {
      await here()
      await pointer([move(x, y), { type: 'pointerDown', button: 0 }, { type: 'pointerUp', button: 0 }])
    },
    press: async (key, options = {}) => {
      await here()
      await maybeInFrame(options.inAgentFrame, () => keys(KEYS[key]))
    },
    type: async (text, options = {}) => {
      await here()
      await maybeInFrame(options.inAgentFrame, () => actions([{
        type: 'key', id: 'keyboard', actions: [...text].flatMap((value) => [{ type: 'keyDown', value }, { type: 'keyUp', value }]),
      }]))
    },
  }
}
