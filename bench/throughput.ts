/**
 * cached_ratio, upstream_ratio and their companions: requests per second of `POST /refresh`
 * over a bare route answering the same JSON on the same server, all in the same server process,
 * loaded by autocannon from this one.
 *   cached            answered from the stored token, through the Fastify plugin (baseline: a bare Fastify route)
 *   fetch_cached      the same through chatzy-agent/fetch on @hono/node-server (baseline: a bare fetch handler there)
 *   node_cached       the same through chatzy-agent/node in Express 5 (baseline: a bare Express route)
 *   upstream          reaching Chatzy on every call, an in-process stub (no socket, no delay)
 *   upstream_http     the same, with the stub behind loopback HTTP in the server process
 *   proxy             no plugin: a route that only forwards each call to the loopback stub, the
 *                     ceiling of upstream_http (three HTTP exchanges where the bare route has one)
 *   proxy_inprocess   no plugin either: the plugin's HTTP client alone calling the in-process
 *                     stub, the ceiling of upstream
 */
import { fork, type ChildProcess } from 'node:child_process'
import autocannon from 'autocannon'

const USER_HEADER = 'x-bench-user'
const browserHeaders = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

export interface ThroughputOptions {
  /** Seconds per measured run. */
  seconds: number
  /** Rounds of bare, then each scenario followed by bare; the median ratio over the rounds counts. */
  rounds: number
  connections: number
  /** Distinct sessions each upstream scenario cycles through, so that no two calls in flight share one. */
  sessions: number
}

const ALL = ['cached', 'upstream', 'proxy_inprocess', 'upstream_http', 'proxy', 'fetch_cached', 'node_cached'] as const
const SCENARIOS = (process.env.BENCH_ONLY ? ALL.filter((s) => process.env.BENCH_ONLY!.split(',').includes(s)) : ALL)
type Scenario = typeof ALL[number]
const BASELINES = ['bare', 'fetch_bare', 'express_bare'] as const
type Baseline = typeof BASELINES[number]
type Route = Scenario | Baseline

type ServerName = 'fastify' | 'fetch' | 'node'
/** Where each scenario is served, the plugin prefix whose sessions it uses (if any), and the bare route it is judged against. */
const ROUTES: Record<Route, { server: ServerName; path: string; sessions?: string; baseline?: Baseline }> = {
  bare: { server: 'fastify', path: '/bare' },
  cached: { server: 'fastify', path: '/cached/refresh', baseline: 'bare' },
  upstream: { server: 'fastify', path: '/upstream/refresh', sessions: '/upstream', baseline: 'bare' },
  upstream_http: { server: 'fastify', path: '/upstream-http/refresh', sessions: '/upstream-http', baseline: 'bare' },
  proxy: { server: 'fastify', path: '/proxy', baseline: 'bare' },
  proxy_inprocess: { server: 'fastify', path: '/proxy-inprocess', baseline: 'bare' },
  fetch_bare: { server: 'fetch', path: '/bare' },
  fetch_cached: { server: 'fetch', path: '/cached/refresh', baseline: 'fetch_bare' },
  express_bare: { server: 'node', path: '/bare' },
  node_cached: { server: 'node', path: '/cached/refresh', baseline: 'express_bare' },
}

export interface ThroughputResult {
  /** Median requests per second of each route over the rounds. */
  rps: Record<Route, number>
  /** Median ratio over the rounds of each scenario to the bare runs around it. */
  ratio: Record<Scenario, number>
  /** The ratio of each round, for a look at the spread. */
  rounds: Record<Scenario, number[]>
  /** Chatzy calls per answered request of the two upstream scenarios (1 when every refresh reached Chatzy). */
  upstream_calls_per_request: number
  upstream_http_calls_per_request: number
  errors: number
}

interface StubCalls { http: { mint: number; refresh: number }; inProcess: { mint: number; refresh: number } }

