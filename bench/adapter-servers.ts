/**
 * The other adapters' side of the throughput benchmarks, in the benchmark server's process,
 * each beside its own baseline on the same server:
 *   fetch   one @hono/node-server server (node:http → Request → Response) whose fetch function
 *           answers POST /bare itself (reads the JSON body, answers the same JSON a refresh
 *           answers) and hands everything else to chatzy-agent/fetch under /cached
 *   node    one Express 5 app: POST /bare with express.json() answering the same JSON, and
 *           app.use(agent.middleware) of chatzy-agent/node under /cached
 * Both agents answer a cached refresh from the stored token, as the Fastify plugin's /cached does.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { createAdaptorServer } from '@hono/node-server'
import express from 'express'
import type * as sourceFetch from '../server/src/fetch/index.js'
import type * as sourceNode from '../server/src/node/index.js'

// The adapters as they ship (dist/, which `npm run bench` builds first), typed from their sources.
const { chatzyAgent: fetchAgent } = (await import(new URL('../dist/server/src/fetch/index.js', import.meta.url).href)) as typeof sourceFetch
const { chatzyAgent: nodeAgent } = (await import(new URL('../dist/server/src/node/index.js', import.meta.url).href)) as typeof sourceNode

export interface AdapterOptions {
  apiKey: string
  chatbotId: string
  apiUrl: string
  appUrl: string
  cookie: { secret: string }
  userHeader: string
  /** What the bare routes answer: the shape of a refresh's answer. */
  sample: object
}

export interface AdapterServer { url: string; close(): Promise<void> }

const silent = { debug() {}, info() {}, warn() {}, error() {} }

export async function startFetchServer(options: AdapterOptions): Promise<AdapterServer> {
  const { userHeader, sample, ...common } = options
  const agent = fetchAgent({ ...common, prefix: '/cached', logger: silent, identify: (request) => request.headers.get(userHeader) })
  const server = createAdaptorServer({
    fetch: async (request: Request) => {
      if (!request.url.endsWith('/bare')) return agent.fetch(request)
      JSON.parse(await request.text())
      // Serialized per request, as a route serializes its own answer (Fastify's and Express's bare routes do).
      return new Response(JSON.stringify(sample), { headers: { 'content-type': 'application/json; charset=utf-8' } })
    },
  }) as Server
  return listen(server, () => agent.close())
}

export async function startExpressServer(options: AdapterOptions): Promise<AdapterServer> {
  const { userHeader, sample, ...common } = options
  const agent = nodeAgent({ ...common, prefix: '/cached', logger: silent, identify: (req) => (req.headers[userHeader] as string | undefined) ?? null })
  const app = express()
  app.post('/bare', express.json({ limit: '4kb' }), (_req, res) => { res.json(sample) })
  app.use(agent.middleware)
  return listen(createServer(app), () => agent.close())
}

async function listen(server: Server, closeAgent: () => Promise<void>): Promise<AdapterServer> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
      await closeAgent()
    },
  }
}
