import { subscribe } from 'node:diagnostics_channel'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import {
  diagnosticsChannels,
  type ChatzyHealth,
  type SessionRefusedMessage,
  type UpstreamCallMessage,
} from 'chatzy-agent/server'

const BREAKER_STATES = ['closed', 'half-open', 'open'] as const

/**
 * The plugin's Prometheus metrics, built from its diagnostics channels alone: the plugin knows
 * nothing of prom-client. Channels are process-wide, so call this once per process.
 * `health` is `fastify.chatzy.health`, read at each scrape for the breakers and the store.
 */
export function chatzyMetrics(health: () => Promise<ChatzyHealth>, registry = new Registry()): Registry {
  const registers = [registry]

  const mints = new Counter({
    name: 'chatzy_mints_total',
    help: 'Tokens minted at Chatzy (get_access_token answered): new sessions, and re-mints when a refresh token was refused.',
    labelNames: ['chatbot'] as const,
    registers,
  })
  const refreshes = new Counter({
    name: 'chatzy_refreshes_total',
    help: 'Tokens handed out for existing sessions, by source: the stored token (store) or a renewal at Chatzy (upstream, once however many tabs shared it).',
    labelNames: ['source'] as const,
    registers,
  })
  const failures = new Counter({
    name: 'chatzy_failures_total',
    help: 'Error answers of the plugin\'s routes, by CHATZY_* code.',
    labelNames: ['code'] as const,
    registers,
  })
  const upstreamSeconds = new Histogram({
    name: 'chatzy_upstream_duration_seconds',
    help: 'Duration of each HTTP attempt at Chatzy, retries included, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  })
  new Gauge({
    name: 'chatzy_breaker_state',
    help: 'Each chatbot\'s circuit breaker: 1 for the state it is in (closed, half-open, open), 0 for the others.',
    labelNames: ['chatbot', 'state'] as const,
    registers,
    async collect() {
      const { breakers } = await health()
      this.reset()
      for (const [chatbot, current] of Object.entries(breakers)) {
        for (const state of BREAKER_STATES) this.set({ chatbot, state }, state === current ? 1 : 0)
      }
    },
  })
  new Gauge({
    name: 'chatzy_store_up',
    help: '1 when the session store answered at the last scrape, 0 when it did not.',
    registers,
    async collect() {
      this.set((await health()).store.reachable ? 1 : 0)
    },
  })

  // A tracing channel's asyncEnd comes once per attempt, failed or not, with its outcome.
  subscribe(`tracing:${diagnosticsChannels.upstream}:asyncEnd`, (message) => {
    const call = message as UpstreamCallMessage
    upstreamSeconds.observe({ operation: call.operation, outcome: call.outcome ?? 'unknown' }, (call.durationMs ?? 0) / 1000)
    if (call.operation === 'mint' && call.outcome === 'ok') mints.inc({ chatbot: call.chatbotId })
  })
  subscribe(diagnosticsChannels.sessionReused, () => refreshes.inc({ source: 'store' }))
  subscribe(diagnosticsChannels.sessionRefreshed, () => refreshes.inc({ source: 'upstream' }))
  subscribe(diagnosticsChannels.sessionRefused, (message) => failures.inc({ code: (message as SessionRefusedMessage).code }))
  return registry
}
