/**
 * `npm run load`: 500 sessions (two tabs each) refreshing concurrently against the plugin for
 * 30 s while Chatzy fails one call in ten, then checks what must hold:
 *   - no answer is a 500;
 *   - no session is lost (no 401, and every session still refreshes at the end);
 *   - every client ends holding a token Chatzy holds valid, for its own user;
 *   - Chatzy issued at most one token per session per refresh interval (plus the first mint);
 *   - a hostile tenant (one more user, looping mints and refreshes as fast as it can) costs
 *     the others no 401 and no 503 from a shut breaker, and Chatzy no more than `mintLimit`
 *     plus one call per session per `minRefreshIntervalMs`.
 * Prints what held and exits non-zero when something did not.
 *
 *   LOAD_SECONDS   duration (default 30; e.g. 8 for a quick run)
 *   LOAD_SESSIONS  sessions (default 500)
 *   LOAD_TABS      tabs per session, refreshing on the same schedule (default 2)
 *   LOAD_TTL_MS    access-token lifetime at the mock Chatzy: the refresh interval (default 5000)
 *   LOAD_INSTANCES app instances sharing a Redis store, a session's tabs spread over them
 *                  (default 1: one instance, memory store; more needs redis-server on the PATH)
 *
 * Time is compressed: tokens live seconds instead of Chatzy's ~15 minutes, so the plugin's
 * refresh margin and per-session floor are scaled down with them.
 */
import { fork, type ChildProcess } from 'node:child_process'
import type { Fault, FaultPlan } from '../demo/mock-chatzy/faults.js'
import type { ServerConfig, TenantStats, UpstreamStats } from './server.js'

const USER_HEADER = 'x-load-user'
const seconds = Number(process.env.LOAD_SECONDS ?? 30)
const sessions = Number(process.env.LOAD_SESSIONS ?? 500)
const tabs = Number(process.env.LOAD_TABS ?? 2)
const ttlMs = Number(process.env.LOAD_TTL_MS ?? 5_000)
const instances = Number(process.env.LOAD_INSTANCES ?? 1)
const config: ServerConfig = {
  accessTtlMs: ttlMs,
  refreshMarginMs: Math.round(ttlMs / 5),
  minRefreshIntervalMs: Math.round(ttlMs / 5),
  // Long enough that a busy machine's slow answers are not abandoned (and re-asked) as timeouts:
  // the first attempt gets half of it (4 s), a retry after a hang the rest.
  timeoutMs: 8_000,
  retries: 2,
  instances,
  hostileUser: 'load-hostile',
  mintLimit: { max: 10, windowMs: 60_000 },
}
/** Requests the hostile tenant keeps in flight at once (two tabs' worth, each looping). */
const HOSTILE_LOOPS = 2
// One fault kind at a time, each for a few seconds; `every: 10` makes one upstream call in ten fail.
// Outages and garbage only: a refusal of both the refresh token and the re-mint ends a session
// by design (401, the element starts a new one), which the fault suites cover. Hangs first:
// everyone loads the page at once while one mint in ten never answers, and those hung calls all
// reach their deadline together.
const FAULTS: Fault[] = ['hang', 'status-500', 'reset', 'non-json', 'schema', 'oversized', 'delay']
const FAULT_PERIOD_MS = 3_000
const GRACE_MS = 15_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const browserHeaders = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

let chatzyUrl = ''

/** Asks Chatzy (the mock's own token check, as its iframe makes it) about a tab's token: undefined when valid for its user. */
async function tokenInfo(user: string, tab: Tab): Promise<string | undefined> {
  try {
    const response = await fetch(`${chatzyUrl}/mock/token-info?access_token=${encodeURIComponent(tab.token)}`, { signal: AbortSignal.timeout(10_000) })
    const info = (await response.json()) as { valid: boolean; reason?: string; user_id?: string }
    if (info.valid && info.user_id === user) return undefined
    return info.user_id !== undefined && info.user_id !== user ? "another user's token" : (info.reason ?? 'invalid')
  } catch {
    return 'Chatzy could not be asked'
  }
}

function startServer(): Promise<{ child: ChildProcess; urls: string[]; store: string }> {
  const child = fork(new URL('./server.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LOAD_SERVER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the load server did not start within 60 s')), 60_000)
    child.once('error', reject)
    child.on('message', (message: { type: string; urls?: string[]; chatzyUrl?: string; store?: string }) => {
      if (message.type !== 'ready') return
      clearTimeout(timer)
      chatzyUrl = message.chatzyUrl!
      resolve({ child, urls: message.urls!, store: message.store! })
    })
  })
}

