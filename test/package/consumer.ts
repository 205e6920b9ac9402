/**
 * What a user writes against the installed package, one file per kind of user. Each line marked
 * `@ts-expect-error` is a mistake the typings must catch: if the typings let it through, tsc
 * reports the directive as unused and the check fails.
 */

/** Node + Fastify: the plugin, its options, the decorator, the stores, the error codes. */
export const server = `
import Fastify from 'fastify'
import chatzyAgent, { memoryStore, errors, type ChatzyAgentOptions, type SessionAnswer, type SessionStore, type ErrorCode } from 'chatzy-agent/server'

const options: ChatzyAgentOptions = {
  apiKey: 'ak-test',
  chatbotId: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1',
  identify: (request) => (request.headers['x-user'] as string | undefined) ?? null,
  cookie: { secret: 'x'.repeat(32) },
  store: memoryStore({ maxSessions: 10 }),
}
const store: SessionStore = memoryStore()
void store

const app = Fastify()
await app.register(chatzyAgent, options)
app.get('/', async (request, reply) => {
  const session: SessionAnswer = await app.chatzy.startSession(request, reply)
  return session.iframe_url
})
const code: ErrorCode = new errors.NoSession().code as ErrorCode
void code

// @ts-expect-error identify is required
const missing: ChatzyAgentOptions = { apiKey: 'k', chatbotId: 'c', cookie: { secret: 's' } }
void missing
`

/** A web-standard server (Next.js route handler, Hono, Bun, Workers): the fetch adapter. */
export const fetchServer = `
import { chatzyAgent, memoryStore, type ChatzyFetchOptions, type SessionAnswer } from 'chatzy-agent/fetch'

const options: ChatzyFetchOptions = {
  apiKey: 'ak-test',
  chatbotId: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1',
  identify: (request) => request.headers.get('x-user'),
  cookie: { secret: 'x'.repeat(32) },
  store: memoryStore(),
}
const agent = chatzyAgent(options)
export const POST = agent.fetch
export const DELETE = agent.fetch
export async function page(request: Request): Promise<Response> {
  const { session, headers }: { session: SessionAnswer; headers: Headers } = await agent.startSession(request)
  return new Response(session.iframe_url, { headers })
}
// @ts-expect-error identify is given the web Request
chatzyAgent({ ...options, identify: (request: { headers: Record<string, string> }) => request.headers.x ?? null })
`

/** Express 5 or node:http: the node adapter's middleware. */
export const nodeServer = `
import { createServer, type IncomingMessage } from 'node:http'
import { chatzyAgent, type ChatzyNodeOptions } from 'chatzy-agent/node'

interface SignedIn extends IncomingMessage { user?: { id: string } }
const options: ChatzyNodeOptions<SignedIn> = {
  apiKey: 'ak-test',
  chatbotId: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1',
  identify: (req) => req.user?.id ?? null,
  cookie: { secret: 'x'.repeat(32) },
}
const agent = chatzyAgent(options)
createServer((req, res) => agent.middleware(req, res, () => res.end('the app')))
export async function page(req: SignedIn, res: import('node:http').ServerResponse): Promise<string> {
  const session = await agent.startSession(req, res)
  await agent.endSession(req, res)
  return session.access_token
}
`

/** The browser, no framework: the element from npm and from the CDN build, its events and methods. */
export const browser = `
import { ChatzyAgent, ChatzyErrorEvent, ChatzyOpenEvent, ChatzyReadyEvent, defineChatzyAgent, type ChatzyAgentStrings } from 'chatzy-agent'
import { ChatzyAgent as Unregistered } from 'chatzy-agent/element'
import * as cdn from 'chatzy-agent/cdn'
import manifest from 'chatzy-agent/custom-elements.json' with { type: 'json' }

defineChatzyAgent()
const agent: ChatzyAgent = document.createElement('chatzy-agent')
const same: typeof Unregistered = cdn.ChatzyAgent
void same
agent.chatbotId = '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'
agent.loading = 'eager'
agent.addEventListener('chatzy-ready', (event) => {
  const ready: ChatzyReadyEvent = event
  const user: string = ready.userId
  void user
})
agent.addEventListener('chatzy-error', (event: ChatzyErrorEvent) => {
  const retry: boolean = event.retryable
  void retry
})
agent.nudge('Hi, do you need any help?')
void agent.refresh()
void manifest.schemaVersion
agent.mode = 'launcher'
agent.position = 'bottom-left'
agent.open = true
agent.show()
agent.hide()
agent.toggle()
agent.addEventListener('chatzy-open', (event) => {
  const opened: ChatzyOpenEvent = event
  void opened
})
agent.addEventListener('chatzy-close', () => undefined)
const german: Partial<ChatzyAgentStrings> = { retry: 'Erneut versuchen', close: 'Schließen' }
agent.strings = german
// @ts-expect-error no such text
agent.strings = { retyr: 'x' }
// @ts-expect-error mode is 'inline' or 'launcher'
agent.mode = 'popup'

// @ts-expect-error nudge takes text
agent.nudge(42)
// @ts-expect-error loading is 'lazy' or 'eager'
agent.loading = 'soon'
agent.addEventListener('chatzy-ready', (event) => {
  // @ts-expect-error a ready event has no such field
  void event.accessToken
})
`

