import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from '@playwright/test'

export interface RunningExample {
  /** The page to open, as the example printed it. */
  url: string
  /** Everything the example printed so far. */
  output(): string
  stop(): Promise<void>
}

/**
 * Runs an example exactly as its README says (`npm start` in its folder) on a free port, and
 * waits for the URL it prints (`timeoutMs`: longer for an example that builds first). The process
 * group is ended afterwards (npm, then node, then Vite or Next.js).
 */
export async function runExample(name: string, env: Record<string, string> = {}, { timeoutMs = 45_000 } = {}): Promise<RunningExample> {
  const cwd = fileURLToPath(new URL(`../examples/${name}/`, import.meta.url))
  const child = spawn('npm', ['start', '--silent'], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Always the mock Chatzy, whatever credentials the shell holds.
    env: { ...withoutChatzyCredentials(process.env), PORT: '0', BROWSER: 'none', ...env },
  })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { out += chunk.toString() })

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed no URL in time:\n${out}`)), timeoutMs)
    const check = () => {
      const match = /example: (http:\/\/\S+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout!.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited (${code}) before printing its URL:\n${out}`))
    })
  })

  return { url, output: () => out, stop: () => stopGroup(child) }
}

/**
 * The example `name`, run with `runExample` before the spec file's tests and stopped after
 * them; the returned function gives it to a test.
 */
export function runningExample(name: string, env: Record<string, string> = {}): () => RunningExample {
  let example: RunningExample | undefined
  test.beforeAll(async () => {
    example = await runExample(name, env)
  })
  test.afterAll(async () => {
    await example?.stop()
  })
  return () => example!
}

function withoutChatzyCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { CHATZY_API_KEY: _key, CHATZY_CHATBOT_ID: _chatbot, ...rest } = env
  return rest
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    process.kill(-child.pid, 'SIGTERM')
  } catch {
    return
  }
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref())
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    try { process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ }
  }
}