function ask<T>(child: ChildProcess, message: { type: string; [field: string]: unknown }): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: { type: string }) => {
      if (answer.type !== message.type) return
      child.off('message', onMessage)
      resolve(answer as T)
    }
    child.on('message', onMessage)
    child.send(message)
  })
}

/** A tab talks to one app instance (`url`), as a load balancer with sticky connections would have it. */
interface Tab { url: string; token: string; expiresAt: number; lastOk: boolean }
interface Session { user: string; cookie: string; tabs: Tab[] }

const statuses = new Map<number, number>()
/** Answers by the fault Chatzy was showing when they arrived. */
const byFault = new Map<string, Map<number, number>>()
let currentFault = 'none'
const count = (status: number) => {
  statuses.set(status, (statuses.get(status) ?? 0) + 1)
  const tally = byFault.get(currentFault) ?? new Map<number, number>()
  tally.set(status, (tally.get(status) ?? 0) + 1)
  byFault.set(currentFault, tally)
}
let networkErrors = 0
const lost = new Set<string>()
const clientTimeline = new Map<string, string[]>()
let clock0 = Date.now()
const noteClient = (user: string, event: string) => {
  const events = clientTimeline.get(user) ?? []
  events.push(`${Date.now() - clock0}ms ${event}`)
  clientTimeline.set(user, events)
}

async function call(url: string, path: string, user: string, cookie: string | undefined, body: object): Promise<{ status: number; json?: { access_token: string; expires_at: number }; setCookie?: string }> {
  try {
    const response = await fetch(`${url}/chatzy${path}`, {
      method: 'POST',
      headers: { ...browserHeaders, [USER_HEADER]: user, ...(cookie && { cookie }) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    })
    count(response.status)
    noteClient(user, `${path} ${response.status}`)
    const text = await response.text()
    const setCookie = response.headers.getSetCookie().find((c) => c.includes('chatzy_session='))
    return { status: response.status, ...(response.ok && { json: JSON.parse(text) }), ...(setCookie && { setCookie: setCookie.slice(0, setCookie.indexOf(';')) }) }
  } catch {
    networkErrors++
    return { status: 0 }
  }
}

/** POST /session until it succeeds (Chatzy may fail the mint): what the element does on load. */
async function startSession(urls: string[], index: number, deadline: number): Promise<Session | undefined> {
  const user = `load-user-${index}`
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const answer = await call(urls[index % urls.length]!, '/session', user, undefined, {})
    if (answer.status === 200 && answer.json && answer.setCookie) {
      const tab = (n: number): Tab => ({ url: urls[(index + n) % urls.length]!, token: answer.json!.access_token, expiresAt: answer.json!.expires_at, lastOk: true })
      return { user, cookie: answer.setCookie, tabs: Array.from({ length: tabs }, (_, n) => tab(n)) }
    }
    await sleep(200 + Math.random() * 400 * Math.min(4, attempt + 1))
  }
  return undefined
}

/** One refresh as the element does it: POST /refresh with the expiry of the token held. */
async function refresh(session: Session, tab: Tab): Promise<boolean> {
  const answer = await call(tab.url, '/refresh', session.user, session.cookie, { expires_at: tab.expiresAt })
  if (answer.status === 200 && answer.json) {
    tab.token = answer.json.access_token
    tab.expiresAt = answer.json.expires_at
    tab.lastOk = true
    return true
  }
  if (answer.status === 401) lost.add(session.user)
  tab.lastOk = false
  return false
}

/**
 * The hostile tenant: a signed-in user who loops as fast as it can, each loop alternating a new
 * session (a mint, as a page load without the cookie) and refreshes of the newest one that ask
 * for a newer token than the one held. What it gets back does not matter, only what it costs.
 */
async function runHostile(url: string, deadline: number) {
  let cookie: string | undefined
  let held = 0
  while (Date.now() < deadline) {
    const started = await call(url, '/session', config.hostileUser, undefined, {})
    if (started.setCookie) cookie = started.setCookie
    if (started.json) held = started.json.expires_at
    for (let i = 0; i < 20 && cookie !== undefined && Date.now() < deadline; i++) {
      const refreshed = await call(url, '/refresh', config.hostileUser, cookie, { expires_at: held })
      if (refreshed.json) held = refreshed.json.expires_at
    }
  }
}

/**
 * What the hostile tenant cost: Chatzy's calls for it against its budget (`mintLimit` per
 * window begun, plus one per session per floor over each session's life), the closest two
 * upstream calls of one of its sessions, and what it did to everyone else.
 */
