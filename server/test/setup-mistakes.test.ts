import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import chatzyAgent from '../src/index.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET, buildApp, registrationError, validOptions, call, captureLogs, sessionCookieOf, startApp, startChatzy } from './helpers.js'

/*
 * The mistakes a newcomer makes while setting the plugin up, each answered with what to do:
 * option errors, a second registration, a refused key or chatbot id, a Secure cookie on a
 * plain-http page.
 */

const valid = validOptions

/** The message of the error that registering `options` must throw. */
async function registrationMessage(options: unknown): Promise<string> {
  const error = await registrationError(options)
  return error?.message ?? assert.fail('registration must fail')
}

test('a short cookie.secret or encryptionKey says the length needed and how to make one, never the secret', async () => {
  for (const options of [
    { ...valid, cookie: { secret: 'hunter2' } },
    { ...valid, cookie: { secret: [COOKIE_SECRET, 'hunter2'] } },
    { ...valid, encryptionKey: 'hunter2' },
  ]) {
    const message = await registrationMessage(options)
    assert.match(message, /"(cookie\.secret|encryptionKey)"/)
    assert.match(message, /at least 32 characters \(got .*7.*\)/)
    assert.match(message, /openssl rand -hex 32/)
    assert.doesNotMatch(message, /hunter2/)
  }
  assert.match(await registrationMessage({ ...valid, cookie: undefined }), /"cookie": required: \{ secret \}.*openssl rand -hex 32/)
  // `secret: process.env.COOKIE_SECRET!` with the variable unset.
  assert.match(await registrationMessage({ ...valid, cookie: { secret: undefined } }), /"cookie\.secret": required, at least 32 characters \(is its environment variable unset\?\).*openssl rand -hex 32/)
})

test('a missing apiKey says it is required and asks whether CHATZY_API_KEY is set', async () => {
  for (const apiKey of [undefined, '']) {
    assert.match(await registrationMessage({ ...valid, apiKey }), /"apiKey": required: .*CHATZY_API_KEY unset\?/)
  }
})

test('a chatbotId that is not a uuid fails registration, showing the shape Chatzy uses', async () => {
  for (const chatbotId of ['my-support-bot', [CHATBOT_ID, '8a1e3f18-991b-4a2e-9973'], '']) {
    assert.match(await registrationMessage({ ...valid, chatbotId }), /"chatbotId": expected a chatbot id, a uuid like 8a1e3f18-991b-4a2e-9973-f53e7fc94ff1/)
  }
  assert.match(await registrationMessage({ ...valid, chatbotId: undefined }), /"chatbotId": required/)
  // Upper-case hex is still a uuid.
  const app = Fastify()
  await app.register(chatzyAgent, { ...valid, chatbotId: CHATBOT_ID.toUpperCase() })
  await app.close()
})

test('registering the plugin twice says it is already registered, not FST_ERR_DEC_ALREADY_PRESENT', async () => {
  const app = Fastify()
  await app.register(chatzyAgent, valid)
  await assert.rejects(async () => {
    await app.register(chatzyAgent, valid)
    await app.ready()
  }, (error: Error & { code?: string }) => {
    assert.match(error.message, /^chatzy-agent is already registered/)
    assert.notEqual(error.code, 'FST_ERR_DEC_ALREADY_PRESENT')
    return true
  })
  await app.close()
})

/** A Chatzy API that refuses every call with `status`. */
async function refusingChatzy(t: { after(fn: () => unknown): void }, status: number) {
  const stub = Fastify()
  stub.post('/ai_agent/*', async (_request, reply) => reply.code(status).send({ message: 'no' }))
  const url = await stub.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => stub.close())
  return url
}

test('a refused mint logs the call, Chatzy\'s status and the likely cause (API key or chatbot id), never the key', async (t) => {
  for (const [status, cause] of [[401, /likely a wrong apiKey/], [403, /likely a wrong apiKey/], [404, /likely a wrong chatbotId \("8a1e3f18-991b-4a2e-9973-f53e7fc94ff1"/], [400, /likely a wrong chatbotId/], [409, /check apiKey and chatbotId/]] as const) {
    const logs = captureLogs()
    const app = await buildApp({ url: await refusingChatzy(t, status) }, {}, { logger: { level: 'info', stream: logs.stream } })
    t.after(() => app.close())
    const answer = await call(app, 'POST', '/session', { user: 'user123' })
    assert.equal(answer.statusCode, 502)
    assert.equal(answer.json().code, 'CHATZY_UPSTREAM_BAD_RESPONSE')
    assert.doesNotMatch(answer.body, /apiKey|chatbotId|HTTP \d/, 'the browser learns nothing of the setup')
    const line = logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.level === 50)
    assert.ok(line, 'an error line is logged')
    assert.match(line.msg, new RegExp(`Chatzy refused the mint call \\(HTTP ${status}\\)`))
    assert.match(line.msg, cause)
    assert.ok(!logs.text().includes(API_KEY), 'the API key is never logged')
  }
})

