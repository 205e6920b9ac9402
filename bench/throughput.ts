/**
 * cached_ratio, upstream_ratio and their companions: requests per second of `POST /refresh`
 * over a bare Fastify route answering the same JSON, all in the same server process, loaded by
 * autocannon from this one.
 *   cached            answered from the stored token
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

const SCENARIOS = ['cached', 'upstream', 'proxy_inprocess', 'upstream_http', 'proxy'] as const
type Scenario = typeof SCENARIOS[number]

/** Where each scenario is served, and the plugin prefix whose sessions it uses (if any). */
const ROUTES: Record<Scenario | 'bare', { path: string; sessions?: string }> = {
  bare: { path: '/bare' },
  cached: { path: '/cached/refresh' },
  upstream: { path: '/upstream/refresh', sessions: '/upstream' },
  upstream_http: { path: '/upstream-http/refresh', sessions: '/upstream-http' },
  proxy: { path: '/proxy' },
  proxy_inprocess: { path: '/proxy-inprocess' },
}

export interface ThroughputResult {
  /** Median requests per second of each route over the rounds. */
  rps: Record<Scenario | 'bare', number>
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

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(new URL('./http-server.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the benchmark server did not start within 60 s')), 60_000)
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the benchmark server exited (${code})`)))
    child.on('message', (message: { type: string; url?: string }) => {
      if (message.type !== 'ready') return
      clearTimeout(timer)
      resolve({ child, url: message.url! })
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
  const { child, url } = await startServer()
  try {
    const cachedCookie = await startSession(url, '/cached', 'bench-user-0')
    const sessions: Partial<Record<Scenario, { cookie: string; user: string }[]>> = {}
    for (const scenario of SCENARIOS) {
      const prefix = ROUTES[scenario].sessions
      if (prefix === undefined) continue
      const list: { cookie: string; user: string }[] = []
      for (let i = 0; i < options.sessions; i++) list.push({ cookie: await startSession(url, prefix, `bench-user-${i}`), user: `bench-user-${i}` })
      sessions[scenario] = list
    }

    // Every scenario sends the same headers and the same body; only the route (and for the
    // upstream ones, the session and its user) differs.
    const body = JSON.stringify({ expires_at: 1 })
    const run = (route: Scenario | 'bare', seconds: number) => {
      const list = route === 'bare' ? undefined : sessions[route]
      let next = 0
      const rotate = list && (() => {
        const session = list[next++ % list.length]!
        return { cookie: session.cookie, [USER_HEADER]: session.user }
      })
      return autocannon({
        url: `${url}${ROUTES[route].path}`,
        method: 'POST',
        connections: options.connections,
        duration: seconds,
        body,
        headers: { ...browserHeaders, [USER_HEADER]: 'bench-user-0', cookie: cachedCookie },
        ...(rotate && { requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...rotate() } }) }] }),
      })
    }
    log('  warming up')
    await run('bare', 2)
    for (const scenario of SCENARIOS) await run(scenario, 2)

    // Each scenario's run sits between two runs of the baseline; its ratio is against their mean,
    // and the median ratio over the rounds counts (the machine's load drifts between rounds).
    const rounds = Object.fromEntries(SCENARIOS.map((name) => [name, [] as number[]])) as Record<Scenario, number[]>
    const rates = Object.fromEntries(['bare', ...SCENARIOS].map((name) => [name, [] as number[]])) as Record<Scenario | 'bare', number[]>
    const reached = { upstream: { answered: 0, calls: 0 }, upstream_http: { answered: 0, calls: 0 } }
    let errors = 0
    const measure = async (name: Scenario | 'bare', round: number) => {
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
      log(`  round ${round} ${name.padEnd(13)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}`)
      return result.requests.average
    }
    for (let round = 1; round <= options.rounds; round++) {
      let before = await measure('bare', round)
      for (const scenario of SCENARIOS) {
        const rate = await measure(scenario, round)
        const after = await measure('bare', round)
        rounds[scenario].push(round3(rate / ((before + after) / 2)))
        before = after
      }
    }
    const perRequest = (side: { answered: number; calls: number }) => round3(side.calls / Math.max(1, side.answered))
    return {
      rps: Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, Math.round(median(values))])) as Record<Scenario | 'bare', number>,
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
