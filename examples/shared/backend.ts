import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import chatzyAgent from 'chatzy-agent/server'
import type { MockChatzy } from '../../demo/mock-chatzy/api.js'
import { CHATBOT_ID, startChatzy } from './chatzy.js'

export { CHATBOT_ID }

/** The examples' signed-in user. In your app: the id your own sign-in put in the session. */
export const SIGNED_IN_USER = 'ada'

export interface Backend {
  /** The host's Fastify app, with the chatzy-agent plugin registered under /chatzy. */
  app: FastifyInstance
  /** The mock Chatzy (its API and its iframe page, on another origin), unless a real one is used. */
  mock?: MockChatzy
  /** Chatzy's app (the mock's URL, or https://app.chatzy.ai); pass it to the element as `app-url`. */
  chatzyUrl: string
  /** Listens on loopback and gives the URL. */
  listen(port: number): Promise<string>
  close(): Promise<void>
}

/**
 * What every example runs on: a host Fastify app with the plugin registered as in production,
 * and a mock Chatzy on http://127.0.0.1 (its own origin, as the real one is). Only `apiUrl` and
 * `appUrl` differ from a real deployment: they point at the mock. With CHATZY_API_KEY and
 * CHATZY_CHATBOT_ID set, the example talks to the real Chatzy instead.
 */
export async function startBackend(): Promise<Backend> {
  const chatzy = await startChatzy()
  const { apiKey, mock } = chatzy
  const mockUrl = chatzy.apiUrl

  const app = Fastify({ logger: false, forceCloseConnections: true })
  await app.register(chatzyAgent, {
    apiKey,                                   // process.env.CHATZY_API_KEY: stays on the server
    chatbotId: CHATBOT_ID,
    identify: () => SIGNED_IN_USER,           // e.g. (request) => request.session.user?.id ?? null
    cookie: { secret: process.env.COOKIE_SECRET ?? randomBytes(32).toString('hex') },
    // Only for the mock: with the real Chatzy, leave both out.
    ...(mockUrl === undefined ? {} : { apiUrl: mockUrl, appUrl: mockUrl }),
  })
  const chatzyUrl = chatzy.appUrl

  return {
    app,
    mock,
    chatzyUrl,
    async listen(port) {
      await app.listen({ host: 'localhost', port })
      const address = app.server.address()
      return `http://localhost:${typeof address === 'object' && address !== null ? address.port : port}`
    },
    async close() {
      await app.close()
      await chatzy.close()
    },
  }
}

const root = new URL('../../', import.meta.url)

/** The package's CDN build (one self-registering file, Lit inlined), built on first use. */
export function cdnBuild(): string {
  const file = fileURLToPath(new URL('dist/cdn/chatzy-agent.min.js', root))
  if (!existsSync(file)) {
    console.log('Building the element once (npm run build:cdn)…')
    execFileSync('npm', ['run', 'build:cdn'], { cwd: fileURLToPath(root), stdio: 'inherit' })
  }
  return file
}

/** Closes everything on Ctrl-C or SIGTERM. */
export function closeOnSignal(close: () => Promise<unknown>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void close().finally(() => process.exit(0)))
  }
}
