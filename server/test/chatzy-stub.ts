import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'

/** How the stub answers one call. */
export type Behaviour =
  | 'ok'
  | 'hang' // never answers; the connection is dropped when the stub closes
  | 'reset' // the connection is destroyed
  | 'non-json'
  | 'schema'
  | { status: number; retryAfterSeconds?: number }

export interface StubCall {
  /** 1 for the first call the stub receives. */
  n: number
  endpoint: 'mint' | 'refresh'
  user: string
}

/**
 * Chatzy's token endpoints as a bare local HTTP server whose every answer is chosen by `plan`,
 * and may come after `delayMs`: a fault that ends late, as a gateway's 502 after its own timeout.
 */
export async function startChatzyStub(plan: (call: StubCall) => { behaviour: Behaviour; delayMs?: number } = () => ({ behaviour: 'ok' })) {
  let n = 0
  let current = plan
  const calls: StubCall[] = []
  const open = new Set<ServerResponse>()
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const endpoint = request.url?.startsWith('/ai_agent/refresh_token') ? 'refresh' : 'mint'
      let user = ''
      try {
        user = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { user_id?: unknown }).user_id)
      } catch {
        // not JSON: answered all the same
      }
      const call = { n: ++n, endpoint, user } as const
      calls.push(call)
      const { behaviour, delayMs = 0 } = current(call)
      open.add(response)
      response.on('close', () => open.delete(response))
      setTimeout(() => answer(response, endpoint, behaviour), delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    calls,
    /** Answers from now on by `next`. */
    plan(next: typeof plan) {
      current = next
    },
    /** Drops every call still waiting for its answer (a hung one fails with a reset). */
    drop() {
      for (const response of open) response.socket?.destroy()
    },
    close: () => {
      for (const response of open) response.destroy()
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function answer(response: ServerResponse, endpoint: 'mint' | 'refresh', behaviour: Behaviour) {
  if (response.destroyed) return
  if (behaviour === 'hang') return
  if (behaviour === 'reset') return response.socket?.destroy()
  if (behaviour === 'non-json') return response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>')
  if (behaviour === 'schema') return response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"access_token":42}}')
  if (behaviour !== 'ok') {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (behaviour.retryAfterSeconds !== undefined) headers['retry-after'] = String(behaviour.retryAfterSeconds)
    return response.writeHead(behaviour.status, headers).end('{"message":"no"}')
  }
  const now = Date.now()
  const data = endpoint === 'mint'
    ? { access_token: `at-${randomUUID()}`, refresh_token: `rt-${randomUUID()}`, access_token_expires_at: now + 600_000, refresh_token_expires_at: now + 86_400_000 }
    : { access_token: `at-${randomUUID()}`, expires_at: now + 600_000 }
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }))
}
