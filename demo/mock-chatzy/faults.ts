import type { FastifyReply, FastifyRequest } from 'fastify'

/** Ways the mock Chatzy API can misbehave, for fault tests and for trying the demo. */
export type Fault =
  | 'delay' // answers normally, after `delayMs`
  | 'hang' // never answers (until the fault is cleared, then the connection is dropped)
  | 'status-500' // 500 with a JSON body
  | 'reset' // the TCP connection is destroyed
  | 'non-json' // 200 with an HTML body
  | 'oversized' // 200 with a 1 MiB JSON body
  | 'schema' // 200 JSON that does not match the documented answer
  | 'refuse' // 401, as for a revoked refresh token or a bad key
  | 'throttle' // 429, as an API gateway answers when it rate-limits

export type Endpoint = 'mint' | 'refresh'

export interface FaultPlan {
  fault: Fault
  /** Which endpoints misbehave; both by default. */
  endpoints?: Endpoint[]
  /** How many calls misbehave before the API heals by itself; forever by default. */
  times?: number
  delayMs?: number
  /** Only one call in `every` misbehaves (1 = all of them). */
  every?: number
  /** Only calls for these chatbot ids / user ids misbehave; all by default. */
  chatbots?: string[]
  users?: string[]
  /** `throttle`: the `Retry-After` header (seconds) sent with the 429; none by default. */
  retryAfterSeconds?: number
}

export function faultInjector() {
  let plan: FaultPlan | undefined
  let left = Infinity
  let seen = 0
  const hanging = new Set<() => void>()

  return {
    inject(next: FaultPlan) {
      plan = next
      left = next.times ?? Infinity
      seen = 0
    },
    clear() {
      plan = undefined
      for (const release of hanging) release()
      hanging.clear()
    },
    get active(): FaultPlan | undefined {
      return plan
    },

    /** Runs before the endpoint; returns true when it has answered (or dropped) the call itself. */
    async apply(endpoint: Endpoint, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
      if (plan === undefined || left <= 0) return false
      if (plan.endpoints !== undefined && !plan.endpoints.includes(endpoint)) return false
      const body = request.body as { chatbot_id?: unknown; user_id?: unknown } | undefined
      if (plan.chatbots !== undefined && !plan.chatbots.includes(String(body?.chatbot_id))) return false
      if (plan.users !== undefined && !plan.users.includes(String(body?.user_id))) return false
      seen++
      if (plan.every !== undefined && seen % plan.every !== 0) return false
      left--
      switch (plan.fault) {
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, plan?.delayMs ?? 1_000))
          return false
        case 'hang':
          // Wait on the socket: the request stream itself closes as soon as its body is read.
          await new Promise<void>((resolve) => {
            hanging.add(resolve)
            request.raw.socket.once('close', () => resolve())
          })
          reply.hijack()
          request.raw.socket.destroy()
          return true
        case 'status-500':
          await reply.code(500).send({ message: 'Internal server error' })
          return true
        case 'reset':
          // Taken out of Fastify's hands, so that the endpoint never runs (and issues no token).
          reply.hijack()
          request.raw.socket.destroy()
          return true
        case 'non-json':
          await reply.code(200).type('text/html').send('<html><body>502 Bad Gateway</body></html>')
          return true
        case 'oversized':
          await reply.code(200).type('application/json').send(JSON.stringify({ data: { padding: 'x'.repeat(1 << 20) } }))
          return true
        case 'schema':
          await reply.code(200).type('application/json').send(JSON.stringify({ data: { access_token: 42 } }))
          return true
        case 'throttle':
          if (plan.retryAfterSeconds !== undefined) reply.header('retry-after', String(plan.retryAfterSeconds))
          await reply.code(429).send({ message: 'Too Many Requests' })
          return true
        case 'refuse':
          await reply.code(401).send({ message: 'Unauthorized' })
          return true
      }
    },
  }
}

export type FaultInjector = ReturnType<typeof faultInjector>
