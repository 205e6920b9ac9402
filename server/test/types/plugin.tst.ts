import { expect, test } from 'tstyche'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import chatzyAgent, {
  diagnosticsChannels,
  errors,
  logRedactPaths,
  memoryStore,
  type ChatzyAgentOptions,
  type ChatzyDecorator,
  type ChatzyHealth,
  type UpstreamCallMessage,
  type ErrorCode,
  type RefreshAnswer,
  type SessionAnswer,
  type SessionStore,
  type StoredSession,
} from '../../src/index.js'

const options: ChatzyAgentOptions = {
  apiKey: 'ak-x',
  chatbotId: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1',
  identify: async (request) => (request.headers['x-user'] as string | undefined) ?? null,
  cookie: { secret: 'a-cookie-secret-of-32-characters-at-least' },
}

test('the plugin registers with its options', () => {
  const app = Fastify()
  expect(app.register).type.toBeCallableWith(chatzyAgent, options)
  expect(app.register).type.toBeCallableWith(chatzyAgent, { ...options, store: memoryStore({ maxSessions: 10 }), cookie: { secret: ['new', 'old'], secure: 'auto' as const } })
})

test('required options are required, and typed', () => {
  expect<ChatzyAgentOptions>().type.not.toBeAssignableFrom({ chatbotId: 'x', identify: () => null, cookie: { secret: 's' } })
  expect<ChatzyAgentOptions>().type.not.toBeAssignableFrom({ apiKey: 'k', chatbotId: 'x', identify: () => null })
  expect<ChatzyAgentOptions>().type.not.toBeAssignableFrom({ ...options, identify: () => 42 })
  expect<ChatzyAgentOptions['cookie']>().type.not.toBeAssignableFrom({ secret: 's', secure: 'yes' })
  expect<ChatzyAgentOptions['cookie']>().type.not.toBeAssignableFrom({ secret: 's', sameSite: 'Strict' })
  expect<ChatzyAgentOptions['identify']>().type.toBeAssignableFrom((request: FastifyRequest) => String(request.id))
})

test('fastify.chatzy is typed through declare module', () => {
  const app = Fastify()
  expect(app.chatzy).type.toBe<ChatzyDecorator>()
  expect(app.chatzy.startSession).type.toBe<(request: FastifyRequest, reply: FastifyReply, chatbotId?: string) => Promise<SessionAnswer>>()
  expect(app.chatzy.endSession).type.toBe<(request: FastifyRequest, reply: FastifyReply, chatbotId?: string) => Promise<void>>()
  expect(app.chatzy.startSession).type.not.toBeCallableWith('alice')
  expect(app.chatzy.health).type.toBe<() => Promise<ChatzyHealth>>()
  expect<ChatzyHealth['breakers'][string]>().type.toBe<'closed' | 'open' | 'half-open'>()
})

test('diagnostics channel names are literal constants, and upstream messages say what was tried', () => {
  expect(diagnosticsChannels.upstream).type.toBe<'chatzy-agent:upstream'>()
  expect(diagnosticsChannels.sessionRefused).type.toBe<'chatzy-agent:session.refused'>()
  expect<UpstreamCallMessage['operation']>().type.toBe<'mint' | 'refresh'>()
  expect<UpstreamCallMessage>().type.not.toHaveProperty('access_token')
})

test('answers carry exactly the wire fields', () => {
  expect<SessionAnswer>().type.toBe<{ user_id: string; chatbot_id: string; access_token: string; expires_at: number; iframe_url: string }>()
  expect<RefreshAnswer>().type.toBe<{ access_token: string; expires_at: number }>()
  expect<SessionAnswer>().type.not.toHaveProperty('refresh_token')
  expect<ErrorCode>().type.toBeAssignableFrom('CHATZY_NO_SESSION' as const)
  expect<ErrorCode>().type.not.toBeAssignableFrom('NO_SESSION' as const)
})

test('a custom store implements SessionStore', () => {
  expect(memoryStore()).type.toBeAssignableTo<SessionStore>()
  expect<SessionStore>().type.toBeAssignableFrom({
    get: async (_id: string): Promise<StoredSession | undefined> => undefined,
    set: async (_id: string, _session: StoredSession, _ttlMs: number) => {},
    delete: async (_id: string) => {},
  })
  expect<SessionStore>().type.not.toBeAssignableFrom({ get: async () => undefined, set: async () => {} })
  expect<SessionStore['get']>().type.not.toBeAssignableFrom((_id: string) => undefined)
  expect<StoredSession>().type.toHaveProperty('refresh_token')
})

test('errors and log paths are exported for hosts', () => {
  expect(new errors.NoSession()).type.toHaveProperty('code')
  expect(new errors.NoSession().statusCode).type.toBe<401>()
  expect(new errors.UpstreamTimeout().statusCode).type.toBe<504>()
  expect(logRedactPaths).type.toBe<readonly string[]>()
  expect(memoryStore().size).type.toBe<number>()
})
