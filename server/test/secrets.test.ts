import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { inspect } from 'node:util'
import Fastify, { type LightMyRequestResponse } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import chatzyAgent, { diagnosticsChannels, logRedactPaths, memoryStore, type SessionStore } from '../src/index.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET, buildApp, call, captureLogs, sessionCookieOf, startChatzy } from './helpers.js'

/**
 * Every message on every diagnostics channel, written out in full (errors with their causes,
 * hidden properties and all), by channel name.
 */
function captureChannels(t: TestContext): Map<string, string[]> {
  const seen = new Map<string, string[]>()
  const record = (name: string) => (message: unknown) => {
    seen.set(name, [...seen.get(name) ?? [], inspect(message, { depth: Infinity, showHidden: true, getters: true })])
  }
  const { upstream, ...events } = diagnosticsChannels
  for (const name of Object.values(events)) {
    const listener = record(name)
    subscribe(name, listener)
    t.after(() => unsubscribe(name, listener))
  }
  const traced = {
    start: record(`${upstream}:start`),
    end: record(`${upstream}:end`),
    asyncStart: record(`${upstream}:asyncStart`),
    asyncEnd: record(`${upstream}:asyncEnd`),
    error: record(`${upstream}:error`),
  }
  tracingChannel(upstream).subscribe(traced)
  t.after(() => tracingChannel(upstream).unsubscribe(traced))
  return seen
}

/**
 * Runs every route and every error path with the log at trace level and every diagnostics
 * channel subscribed, then looks for each secret in every log line, every channel message and
 * every answer.
 */
