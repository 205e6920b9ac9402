import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { bin, root } from '../package/install.js'
import type { Adapter, SharedOptions, Started } from '../../server/test/conformance/servers.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET } from '../../server/test/helpers.js'

/** The options every runtime's agent gets, as JSON (functions and stores stay on the runtime's side). */
function optionsFor(chatzyUrl: string, options: SharedOptions) {
  return { apiKey: API_KEY, chatbotId: CHATBOT_ID, apiUrl: chatzyUrl, appUrl: 'https://app.chatzy.test', cookie: { secret: COOKIE_SECRET }, ...options }
}

/** The fetch handler in Bun, a process of its own, with `Bun.serve`. */
export function bunAdapter(env: Record<string, string> = {}): Adapter {
  return {
    name: 'fetch handler in Bun',
    async start(chatzyUrl, options): Promise<Started> {
      const script = fileURLToPath(new URL('./bun-server.ts', import.meta.url))
      const child = spawn(bin('bun'), [script], {
        cwd: root,
        env: { ...process.env, ...env, CHATZY_AGENT_OPTIONS: JSON.stringify(optionsFor(chatzyUrl, options)) },
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let output = ''
      child.stderr.on('data', (chunk: Buffer) => { output += chunk })
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bun did not start within 30 s:\n${output}`)), 30_000)
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk
          const listening = /listening (http:\S+)/.exec(output)
          if (listening) {
            clearTimeout(timer)
            resolve(listening[1]!)
          }
        })
        child.once('exit', (code) => reject(new Error(`bun exited (${code}):\n${output}`)))
      })
      return {
        url,
        logs: () => output,
        close: () => new Promise<void>((resolve) => {
          child.once('exit', () => resolve())
          child.stdin.end()
          setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
        }),
      }
    },
  }
}

/**
 * The built fetch entry bundled into one module script, as wrangler would bundle a Worker: the
 * conditions of workerd, nothing of Node but what `nodejs_compat` provides.
 */
export async function workerScript(): Promise<{ script: string; packages: string[] }> {
  const { build } = await import('esbuild')
  const entry = `
    import { chatzyAgent } from ${JSON.stringify(fileURLToPath(new URL('../../dist/server/src/fetch/index.js', import.meta.url)))}
    let agent
    export default {
      fetch(request, env) {
        agent ??= chatzyAgent({ ...JSON.parse(env.CHATZY_AGENT_OPTIONS), identify: (request) => request.headers.get('x-test-user') })
        return agent.fetch(request)
      },
    }
  `
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['node:*'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const packages = new Set(Object.keys(result.metafile.inputs).flatMap((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? []))
  return { script: result.outputFiles[0]!.text, packages: [...packages].sort() }
}

/** The fetch handler in workerd (Miniflare), over a real loopback socket. */
export function workerdAdapter(script: () => Promise<{ script: string }>): Adapter {
  return {
    name: 'fetch handler in workerd',
    async start(chatzyUrl, options): Promise<Started> {
      const { Miniflare, Log, LogLevel } = await import('miniflare')
      const lines: string[] = []
      class Captured extends Log {
        override log(message: string) { lines.push(message) }
      }
      const mf = new Miniflare({
        modules: true,
        script: (await script()).script,
        compatibilityDate: '2026-08-01',
        compatibilityFlags: ['nodejs_compat'],
        bindings: { CHATZY_AGENT_OPTIONS: JSON.stringify(optionsFor(chatzyUrl, options)) },
        host: '127.0.0.1',
        port: 0,
        log: new Captured(LogLevel.DEBUG),
      })
      const url = (await mf.ready).origin
      return { url, logs: () => lines.join('\n'), close: () => mf.dispose() }
    },
  }
}

export async function built(): Promise<void> {
  await readFile(new URL('../../dist/server/src/fetch/index.js', import.meta.url)).catch(() => {
    throw new Error('Build the package first: npm run build:lib')
  })
}
