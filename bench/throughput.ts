/**
 * cached_ratio and upstream_ratio: requests per second of `POST /refresh` (answered from the
 * stored token; reaching Chatzy) over a bare Fastify route answering the same JSON, all three
 * in the same server process, loaded by autocannon from this one. proxy_ratio is the same for a
 * route with no plugin that only forwards each call to the Chatzy stub: the ceiling of
 * upstream_ratio on this layout, since every upstream refresh costs three HTTP exchanges in one
 * process where the bare route costs one.
 */
import { fork, type ChildProcess } from 'node:child_process'
import autocannon from 'autocannon'

const USER_HEADER = 'x-bench-user'
const browserHeaders = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

export interface ThroughputOptions {
  /** Seconds per measured run. */
  seconds: number
  /** Rounds of bare, cached, bare, upstream, bare, proxy, bare; the median ratio over the rounds counts. */
  rounds: number
  connections: number
  /** Distinct sessions the upstream scenario cycles through, so that no two calls in flight share one. */
  sessions: number
}

export interface ThroughputResult {
  /** Median requests per second of each scenario over the rounds. */
  bare_rps: number
  cached_rps: number
  upstream_rps: number
  proxy_rps: number
  cached_ratio: number
  upstream_ratio: number
  proxy_ratio: number
  /** upstream_ratio over proxy_ratio: how much of the reachable ceiling the plugin keeps. */
  upstream_vs_proxy_ratio: number
  /** The ratio of each round, for a look at the spread. */
  cached_ratios: number[]
  upstream_ratios: number[]
  proxy_ratios: number[]
  /** Chatzy calls per answered upstream-scenario request (1 when every refresh reached Chatzy). */
  upstream_calls_per_request: number
  errors: number
}

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

function upstreamCalls(child: ChildProcess): Promise<{ mint: number; refresh: number }> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string; calls?: { mint: number; refresh: number } }) => {
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
    const upstreamSessions: { cookie: string; user: string }[] = []
    for (let i = 0; i < options.sessions; i++) {
      const user = `bench-user-${i}`
      upstreamSessions.push({ cookie: await startSession(url, '/upstream', user), user })
    }

    // Every scenario sends the same headers and the same body; only the route differs.
    const body = JSON.stringify({ expires_at: 1 })
    const run = (path: string, seconds: number, perRequest?: () => Record<string, string>) => autocannon({
      url: `${url}${path}`,
      method: 'POST',
      connections: options.connections,
      duration: seconds,
      body,
      headers: { ...browserHeaders, [USER_HEADER]: 'bench-user-0', cookie: cachedCookie },
      ...(perRequest && { requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...perRequest() } }) }] }),
    })
    let next = 0
    const rotate = () => {
      const session = upstreamSessions[next++ % upstreamSessions.length]!
      return { cookie: session.cookie, [USER_HEADER]: session.user }
    }
    log('  warming up')
    await run('/bare', 2)
    await run('/cached/refresh', 2)
    await run('/upstream/refresh', 2, rotate)
    await run('/proxy', 2)

    // Each plugin run sits between two runs of the baseline; its ratio is against their mean, and
    // the median ratio over the rounds counts (the machine's load drifts between rounds).
    const ratios = { cached: [] as number[], upstream: [] as number[], proxy: [] as number[] }
    const rates = { bare: [] as number[], cached: [] as number[], upstream: [] as number[], proxy: [] as number[] }
    let errors = 0
    let upstreamAnswered = 0
    let upstreamCallsSeen = 0
    const measure = async (name: 'bare' | 'cached' | 'upstream' | 'proxy', round: number) => {
      const before = name === 'upstream' ? await upstreamCalls(child) : undefined
      const result = name === 'bare' ? await run('/bare', options.seconds)
        : name === 'cached' ? await run('/cached/refresh', options.seconds)
          : name === 'proxy' ? await run('/proxy', options.seconds)
            : await run('/upstream/refresh', options.seconds, rotate)
      if (before !== undefined) {
        upstreamAnswered += result['2xx']
        upstreamCallsSeen += (await upstreamCalls(child)).refresh - before.refresh
      }
      errors += result.errors + result.non2xx
      rates[name].push(result.requests.average)
      log(`  round ${round} ${name.padEnd(8)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}`)
      return result.requests.average
    }
    for (let round = 1; round <= options.rounds; round++) {
      const bare1 = await measure('bare', round)
      const cached = await measure('cached', round)
      const bare2 = await measure('bare', round)
      const upstream = await measure('upstream', round)
      const bare3 = await measure('bare', round)
      const proxy = await measure('proxy', round)
      const bare4 = await measure('bare', round)
      ratios.cached.push(cached / ((bare1 + bare2) / 2))
      ratios.upstream.push(upstream / ((bare2 + bare3) / 2))
      ratios.proxy.push(proxy / ((bare3 + bare4) / 2))
    }
    return {
      bare_rps: Math.round(median(rates.bare)),
      cached_rps: Math.round(median(rates.cached)),
      upstream_rps: Math.round(median(rates.upstream)),
      proxy_rps: Math.round(median(rates.proxy)),
      cached_ratio: round3(median(ratios.cached)),
      upstream_ratio: round3(median(ratios.upstream)),
      proxy_ratio: round3(median(ratios.proxy)),
      upstream_vs_proxy_ratio: round3(median(ratios.upstream) / median(ratios.proxy)),
      cached_ratios: ratios.cached.map(round3),
      upstream_ratios: ratios.upstream.map(round3),
      proxy_ratios: ratios.proxy.map(round3),
      upstream_calls_per_request: round3(upstreamCallsSeen / Math.max(1, upstreamAnswered)),
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