function hostileFigures(tenants: TenantStats, end: number, started: number) {
  const floor = config.minRefreshIntervalMs
  const mints = tenants.hostileSessions.length
  const refreshes = tenants.hostileSessions.reduce((sum, s) => sum + s.issuedAt.length - 1, 0)
  const mintAllowed = config.mintLimit.max * Math.ceil((end - started) / config.mintLimit.windowMs)
  const refreshAllowed = tenants.hostileSessions.reduce((sum, s) => sum + Math.ceil((end - s.mintedAt) / floor), 0)
  const gaps = tenants.hostileSessions.flatMap((s) => s.issuedAt.slice(1).map((at, i) => at - s.issuedAt[i]!))
  const closest = gaps.length === 0 ? undefined : Math.min(...gaps)
  return { mints, refreshes, mintAllowed, refreshAllowed, closest, floor }
}

/** A tab: asks when its token expires (as Chatzy's iframe does), retries failures with backoff. */
async function runTab(session: Session, tab: Tab, deadline: number) {
  let failures = 0
  for (;;) {
    const due = tab.lastOk ? tab.expiresAt + Math.random() * 250 : Date.now() + 200 + Math.random() * 400 * Math.min(4, failures)
    if (due >= deadline) return
    await sleep(Math.max(0, due - Date.now()))
    failures = (await refresh(session, tab)) ? 0 : failures + 1
  }
}