/** React 19 with chatzy-agent/react. */
export const react = `
import { useRef } from 'react'
import type { ChatzyAgent } from 'chatzy-agent'
import type {} from 'chatzy-agent/react'

export function Agent() {
  const agent = useRef<ChatzyAgent>(null)
  return (
    <>
      <chatzy-agent
        ref={agent}
        chatbot-id="8a1e3f18-991b-4a2e-9973-f53e7fc94ff1"
        endpoint="/chatzy"
        loading="eager"
        refresh-ahead={60}
        className="agent"
        onchatzy-ready={(event) => console.log(event.userId, event.expiresAt)}
        onchatzy-token-refreshed={(event) => console.log(event.reason)}
        onchatzy-error={(event) => console.log(event.code, event.retryable)}
        onchatzy-message={(event) => console.log(event.message.type)}
      >
        <p slot="error">Unavailable</p>
      </chatzy-agent>
      <chatzy-agent
        chatbot-id="8a1e3f18-991b-4a2e-9973-f53e7fc94ff1"
        mode="launcher"
        position="bottom-left"
        open={false}
        strings={{ close: 'Schließen' }}
        onchatzy-open={(event) => console.log(event.type)}
        onchatzy-close={(event) => console.log(event.type)}
      >
        <span slot="launcher">Ask us</span>
        <p slot="error">Unavailable</p>
      </chatzy-agent>
      <button onClick={() => agent.current?.nudge('Hi')}>Nudge</button>
    </>
  )
}

export const wrong = [
  // @ts-expect-error chatbot-id is required
  <chatzy-agent />,
  // @ts-expect-error loading is 'lazy' or 'eager'
  <chatzy-agent chatbot-id="x" loading="soon" />,
  // @ts-expect-error the ready event has userId, not user
  <chatzy-agent chatbot-id="x" onchatzy-ready={(event) => event.user} />,
  // @ts-expect-error mode is 'inline' or 'launcher'
  <chatzy-agent chatbot-id="x" mode="popup" />,
]
`

/** Vue 3 with chatzy-agent/vue: the component type that vue-tsc reads for templates. */
export const vue = `
import type { GlobalComponents } from 'vue'
import type { ChatzyOpenEvent, ChatzyReadyEvent } from 'chatzy-agent'
import type {} from 'chatzy-agent/vue'

type Agent = InstanceType<GlobalComponents['chatzy-agent']>
type Props = Agent['$props']

export const props: Props = { chatbotId: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1', endpoint: '/chatzy', loading: 'eager', class: 'agent' }
export const emit = (agent: Agent, event: ChatzyReadyEvent) => agent.$emit('chatzy-ready', event)

export const launcherProps: Props = { chatbotId: 'x', mode: 'launcher', position: 'bottom-right', open: true, strings: { retry: 'Nochmal' } }
export const opened = (agent: Agent, event: Event & ChatzyOpenEvent) => agent.$emit('chatzy-open', event)

// @ts-expect-error loading is 'lazy' or 'eager'
export const wrongProps: Props = { loading: 'soon' }
// @ts-expect-error no such event
export const wrongEvent = (agent: Agent, event: ChatzyReadyEvent) => agent.$emit('chatzy-nope', event)
`

export function tsconfig(moduleResolution: 'NodeNext' | 'Bundler') {
  return {
    compilerOptions: {
      target: 'ES2022',
      module: moduleResolution === 'NodeNext' ? 'NodeNext' : 'ESNext',
      moduleResolution,
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      jsx: 'react-jsx',
      strict: true,
      resolveJsonModule: true,
      // The package's own declarations are checked too, as a strict user's build would.
      skipLibCheck: false,
      noEmit: true,
      types: ['node'],
    },
    files: ['server.ts', 'fetch.ts', 'node.ts', 'browser.ts', 'react.tsx', 'vue.ts'],
  }
}
