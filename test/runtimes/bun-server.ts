/**
 * The fetch handler under Bun (run by `bun`, not Node), imported by its package name as an app
 * imports it: `Bun.serve({ fetch: agent.fetch })` with the options the test passes as JSON, on a
 * free loopback port. With `REDIS_URL`, the
 * sessions live in Redis through `redisStore` and an ioredis client, as a Bun app's would
 * (connected before the server listens, as the docs recommend).
 */
import type * as FetchEntry from '../../server/src/fetch/index.js'
import type { ChatzyFetchOptions } from '../../server/src/fetch/index.js'
import { connectRedis } from '../redis-server.js'

// By its package name, as an app imports it (typed from the sources, which need no build).
const entry: string = 'chatzy-agent/fetch'
const { chatzyAgent, redisStore } = (await import(entry)) as typeof FetchEntry

declare const Bun: {
  serve(options: { hostname: string; port: number; fetch(request: Request): Promise<Response> }): { url: URL; stop(force?: boolean): void }
}

const options = JSON.parse(process.env.CHATZY_AGENT_OPTIONS ?? '{}') as Omit<ChatzyFetchOptions, 'identify'>
const redisUrl = process.env.REDIS_URL
const store = redisUrl === undefined ? undefined : redisStore({ client: await connectRedis(redisUrl), keyPrefix: `bun-${Date.now()}:` })
const agent = chatzyAgent({
  ...options,
  ...(store && { store }),
  identify: (request) => request.headers.get('x-test-user'),
})
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: agent.fetch })
console.log(`listening ${server.url.origin}`)
process.stdin.on('data', () => {})
process.stdin.on('end', () => {
  server.stop(true)
  void agent.close().then(() => process.exit(0))
})