async function main() {
  const { child, urls, store } = await startServer()
  console.log(`load: ${sessions} sessions x ${tabs} tabs on ${urls.length} instance(s) (${store} store), ${seconds} s, token lifetime ${ttlMs} ms, 1 upstream call in 10 faulted`)
  const started = Date.now()
  clock0 = started
  const deadline = started + seconds * 1_000
  let faultIndex = 0
  const rotate = async () => {
    const plan: FaultPlan = { fault: FAULTS[faultIndex++ % FAULTS.length]!, every: 10, delayMs: 300 }
    await ask(child, { type: 'faults', plan })
    currentFault = plan.fault
  }
  await rotate()
  const rotation = setInterval(() => void rotate(), FAULT_PERIOD_MS)

  try {
    // Everyone loads the page at once; the hostile tenant is the 500th session.
    const all = (await Promise.all(Array.from({ length: sessions - 1 }, (_, i) => startSession(urls, i, deadline))))
    const live = all.filter((s): s is Session => s !== undefined)
    const neverStarted = sessions - 1 - live.length
    const hostile = Array.from({ length: HOSTILE_LOOPS }, () => runHostile(urls[0]!, deadline))
    await Promise.all([...hostile, ...live.flatMap((session) => session.tabs.map((tab) => runTab(session, tab, deadline)))])
    clearInterval(rotation)
    await ask(child, { type: 'clear' })
    currentFault = 'healed'
    const faultedFor = Date.now() - started

    // Chatzy healed. A tab whose last ask failed, or whose token is about to expire, asks again
    // until it succeeds (as the element retries); then its token is checked at Chatzy at once,
    // as the iframe checks every token it uses.
    const graceEnd = Date.now() + GRACE_MS
    const verdicts = await Promise.all(live.flatMap((session) => session.tabs.map(async (tab) => {
      for (;;) {
        while ((!tab.lastOk || tab.expiresAt - Date.now() < ttlMs / 2) && Date.now() < graceEnd) {
          await sleep((await refresh(session, tab)) ? 100 : 300)
        }
        const verdict = await tokenInfo(session.user, tab)
        // A token that reached the expiry it was answered with while the check was under way (a
        // busy machine) is no wrong answer: as the iframe would, the tab asks again and rechecks.
        // One that Chatzy holds expired before that expiry is.
        if (verdict !== 'expired' || tab.expiresAt > Date.now() || Date.now() >= graceEnd) return verdict
      }
    })))
    const elapsed = Date.now() - started

    const reasons = verdicts.filter((verdict): verdict is string => verdict !== undefined)
    const { stats } = await ask<{ stats: UpstreamStats }>(child, { type: 'stats' })

    // One token per session per refresh interval, plus the first mint.
    const allowed = Math.ceil(elapsed / ttlMs) + 1
    const issuedPerSession = live.map((s) => stats.issued[s.user] ?? 0)
    const callsPerSession = live.map((s) => stats.calls[s.user] ?? 0)
    const overBudget = issuedPerSession.filter((n) => n > allowed).length
    const invalidTokens = reasons.length
    const answers = [...statuses.entries()].sort(([a], [b]) => a - b)
    const { tenants } = stats
    const cost = hostileFigures(tenants, Date.now(), started)
    const othersLost = tenants.otherStatuses['401'] ?? 0
    const tally = (statuses: Record<string, number>) => Object.entries(statuses).map(([status, n]) => `${status}: ${n}`).join(', ')

    const checks: [string, boolean, string][] = [
      ['no 500 answer', (statuses.get(500) ?? 0) === 0 && (stats.pluginStatuses['500'] ?? 0) === 0, `${statuses.get(500) ?? 0} answers were 500`],
      ['no network error', networkErrors === 0, `${networkErrors} requests failed at the network level`],
      ['every session started', neverStarted === 0, `${neverStarted} sessions never got a first token`],
      ['no session lost', lost.size === 0, `${lost.size} sessions were answered 401`],
      ['every client ends with a valid token', invalidTokens === 0, `${verdicts.length - invalidTokens}/${verdicts.length} tabs hold a token Chatzy holds valid for their user`],
      ['upstream within one call per session per refresh interval', overBudget === 0,
        `tokens issued per session: max ${Math.max(0, ...issuedPerSession)}, allowed ${allowed} (${elapsed} ms / ${ttlMs} ms + 1 mint); ${overBudget} sessions over`],
      ['hostile tenant: no 401 and no breaker 503 for the others', othersLost === 0 && tenants.othersBreakerFailFast === 0,
        `the other ${live.length} sessions got 401: ${othersLost}, 503 from a shut breaker: ${tenants.othersBreakerFailFast}`],
      ['hostile tenant: upstream within mintLimit + floor budget',
        cost.mints <= cost.mintAllowed && cost.refreshes <= cost.refreshAllowed && (cost.closest === undefined || cost.closest >= cost.floor),
        `${cost.mints + cost.refreshes} calls (${cost.mints} mints, allowed ${cost.mintAllowed}; ${cost.refreshes} refreshes, allowed ${cost.refreshAllowed}); closest two of one session ${cost.closest ?? '-'} ms apart, floor ${cost.floor} ms`],
    ]

    console.log()
    console.log(`ran ${(faultedFor / 1000).toFixed(1)} s with faults (${FAULTS.slice(0, Math.min(faultIndex, FAULTS.length)).join(', ')}), then ${((elapsed - faultedFor) / 1000).toFixed(1)} s healed`)
    console.log(`answers: ${answers.map(([status, n]) => `${status}: ${n}`).join(', ')}`)
    for (const [fault, tally] of byFault) {
      console.log(`  while ${fault.padEnd(10)} ${[...tally.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`).join(', ')}`)
    }
    console.log(`upstream: ${stats.totals.mint} mint + ${stats.totals.refresh} refresh calls (faulted and retried included; max ${Math.max(0, ...callsPerSession)} per session), ${stats.totals.issued} tokens issued`)
    console.log(`plugin error log lines: ${stats.errorLogLines}`)
    for (const [cause, n] of Object.entries(stats.errorCauses).sort(([, a], [, b]) => b - a).slice(0, 6)) console.log(`  ${String(n).padStart(6)}  ${cause}`)
    console.log(`hostile tenant (${HOSTILE_LOOPS} loops): answered ${tally(tenants.hostileStatuses)}; Chatzy issued it ${cost.mints + cost.refreshes} tokens (${stats.calls[config.hostileUser] ?? 0} calls, faulted and retried included)`)
    console.log(`the other ${live.length} sessions: answered ${tally(tenants.otherStatuses)}`)
    if (reasons.length > 0) console.log(`tokens not valid: ${[...new Set(reasons)].slice(0, 5).join('; ')}`)
    console.log()
    for (const [name, held, detail] of checks) console.log(`${held ? 'held  ' : 'FAILED'}  ${name.padEnd(58)} ${detail}`)
    const over = live.filter((s) => (stats.issued[s.user] ?? 0) > allowed || lost.has(s.user)).slice(0, 3)
    for (const session of over) console.log(`\n${session.user} (${lost.has(session.user) ? 'lost' : 'over budget'}), as Chatzy saw it:\n  ${(stats.timeline[session.user] ?? []).join('\n  ')}\n  client side: ${(clientTimeline.get(session.user) ?? []).join(', ')}`)
    if (checks.some(([, held]) => !held)) process.exitCode = 1
  } finally {
    clearInterval(rotation)
    child.send({ type: 'close' })
    await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(5_000)])
    if (child.exitCode === null) child.kill()
  }
}

await main()
