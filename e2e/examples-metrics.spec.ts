import { test, expect } from '@playwright/test'
import { runExample, type RunningExample } from './examples-run.js'

/**
 * examples/metrics, run as its README says: known traffic (failures from the mock Chatzy's fault
 * injection included) against the plugin's routes, then every metric at /metrics, exactly.
 */
let example: RunningExample
let chatzyUrl: string

test.beforeAll(async () => {
  // Tokens that outlive the test: every refresh below is one this test asks for.
  example = await runExample('metrics', { MOCK_ACCESS_TTL_MS: '600000' })
  chatzyUrl = /Chatzy: (http:\/\/[^\s,]+)/.exec(example.output())![1]!
})
test.afterAll(async () => {
  await example?.stop()
})

const CHATBOT_ID = '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'
const headers = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

async function post(path: '/session' | '/refresh', body: object, cookie?: string) {
  const response = await fetch(`${example.url}/chatzy${path}`, {
    method: 'POST', headers: { ...headers, ...(cookie && { cookie }) }, body: JSON.stringify(body),
  })
  const json = await response.json() as { expires_at: number; code?: string }
  const setCookie = response.headers.get('set-cookie')
  return { status: response.status, json, cookie: setCookie?.split(';')[0] ?? cookie }
}

async function fault(plan: object | undefined) {
  await fetch(`${chatzyUrl}/mock/faults`, plan === undefined
    ? { method: 'DELETE' }
    : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) })
}

/** The exposition as `name{label="value",…}` (labels sorted) → value, comments left out. */
async function scrape(): Promise<Map<string, number>> {
  const text = await (await fetch(`${example.url}/metrics`)).text()
  const series = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null) continue
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => `${key}="${value}"`).sort()
    series.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]))
  }
  return series
}

const only = (series: Map<string, number>, prefix: string) =>
  Object.fromEntries([...series].filter(([key]) => key.startsWith(prefix)))

test('metrics: mints, refreshes by source, failures by code, upstream latency and breakers, exactly as driven', async () => {
  const startedAt = Date.now()
  const a = await post('/session', {})
  const b = await post('/session', {})
  expect([a.status, b.status]).toEqual([200, 200])
  // A tab asking again at once: answered from the store.
  expect((await post('/refresh', { expires_at: 0 }, a.cookie)).status).toBe(200)
  // No cookie: refused.
  expect((await post('/refresh', {}, undefined)).json.code).toBe('CHATZY_NO_SESSION')
  // Chatzy failing every mint: three attempts (retries: 2), then 503.
  await fault({ fault: 'status-500', endpoints: ['mint'] })
  expect((await post('/session', {})).json.code).toBe('CHATZY_UPSTREAM_UNAVAILABLE')
  await fault(undefined)

  // Past the per-session floor (minRefreshIntervalMs, 5 s), tokens renewed at Chatzy: A's by its
  // refresh token, B's by a new mint after Chatzy refuses its refresh token.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + 5_500 - Date.now())))
  expect((await post('/refresh', { expires_at: a.json.expires_at }, a.cookie)).status).toBe(200)
  await fault({ fault: 'refuse', endpoints: ['refresh'], times: 1 })
  expect((await post('/refresh', { expires_at: b.json.expires_at }, b.cookie)).status).toBe(200)
  await fault(undefined)

  const series = await scrape()
  expect(only(series, 'chatzy_mints_total')).toEqual({ [`chatzy_mints_total{chatbot="${CHATBOT_ID}"}`]: 3 })
  expect(only(series, 'chatzy_refreshes_total')).toEqual({
    'chatzy_refreshes_total{source="store"}': 1,
    'chatzy_refreshes_total{source="upstream"}': 2,
  })
  expect(only(series, 'chatzy_failures_total')).toEqual({
    'chatzy_failures_total{code="CHATZY_NO_SESSION"}': 1,
    'chatzy_failures_total{code="CHATZY_UPSTREAM_UNAVAILABLE"}': 1,
  })
  expect(only(series, 'chatzy_upstream_duration_seconds_count')).toEqual({
    'chatzy_upstream_duration_seconds_count{operation="mint",outcome="ok"}': 3,
    'chatzy_upstream_duration_seconds_count{operation="mint",outcome="server-error"}': 3,
    'chatzy_upstream_duration_seconds_count{operation="refresh",outcome="ok"}': 1,
    'chatzy_upstream_duration_seconds_count{operation="refresh",outcome="refused"}': 1,
  })
  // Every attempt lands in the +Inf bucket, and took some time.
  expect(series.get('chatzy_upstream_duration_seconds_bucket{le="+Inf",operation="mint",outcome="server-error"}')).toBe(3)
  expect(series.get('chatzy_upstream_duration_seconds_sum{operation="mint",outcome="ok"}')).toBeGreaterThan(0)
  expect(only(series, 'chatzy_breaker_state')).toEqual({
    [`chatzy_breaker_state{chatbot="${CHATBOT_ID}",state="closed"}`]: 1,
    [`chatzy_breaker_state{chatbot="${CHATBOT_ID}",state="half-open"}`]: 0,
    [`chatzy_breaker_state{chatbot="${CHATBOT_ID}",state="open"}`]: 0,
  })
  expect(only(series, 'chatzy_store_up')).toEqual({ 'chatzy_store_up{}': 1 })
})
