/**
 * cached_ratio and upstream_ratio: requests per second of `POST /refresh` (answered from the
 * stored token; reaching Chatzy) over a bare Fastify route answering the same JSON, all three
 * in the same server process, loaded by autocannon from this one.
 */
import { fork, type ChildProcess } from 'node:child_process'
import autocannon, { type Result } from 'autocannon'

const USER_HEADER = 'x-bench-user'
const browserHeaders = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

export interface ThroughputOptions {
  /** Seconds per measured run. */
  seconds: number
  /** Measured runs of each scenario (interleaved; the best run of each counts). */
  rounds: number
  connections: number
  /** Distinct sessions the upstream scenario cycles through, so that no two calls in flight share one. */
  sessions: number
}

export interface ThroughputResult {
  bare_rps: number
  cached_rps: number
  upstream_rps: number
  cached_ratio: number
  upstream_ratio: number
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
    const scenarios: [name: 'bare' | 'cached' | 'upstream', () => Promise<Result>][] = [
      ['bare', () => run('/bare', options.seconds)],
      ['cached', () => run('/cached/refresh', options.seconds)],
      ['upstream', () => run('/upstream/refresh', options.seconds, rotate)],
    ]

    log('  warming up')
    await run('/bare', 2)
    await run('/cached/refresh', 2)
    await run('/upstream/refresh', 2, rotate)

    const best = { bare: 0, cached: 0, upstream: 0 }
    let errors = 0
    let upstreamAnswered = 0
    let upstreamCallsSeen = 0
    for (let round = 1; round <= options.rounds; round++) {
      for (const [name, scenario] of scenarios) {
        const before = await upstreamCalls(child)
        const result = await scenario()
        const after = await upstreamCalls(child)
        errors += result.errors + result.non2xx
        best[name] = Math.max(best[name], result.requests.average)
        if (name === 'upstream') {
          upstreamAnswered += result['2xx']
          upstreamCallsSeen += after.refresh - before.refresh
        }
        log(`  round ${round} ${name.padEnd(8)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}`)
      }
    }
    return {
      bare_rps: Math.round(best.bare),
      cached_rps: Math.round(best.cached),
      upstream_rps: Math.round(best.upstream),
      cached_ratio: round3(best.cached / best.bare),
      upstream_ratio: round3(best.upstream / best.bare),
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

const round3 = (value: number) => Math.round(value * 1000) / 1000