test('with the mock Chatzy, a wrong API key is named as the likely cause', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const logs = captureLogs()
  const app = await buildApp(chatzy, { apiKey: 'ak-wrong-key-0000' }, { logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  assert.equal((await call(app, 'POST', '/session', { user: 'user123' })).statusCode, 502)
  assert.match(logs.text(), /chatzy: request failed: Chatzy refused the mint call \(HTTP 401\): likely a wrong apiKey/)
  assert.ok(!logs.text().includes('ak-wrong-key-0000'))
})

test('a refused refresh token logs the call and Chatzy\'s status, then a new token is minted', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const logs = captureLogs()
  const app = await buildApp(chatzy, { minRefreshIntervalMs: 0 }, { logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  const started = await call(app, 'POST', '/session', { user: 'user123' })
  chatzy.revokeRefreshTokens()
  // The caller holds the stored token already: only Chatzy can give a newer one.
  const refreshed = await call(app, 'POST', '/refresh', { user: 'user123', cookie: sessionCookieOf(started), body: { expires_at: started.json().expires_at } })
  assert.equal(refreshed.statusCode, 200)
  assert.equal(chatzy.calls.mint, 2)
  assert.match(logs.text(), /"msg":"chatzy: Chatzy refused the refresh call \(HTTP 401\): the refresh token is likely expired or revoked; a new token is minted"/)
})

/** An app as a browser reaches it at http://shop.internal:3000, the Origin the browser sends with it. */
const plainHttp = { host: 'shop.internal:3000', origin: 'http://shop.internal:3000' }

test('a Secure cookie set for a plain-http page at a non-loopback host is warned about, once, with what to do', async (t) => {
  const logs = captureLogs()
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const app = await buildApp(chatzy, {}, { logger: { level: 'warn', stream: logs.stream } })
  t.after(() => app.close())
  const warnings = () => logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40)

  const started = await call(app, 'POST', '/session', { user: 'user123', headers: plainHttp })
  assert.equal(started.statusCode, 200)
  assert.ok(started.cookies.some((c) => c.name === '__Host-chatzy_session' && c.secure), 'the cookie is Secure')
  assert.equal(warnings().length, 1)
  assert.match(warnings()[0]!.msg, /Secure.*plain http.*browser drops it.*401.*https.*trustProxy.*localhost/)
  // The browser dropped it: the refresh comes without it. Still one warning.
  assert.equal((await call(app, 'POST', '/refresh', { user: 'user123', headers: plainHttp })).statusCode, 401)
  assert.equal((await call(app, 'POST', '/session', { user: 'user123', headers: plainHttp })).statusCode, 200)
  assert.equal(warnings().length, 1)
})

test('no warning where the cookie is kept: https pages (a TLS proxy without trustProxy too), loopback, or a non-Secure cookie', async (t) => {
  const logs = captureLogs()
  const { chatzy } = await startApp(t)
  for (const [options, headers] of [
    [{}, { host: 'shop.example', origin: 'https://shop.example', 'x-forwarded-proto': 'https' }],
    [{}, { host: 'localhost:3000', origin: 'http://localhost:3000' }],
    [{ cookie: { secret: COOKIE_SECRET, secure: false } }, plainHttp],
  ] as const) {
    const app = await buildApp(chatzy, { ...options, ...(headers.origin.startsWith('https') ? { allowedOrigins: ['https://shop.example'] } : {}) },
      { logger: { level: 'warn', stream: logs.stream } })
    t.after(() => app.close())
    assert.equal((await call(app, 'POST', '/session', { user: 'user123', headers })).statusCode, 200)
    assert.equal((await call(app, 'POST', '/refresh', { user: 'user123', headers })).statusCode, 401)
  }
  assert.deepEqual(logs.lines, [])
})

test('DELETE /session without a body needs no Content-Type, and keeps the header and Origin checks', async (t) => {
  const { app } = await startApp(t)
  const started = await call(app, 'POST', '/session', { user: 'user123' })
  const cookie = sessionCookieOf(started)
  const remove = (headers: Record<string, string>, payload?: string) =>
    app.inject({ method: 'DELETE', url: '/chatzy/session', headers: { cookie, ...headers }, ...(payload === undefined ? {} : { payload }) })

  assert.equal((await remove({})).statusCode, 403, 'without X-Chatzy-Agent')
  assert.equal((await remove({ 'x-chatzy-agent': '1', origin: 'https://evil.example' })).statusCode, 403, 'from another origin')
  assert.equal((await remove({ 'x-chatzy-agent': '1' }, 'x')).statusCode, 415, 'a body still needs its Content-Type')
  assert.equal((await call(app, 'POST', '/refresh', { user: 'user123', cookie })).statusCode, 200, 'nothing was ended so far')

  const ended = await remove({ 'x-chatzy-agent': '1', origin: 'http://localhost' })
  assert.equal(ended.statusCode, 204)
  assert.equal(ended.cookies.find((c) => c.name === 'chatzy_session')?.value, '')
  assert.equal((await call(app, 'POST', '/refresh', { user: 'user123', cookie })).statusCode, 401)
})
