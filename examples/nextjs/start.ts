import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { CHATBOT_ID, startChatzy } from '../shared/chatzy.js'

// `next build && next start`, with the mock Chatzy beside it: only CHATZY_API_URL and
// CHATZY_APP_URL point at the mock. The secrets are made up for the run unless given.
const chatzy = await startChatzy()
const env = {
  ...process.env,
  CHATZY_API_KEY: chatzy.apiKey,
  CHATZY_CHATBOT_ID: CHATBOT_ID,
  ...(chatzy.apiUrl === undefined ? {} : { CHATZY_API_URL: chatzy.apiUrl, CHATZY_APP_URL: chatzy.appUrl }),
  COOKIE_SECRET: process.env.COOKIE_SECRET ?? randomBytes(32).toString('hex'),
  SESSION_SECRET: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
  NEXT_TELEMETRY_DISABLED: '1',
}
const next = createRequire(import.meta.url).resolve('next/dist/bin/next')
const cwd = fileURLToPath(new URL('.', import.meta.url))
let child: ChildProcess | undefined

const stopAll = () => {
  child?.kill('SIGTERM')
  void chatzy.close().finally(() => process.exit(0))
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stopAll)

const build = await new Promise<number | null>((resolve) => {
  child = spawn(process.execPath, [next, 'build', '--webpack'], { cwd, env, stdio: 'inherit' })
  child.once('exit', resolve)
})
if (build !== 0) {
  await chatzy.close()
  process.exit(build ?? 1)
}

const port = await portToUse(Number(process.env.PORT ?? 3060))
child = spawn(process.execPath, [next, 'start', '--hostname', 'localhost', '--port', String(port)], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] })
child.stdout!.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk)
  if (/Ready in/.test(chunk.toString())) {
    console.log(`nextjs example: http://localhost:${port}  (Chatzy: ${chatzy.appUrl}, chatbot ${CHATBOT_ID})`)
  }
})
child.once('exit', (code) => {
  void chatzy.close().finally(() => process.exit(code ?? 0))
})

/** `next start` needs a port number: PORT=0 asks the system for a free one. */
function portToUse(port: number): Promise<number> {
  if (port !== 0) return Promise.resolve(port)
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject).listen(0, 'localhost', () => {
      const { port: free } = probe.address() as { port: number }
      probe.close(() => resolve(free))
    })
  })
}
