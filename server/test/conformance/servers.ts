import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import express from 'express'
// Express 4, whose body-parser leaves `{}` on a body it did not read and whose `req.host` has no port.
import express4 from 'express4'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import pino from 'pino'
import chatzyPlugin, { type ChatzyAgentOptions } from '../../src/index.js'
import { chatzyAgent as fetchAgent, type ChatzyFetchOptions } from '../../src/fetch/index.js'
import { chatzyAgent as nodeAgent, type ChatzyNodeOptions } from '../../src/node/index.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET } from '../helpers.js'

/** The options every adapter gets in these checks, each check adding its own. */
export type SharedOptions = Partial<Omit<ChatzyAgentOptions, 'identify' | 'dispatcher'>>

export interface Started {
  /** The server's base URL (`http://127.0.0.1:port`). */
  url: string
  /** Every log line the agent wrote, at every level. */
  logs(): string
  close(): Promise<void>
}

export interface Adapter {
  name: string
  /** The host parses JSON bodies before the agent sees them (`express.json()`): its own parse errors are its own answers. */
  hostParsesJson?: boolean
  start(chatzyUrl: string, options: SharedOptions): Promise<Started>
}

/** Options shared by all: the signed-in user is the `x-test-user` header. */
function base(chatzyUrl: string, options: SharedOptions) {
  return {
    apiKey: API_KEY,
    chatbotId: CHATBOT_ID,
    apiUrl: chatzyUrl,
    appUrl: 'https://app.chatzy.test',
    cookie: { secret: COOKIE_SECRET },
    ...options,
  }
}

function captured() {
  const lines: string[] = []
  return { stream: { write: (line: string) => void lines.push(line) }, text: () => lines.join('') }
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(urlOf(server))))
}

function closed(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

/** A minimal node:http → Request → Response bridge: how a fetch handler is served on plain Node. */
async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const body = chunks.length === 0 ? null : Buffer.concat(chunks)
  return new Request(new URL(req.url ?? '/', origin), { method: req.method ?? 'GET', headers, ...(body && { body }) })
}

async function fromResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: [string, string][] = []
  response.headers.forEach((value, name) => { if (name !== 'set-cookie') headers.push([name, value]) })
  for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie])
  res.writeHead(response.status, headers.flat())
  res.end(Buffer.from(await response.arrayBuffer()))
}

const fastify: Adapter = {
  name: 'fastify plugin',
  async start(chatzyUrl, options) {
    const logs = captured()
    const app = Fastify({ logger: { level: 'trace', stream: logs.stream } })
    await app.register(chatzyPlugin, {
      ...base(chatzyUrl, options),
      identify: (request) => (request.headers['x-test-user'] as string | undefined) ?? null,
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    return { url: urlOf(app.server), logs: logs.text, close: () => app.close() }
  },
}

function fetchOptions(chatzyUrl: string, options: SharedOptions, logs: ReturnType<typeof captured>): ChatzyFetchOptions {
  return {
    ...base(chatzyUrl, options),
    identify: (request) => request.headers.get('x-test-user'),
    logger: pino({ level: 'trace' }, logs.stream),
  }
}

function nodeOptions(chatzyUrl: string, options: SharedOptions, logs: ReturnType<typeof captured>): ChatzyNodeOptions {
  return {
    ...base(chatzyUrl, options),
    identify: (req) => (req.headers['x-test-user'] as string | undefined) ?? null,
    logger: pino({ level: 'trace' }, logs.stream),
  }
}

const fetchOnNode: Adapter = {
  name: 'fetch handler on node:http',
  async start(chatzyUrl, options) {
    const logs = captured()
    const agent = fetchAgent(fetchOptions(chatzyUrl, options, logs))
    let origin = ''
    const server = createServer((req, res) => {
      toRequest(req, origin).then((request) => agent.fetch(request)).then((response) => fromResponse(response, res)).catch((error: unknown) => {
        res.writeHead(500).end(String(error))
      })
    })
    origin = await listen(server)
    return { url: origin, logs: logs.text, close: async () => { await closed(server); await agent.close() } }
  },
}

const fetchOnHono: Adapter = {
  name: 'fetch handler in Hono',
  async start(chatzyUrl, options) {
    const logs = captured()
    const agent = fetchAgent(fetchOptions(chatzyUrl, options, logs))
    const app = new Hono()
    app.all('/chatzy/*', (c) => agent.fetch(c.req.raw))
    const server = await new Promise<Server>((resolve) => {
      const started: Server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started)) as Server
    })
    return { url: urlOf(server), logs: logs.text, close: async () => { await closed(server); await agent.close() } }
  },
}

type BodyParsing = 'json' | 'urlencoded' | 'none'

function expressAdapter(name: string, parsing: BodyParsing, framework: typeof express = express): Adapter {
  return {
    name,
    hostParsesJson: parsing === 'json',
    async start(chatzyUrl, options) {
      const logs = captured()
      const agent = nodeAgent(nodeOptions(chatzyUrl, options, logs))
      const app = framework()
      if (parsing === 'json') app.use(framework.json())
      // A parser for another content type: it must leave the JSON body to the agent.
      if (parsing === 'urlencoded') app.use(framework.urlencoded({ extended: false }))
      app.use(agent.middleware)
      app.get('/app-route', (_req, res) => { res.send('the app\'s own') })
      const server = createServer(app)
      const url = await listen(server)
      return { url, logs: logs.text, close: async () => { await closed(server); await agent.close() } }
    },
  }
}

const nodeHttp: Adapter = {
  name: 'node middleware on bare node:http',
  async start(chatzyUrl, options) {
    const logs = captured()
    const agent = nodeAgent(nodeOptions(chatzyUrl, options, logs))
    const server = createServer((req, res) => agent.middleware(req, res))
    const url = await listen(server)
    return { url, logs: logs.text, close: async () => { await closed(server); await agent.close() } }
  },
}

export const adapters: Adapter[] = [
  fastify,
  fetchOnNode,
  fetchOnHono,
  expressAdapter('node middleware in Express 5 after express.json()', 'json'),
  expressAdapter('node middleware in Express 5 without a body parser', 'none'),
  expressAdapter('node middleware in Express 4 after express.json()', 'json', express4),
  expressAdapter('node middleware in Express 4 after express.urlencoded()', 'urlencoded', express4),
  nodeHttp,
]