function startServer(): Promise<{ child: ChildProcess; urls: Record<ServerName, string> }> {
  const child = fork(new URL('./http-server.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the benchmark server did not start within 60 s')), 60_000)
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the benchmark server exited (${code})`)))
    child.on('message', (message: { type: string; urls?: Record<ServerName, string> }) => {
      if (message.type !== 'ready') return
      clearTimeout(timer)
      resolve({ child, urls: message.urls! })
    })
  })
}

function upstreamCalls(child: ChildProcess): Promise<StubCalls> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string; calls?: StubCalls }) => {
      if (message.type !== 'calls') return
      child.off('message', onMessage)
      resolve(message.calls!)
    }
    child.on('message', onMessage)
    child.send({ type: 'calls' })
  })
}

async function startSession(url: string, prefix: string, user: string): Promise<string> {
  const response = await fetch(`${url}${prefix}/session`, { method: 'POST', headers: { ...browserHeaders, [USER_HEADER]: user }, body: '{}' })
  if (response.status !== 200) throw new Error(`POST ${prefix}/session answered ${response.status}`)
  const cookie = response.headers.getSetCookie().find((c) => c.includes('chatzy_session='))
  if (cookie === undefined) throw new Error('no session cookie')
  return cookie.slice(0, cookie.indexOf(';'))
}

export async function measureThroughput(options: ThroughputOptions, log: (line: string) => void): Promise<ThroughputResult> {
  const { child, urls } = await startServer()
  try {
    // Each server's agent has its own store and cookie secret: a cached session on each.
    const cachedCookies = {} as Record<ServerName, string>
    for (const server of Object.keys(urls) as ServerName[]) cachedCookies[server] = await startSession(urls[server], '/cached', 'bench-user-0')
    const sessions: Partial<Record<Scenario, { cookie: string; user: string }[]>> = {}
    for (const scenario of SCENARIOS) {
      const prefix = ROUTES[scenario].sessions
      if (prefix === undefined) continue
      const url = urls[ROUTES[scenario].server]
      const list: { cookie: string; user: string }[] = []
      for (let i = 0; i < options.sessions; i++) list.push({ cookie: await startSession(url, prefix, `bench-user-${i}`), user: `bench-user-${i}` })
      sessions[scenario] = list
    }

    // Every scenario sends the same headers and the same body; only the route (and for the
    // upstream ones, the session and its user) differs.
    const body = JSON.stringify({ expires_at: 1 })
    const run = (route: Route, seconds: number) => {
      const list = route in sessions ? sessions[route as Scenario] : undefined
      let next = 0
      const rotate = list && (() => {
        const session = list[next++ % list.length]!
        return { cookie: session.cookie, [USER_HEADER]: session.user }
      })
      const { server, path } = ROUTES[route]
      return autocannon({
        url: `${urls[server]}${path}`,
        method: 'POST',
        connections: options.connections,
        duration: seconds,
        body,
        headers: { ...browserHeaders, [USER_HEADER]: 'bench-user-0', cookie: cachedCookies[server] },
        ...(rotate && { requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...rotate() } }) }] }),
      })
    }
    log('  warming up')
    for (const baseline of BASELINES) await run(baseline, 2)
    for (const scenario of SCENARIOS) await run(scenario, 2)

    // Each scenario's run sits between two runs of its baseline; its ratio is against their mean,
    // and the median ratio over the rounds counts (the machine's load drifts between rounds).
    const rounds = Object.fromEntries(SCENARIOS.map((name) => [name, [] as number[]])) as Record<Scenario, number[]>
    const rates = Object.fromEntries([...BASELINES, ...SCENARIOS].map((name) => [name, [] as number[]])) as Record<Route, number[]>
    const reached = { upstream: { answered: 0, calls: 0 }, upstream_http: { answered: 0, calls: 0 } }
    let errors = 0
    const measure = async (name: Route, round: number) => {
      const before = name === 'upstream' || name === 'upstream_http' ? await upstreamCalls(child) : undefined
      const result = await run(name, options.seconds)
      if (before !== undefined && (name === 'upstream' || name === 'upstream_http')) {
        const after = await upstreamCalls(child)
        const side = name === 'upstream' ? 'inProcess' : 'http'
        reached[name].answered += result['2xx']
        reached[name].calls += after[side].refresh - before[side].refresh
      }
      errors += result.errors + result.non2xx
      rates[name].push(result.requests.average)
      log(`  round ${round} ${name.padEnd(15)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}`)
      return result.requests.average
    }
    for (let round = 1; round <= options.rounds; round++) {
      // The baseline run after one scenario is the one before the next, when they share it.
      let last: { name: Route; rate: number } | undefined
      for (const scenario of SCENARIOS) {
        const baseline = ROUTES[scenario].baseline!
        const before = last?.name === baseline ? last.rate : await measure(baseline, round)
        const rate = await measure(scenario, round)
        const after = await measure(baseline, round)
        rounds[scenario].push(round3(rate / ((before + after) / 2)))
        last = { name: baseline, rate: after }
      }
    }
    const perRequest = (side: { answered: number; calls: number }) => round3(side.calls / Math.max(1, side.answered))
    return {
      rps: Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, Math.round(median(values))])) as Record<Route, number>,
      ratio: Object.fromEntries(SCENARIOS.map((name) => [name, round3(median(rounds[name]))])) as Record<Scenario, number>,
      rounds,
      upstream_calls_per_request: perRequest(reached.upstream),
      upstream_http_calls_per_request: perRequest(reached.upstream_http),
      errors,
    }
  } finally {
    child.send({ type: 'close' })
    await new Promise((resolve) => {
      const timer = setTimeout(() => { child.kill(); resolve(undefined) }, 5_000)
      child.once('exit', () => { clearTimeout(timer); resolve(undefined) })
    })
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
const round3 = (value: number) => Math.round(value * 1000) / 1000