test('no refresh token, API key, access token or cookie value in any log line or diagnostics message; no secret in any answer', async (t) => {
  const chatzy = await startChatzy()
  const channels = captureChannels(t)
  const logs = captureLogs()
  const sessions = memoryStore()
  // A store that fails the way a Redis client does: the failed command, session and all, on the error.
  let storeDown = false
  const store: SessionStore = {
    get: (id) => sessions.get(id),
    delete: (id) => sessions.delete(id),
    async set(id, session, ttlMs) {
      if (storeDown) throw Object.assign(new Error('READONLY You can\'t write against a read only replica.'), { command: { name: 'set', args: [id, JSON.stringify(session)] } })
      return sessions.set(id, session, ttlMs)
    },
  }
  const app = await buildApp(chatzy, { store, retries: 1, timeoutMs: 500, minRefreshIntervalMs: 0 }, { logger: { level: 'trace', stream: logs.stream } })
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))

  const answers: { name: string; response: LightMyRequestResponse }[] = []
  const cookies = new Set<string>()
  async function run(name: string, request: Promise<LightMyRequestResponse>) {
    const response = await request
    answers.push({ name, response })
    for (const c of response.cookies) if (c.value !== '') cookies.add(c.value)
    return response
  }
  const user = 'alice'

  // The routes, working.
  const started = await run('session', call(app, 'POST', '/session', { user }))
  assert.equal(started.statusCode, 200)
  const cookie = sessionCookieOf(started)
  const held = started.json().expires_at
  await run('refresh upstream', call(app, 'POST', '/refresh', { user, cookie, body: { expires_at: held } }))
  await run('refresh reuse', call(app, 'POST', '/refresh', { user, cookie, body: { expires_at: 0 } }))
  await run('reload', call(app, 'POST', '/session', { user, cookie }))
  chatzy.revokeRefreshTokens()
  await run('refresh re-mint', call(app, 'POST', '/refresh', { user, cookie, body: { expires_at: 8.64e15 } }))

  // Every refusal.
  await run('unauthenticated', call(app, 'POST', '/session'))
  await run('bad chatbot', call(app, 'POST', '/session', { user, body: { chatbot_id: 'other' } }))
  await run('bad body', call(app, 'POST', '/refresh', { user, cookie, body: { refresh_token: 'x' } }))
  await run('no header', app.inject({ method: 'POST', url: '/chatzy/refresh', headers: { 'content-type': 'application/json', cookie }, payload: {} }))
  await run('bad origin', call(app, 'POST', '/refresh', { user, cookie, headers: { origin: 'https://evil.example' } }))
  await run('415', app.inject({ method: 'POST', url: '/chatzy/refresh', headers: { 'content-type': 'text/plain', 'x-chatzy-agent': '1', cookie }, payload: '{}' }))
  await run('413', call(app, 'POST', '/refresh', { user, cookie, body: { pad: 'x'.repeat(8_192) } }))
  await run('poisoned', app.inject({ method: 'POST', url: '/chatzy/refresh', headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1', cookie }, payload: '{"__proto__":{"x":1}}' }))
  await run('no cookie', call(app, 'POST', '/refresh', { user }))
  await run('tampered cookie', call(app, 'POST', '/refresh', { user, cookie: cookie.slice(0, -3) + 'abc' }))

  // Every upstream failure.
  for (const fault of ['status-500', 'reset', 'non-json', 'schema', 'oversized'] as const) {
    chatzy.faults.inject({ fault, endpoints: ['refresh'] })
    await run(`refresh ${fault}`, call(app, 'POST', '/refresh', { user, cookie, body: { expires_at: 8.64e15 } }))
  }
  chatzy.faults.inject({ fault: 'delay', delayMs: 800, endpoints: ['mint'] })
  await run('mint timeout', call(app, 'POST', '/session', { user: 'bob' }))
  chatzy.faults.inject({ fault: 'refuse' })
  await run('all refused', call(app, 'POST', '/refresh', { user, cookie, body: { expires_at: 8.64e15 } }))
  await run('mint refused', call(app, 'POST', '/session', { user: 'carol' }))
  chatzy.faults.clear()

  // The store failing, another user, signing out.
  const dave = await run('dave', call(app, 'POST', '/session', { user: 'dave' }))
  storeDown = true
  await run('store down', call(app, 'POST', '/refresh', { user: 'dave', cookie: sessionCookieOf(dave), body: { expires_at: 8.64e15 } }))
  storeDown = false
  await run('other user', call(app, 'POST', '/refresh', { user: 'mallory', cookie: sessionCookieOf(dave) }))
  const erin = await run('erin', call(app, 'POST', '/session', { user: 'erin' }))
  await run('end', call(app, 'DELETE', '/session', { cookie: sessionCookieOf(erin) }))
  // Past the user's mintLimit (10 a minute by default): 429.
  for (let i = 0; i < 11; i++) await run('mint limit', call(app, 'POST', '/session', { user: 'frank' }))

  const statuses = new Set(answers.map((a) => a.response.statusCode))
  for (const status of [200, 204, 400, 401, 403, 413, 415, 429, 502, 503, 504]) assert.ok(statuses.has(status), `path with ${status} was run`)
  assert.ok(chatzy.issued.refresh.size >= 3 && chatzy.issued.access.size >= 4)
  assert.ok(logs.lines.length > 50, 'trace logging was on')

  const sessionIds = [...cookies].map((value) => decodeURIComponent(value).replace(/\.[^.]*$/, ''))
  const secrets: [string, string][] = [
    ['API key', API_KEY],
    ...[...chatzy.issued.refresh].map((v): [string, string] => ['refresh token', v]),
    ...[...chatzy.issued.access].map((v): [string, string] => ['access token', v]),
    ...[...cookies].map((v): [string, string] => ['cookie value', v]),
    ...[...cookies].map((v): [string, string] => ['cookie value', decodeURIComponent(v)]),
    ...sessionIds.map((v): [string, string] => ['session id', v]),
  ]
  const logText = logs.text()
  for (const [kind, value] of secrets) assert.ok(!logText.includes(value), `a ${kind} is in the log`)

  const { upstream, ...events } = diagnosticsChannels
  const published = [...Object.values(events), ...['start', 'end', 'asyncStart', 'asyncEnd', 'error'].map((event) => `${upstream}:${event}`)]
  for (const name of published) assert.ok((channels.get(name) ?? []).length > 0, `${name} was published`)
  for (const [name, messages] of channels) {
    for (const message of messages) {
      for (const [kind, value] of secrets) assert.ok(!message.includes(value), `a ${kind} is in a message on ${name}: ${message}`)
    }
  }

  for (const { name, response } of answers) {
    const visible = response.body + JSON.stringify(response.headers)
    assert.ok(!visible.includes(API_KEY), `API key in the answer to ${name}`)
    for (const token of chatzy.issued.refresh) assert.ok(!visible.includes(token), `refresh token in the answer to ${name}`)
    if (response.statusCode !== 200) {
      for (const token of chatzy.issued.access) assert.ok(!response.body.includes(token), `access token in the error answer to ${name}`)
    } else {
      // The access token appears where it belongs, and nowhere else.
      const body = response.json()
      const rest = { ...body, access_token: undefined, iframe_url: undefined }
      for (const token of chatzy.issued.access) assert.ok(!JSON.stringify(rest).includes(token), `access token outside its fields in ${name}`)
      for (const id of sessionIds) assert.ok(!response.body.includes(id), `session id in the body of ${name}`)
    }
  }
})

test('a host that logs request headers keeps the session cookie out of its logs with logRedactPaths', async (t) => {
  const chatzy = await startChatzy()
  const options = (logs: ReturnType<typeof captureLogs>, redact: readonly string[] | undefined) => ({
    logger: {
      level: 'trace',
      stream: logs.stream,
      ...(redact === undefined ? {} : { redact: [...redact] }),
      serializers: { req: (request: { method: string; url: string; headers: unknown }) => ({ method: request.method, url: request.url, headers: request.headers }) },
    },
  })
  const plain = captureLogs()
  const redacted = captureLogs()
  const apps = [Fastify(options(plain, undefined)), Fastify(options(redacted, logRedactPaths))]
  for (const app of apps) {
    await app.register(fastifyCookie)
    await app.register(chatzyAgent, {
      apiKey: API_KEY, chatbotId: CHATBOT_ID, apiUrl: chatzy.url,
      identify: () => 'alice', cookie: { secret: COOKIE_SECRET },
    })
  }
  t.after(() => Promise.all([...apps.map((app) => app.close()), chatzy.app.close()]))
  const values: string[] = []
  for (const app of apps) {
    const started = await call(app, 'POST', '/session')
    const cookie = sessionCookieOf(started)
    values.push(cookie.split('=')[1]!)
    await call(app, 'POST', '/refresh', { cookie })
  }
  // Without the paths the host's own header logging shows the cookie: the paths are what stop it.
  assert.ok(plain.text().includes(values[0]!))
  assert.ok(!redacted.text().includes(values[1]!))
  assert.ok(redacted.text().includes('[Redacted]'))
})
