import Fastify, { type FastifyInstance, type FastifyServerOptions, type LightMyRequestResponse } from 'fastify'
import { createMockChatzy, type MockChatzy } from '../../demo/mock-chatzy/api.js'
import chatzyAgent, { type ChatzyAgentOptions } from '../src/index.js'

export const CHATBOT_ID = '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'
export const API_KEY = 'ak-test-0123456789'
export const COOKIE_SECRET = 'a-test-cookie-secret-of-32-chars-or-more'

/** Options that register: each options test changes one thing in them. */
export const validOptions: ChatzyAgentOptions = {
  apiKey: API_KEY,
  chatbotId: CHATBOT_ID,
  identify: () => 'user123',
  apiUrl: 'http://127.0.0.1:1',
  cookie: { secret: COOKIE_SECRET },
}

/** What registering `options` (twice, if asked) on a new app throws, or undefined when it registers. */
export async function registrationError(options: unknown, { twice = false } = {}): Promise<Error | undefined> {
  const app = Fastify()
  try {
    await app.register(chatzyAgent, options as ChatzyAgentOptions)
    if (twice) await app.register(chatzyAgent, options as ChatzyAgentOptions)
    await app.ready()
    return undefined
  } catch (error) {
    return error as Error
  } finally {
    await app.close()
  }
}

/** Chatzy's API as a real local HTTP server (the demo's mock), on a free loopback port. */
export async function startChatzy(options: { accessTtlMs?: number; refreshTtlMs?: number } = {}): Promise<MockChatzy & { url: string }> {
  const mock = createMockChatzy({ apiKey: API_KEY, ...options })
  await mock.app.listen({ host: '127.0.0.1', port: 0 })
  const address = mock.app.server.address()
  return Object.assign(mock, { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` })
}

/** The mock Chatzy and a host app on it, both closed when the test ends. */
export async function startApp(
  t: { after(fn: () => unknown): void },
  options: Partial<ChatzyAgentOptions> = {},
  mock: Parameters<typeof startChatzy>[0] = {},
) {
  const chatzy = await startChatzy(mock)
  t.after(() => chatzy.app.close())
  const app = await buildApp(chatzy, options)
  t.after(() => app.close())
  return { chatzy, app }
}

/** A host app whose signed-in user is the `x-test-user` header. */
export async function buildApp(
  chatzy: { url: string },
  options: Partial<ChatzyAgentOptions> = {},
  fastifyOptions: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions)
  await app.register(chatzyAgent, {
    apiKey: API_KEY,
    chatbotId: CHATBOT_ID,
    apiUrl: chatzy.url,
    appUrl: 'https://app.chatzy.test',
    identify: (request) => (request.headers['x-test-user'] as string | undefined) ?? null,
    cookie: { secret: COOKIE_SECRET },
    ...options,
  })
  return app
}

export const browserHeaders = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

/** The `name=value` of the session cookie a response set, ready for a `cookie` header. */
export function sessionCookieOf(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name.endsWith('chatzy_session'))
  if (cookie === undefined) throw new Error('no session cookie was set')
  return `${cookie.name}=${cookie.value}`
}

/** Where the store keeps the chatbot's session started by `response`: the cookie's id, then the chatbot. */
export function recordKeyOf(response: LightMyRequestResponse, chatbot = CHATBOT_ID): string {
  const cookie = sessionCookieOf(response)
  return `${decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1)).split('.')[0]!}:${chatbot}`
}

/** Log lines written at trace level, captured in memory (a pino destination stream). */
export function captureLogs(): { stream: { write(line: string): void }; lines: string[]; text(): string } {
  const lines: string[] = []
  return { stream: { write: (line: string) => void lines.push(line) }, lines, text: () => lines.join('') }
}

/** A browser-like call of one of the plugin's routes as `user` (none when undefined). */
export function call(
  app: FastifyInstance,
  method: 'POST' | 'DELETE',
  path: '/session' | '/refresh',
  options: { user?: string; cookie?: string; body?: object; headers?: Record<string, string> } = {},
) {
  return app.inject({
    method,
    url: `/chatzy${path}`,
    headers: {
      ...browserHeaders,
      ...(options.user === undefined ? {} : { 'x-test-user': options.user }),
      ...(options.cookie === undefined ? {} : { cookie: options.cookie }),
      ...options.headers,
    },
    payload: options.body ?? {},
  })
}
