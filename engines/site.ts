import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import { DEMO_CHATBOT_ID, startDemo, type Demo } from '../demo/server.js'

/**
 * The demo (host app with the plugin, mock Chatzy on another origin) behind a small front server
 * on the host's origin that also serves each check's own page, as a site's pages are served.
 * Both servers' logs are what a check asserts on: which requests the browser really made.
 */
export interface Site {
  demo: Demo
  /** The site's origin (http://localhost:…); Chatzy's is demo.mockUrl. */
  url: string
  /** "GET /path" for every request the site received, in order (the favicon left out). */
  requests: string[]
  /** The same for the mock Chatzy (its API and its iframe page). */
  chatzyRequests: string[]
  /** How many times the browser called a plugin route ("POST /session"). */
  count(route: string): number
  /** Serves `html` at `path` on the site's origin. */
  serve(path: string, html: string): void
  close(): Promise<void>
}

export async function startSite(options: { accessTtlMs?: number } = {}): Promise<Site> {
  const demo = await startDemo({ accessTtlMs: options.accessTtlMs ?? 20_000, minRefreshIntervalMs: 0 })
  const requests: string[] = []
  const chatzyRequests: string[] = []
  const pages = new Map<string, string>()
  demo.mock!.app.server.on('request', (incoming: IncomingMessage) => chatzyRequests.push(`${incoming.method} ${incoming.url}`))
  const host = new URL(demo.hostUrl)

  const front = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const path = incoming.url ?? '/'
    if (!path.startsWith('/favicon.ico')) requests.push(`${incoming.method} ${path}`)
    const page = pages.get(path.split('?')[0]!)
    if (page !== undefined && incoming.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      response.end(page)
      return
    }
    // Everything else is the host app's, under the same Host header: the plugin sees its own origin.
    const upstream = request({ hostname: host.hostname, port: host.port, path, method: incoming.method, headers: incoming.headers, agent: false }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(response)
    })
    upstream.on('error', () => response.destroy())
    incoming.pipe(upstream)
  })
  await new Promise<void>((resolve) => front.listen(0, 'localhost', resolve))
  const { port } = front.address() as { port: number }

  return {
    demo,
    url: `http://localhost:${port}`,
    requests,
    chatzyRequests,
    count: (route) => requests.filter((line) => line.replace(' /chatzy/', ' /') === route).length,
    serve: (path, html) => void pages.set(path, html),
    async close() {
      front.closeAllConnections()
      await new Promise((resolve) => front.close(resolve))
      await demo.close()
    },
  }
}

export { DEMO_CHATBOT_ID }
