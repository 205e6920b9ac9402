import assert from 'node:assert/strict'
import type { MockChatzy } from '../../../demo/mock-chatzy/api.js'
import { memoryStore } from '../../src/index.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET } from '../helpers.js'
import type { Browser } from './client.js'
import type { Adapter, SharedOptions, Started } from './servers.js'

export interface CheckContext {
  adapter: Adapter
  server: Started
  chatzy: MockChatzy & { url: string }
  browser: Browser
  /** The options the server under test got. */
  options: SharedOptions
  /** Another server of the same adapter with the same options (a second instance), started on demand. */
  another(): Promise<Started>
}

export interface Check {
  name: string
  /** Options for the agent under test (the mock Chatzy's URL is added). */
  options?: (chatzy: { url: string }) => SharedOptions
  mock?: { accessTtlMs?: number; refreshTtlMs?: number }
  /** Does this check need the full set of adapters' features, or is it in the runtime subset? */
  subset?: boolean
  run(context: CheckContext): Promise<void>
}

const SESSION_FIELDS = ['access_token', 'chatbot_id', 'expires_at', 'iframe_url', 'user_id']
const OTHER_CHATBOT = '0b7e4c52-3c1f-4d8e-8a51-2f5d8c9e6a70'
/** A second chatbot of the same site (a support launcher beside the product page's agent). */
const SUPPORT_BOT = '3b7c1d2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e'

function errorBody(json: unknown, statusCode: number, code: string, error: string, message?: string) {
  const body = json as Record<string, unknown>
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'message', 'statusCode'])
  assert.equal(body.statusCode, statusCode)
  assert.equal(body.code, code)
  assert.equal(body.error, error)
  if (message !== undefined) assert.equal(body.message, message)
}

function cookieAttributes(line: string): Record<string, string | true> {
  const [, ...attributes] = line.split(';').map((part) => part.trim())
  return Object.fromEntries(attributes.map((attribute) => {
    const at = attribute.indexOf('=')
    return at === -1 ? [attribute.toLowerCase(), true] : [attribute.slice(0, at).toLowerCase(), attribute.slice(at + 1)]
  }))
}

export const checks: Check[] = [
  {
    name: 'POST /session answers the session, no-store, and sets a signed HttpOnly SameSite=Strict cookie',
    subset: true,
    async run({ browser, chatzy }) {
      const started = await browser.startSession('alice')
      assert.equal(started.status, 200)
      assert.deepEqual(Object.keys(started.json!).sort(), SESSION_FIELDS)
      assert.equal(started.json!.user_id, 'alice')
      assert.equal(started.json!.chatbot_id, CHATBOT_ID)
      assert.match(String(started.json!.iframe_url), new RegExp(`^https://app\\.chatzy\\.test/chatbot-iframe/${CHATBOT_ID}\\?user_id=alice&access_token=`))
      assert.equal(started.headers.get('cache-control'), 'no-store')
      assert.match(started.headers.get('content-type') ?? '', /^application\/json/)
      assert.equal(chatzy.calls.mint, 1)
      assert.equal(started.cookies.length, 1)
      const [line] = started.cookies
      // Plain http on loopback: the one place the cookie is not Secure, and so not __Host-.
      assert.match(line!, /^chatzy_session=[^;]+/)
      const attributes = cookieAttributes(line!)
      assert.equal(attributes.httponly, true)
      assert.equal(attributes.samesite, 'Strict')
      assert.equal(attributes.path, '/')
      assert.equal(attributes.secure, undefined)
      assert.ok(Number(attributes['max-age']) > 0 && Number(attributes['max-age']) <= 7 * 24 * 3600)
      // The value is the signed random id and nothing else: no token, no user.
      assert.doesNotMatch(line!, /alice|access|refresh/)
    },
  },
  {
    name: 'POST /refresh hands out the stored token with no upstream call, and a reload reuses the session',
    subset: true,
    async run({ browser, chatzy }) {
      const started = await browser.startSession('alice')
      const refreshed = await browser.refresh('alice')
      assert.equal(refreshed.status, 200)
      assert.deepEqual(refreshed.json, { access_token: started.json!.access_token, expires_at: started.json!.expires_at })
      assert.equal(refreshed.headers.get('cache-control'), 'no-store')
      const reloaded = await browser.startSession('alice')
      assert.equal(reloaded.json!.access_token, started.json!.access_token)
      assert.deepEqual(chatzy.calls, { mint: 1, refresh: 0 })
    },
  },
  {
    name: 'POST /refresh with the caller\'s expiry renews the token upstream once',
    options: () => ({ minRefreshIntervalMs: 0 }),
    async run({ browser, chatzy }) {
      const started = await browser.startSession('alice')
      const renewed = await browser.refresh('alice', { expires_at: started.json!.expires_at })
      assert.equal(renewed.status, 200)
      assert.notEqual(renewed.json!.access_token, started.json!.access_token)
      assert.equal(chatzy.calls.refresh, 1)
    },
  },
  {
    name: 'no cookie, or a tampered one, is 401 CHATZY_NO_SESSION; nobody signed in is 401 CHATZY_UNAUTHENTICATED',
    subset: true,
    async run({ browser, server }) {
      const none = await browser.refresh('alice')
      assert.equal(none.status, 401)
      errorBody(none.json, 401, 'CHATZY_NO_SESSION', 'Unauthorized', 'No valid Chatzy session for this cookie (none, expired or ended)')
      assert.equal(none.headers.get('cache-control'), 'no-store')
      await browser.startSession('alice')
      const forged = await browser.refresh('alice', {}, { headers: { cookie: 'chatzy_session=abc.def' } })
      errorBody(forged.json, 401, 'CHATZY_NO_SESSION', 'Unauthorized')
      const nobody = await browser.call('POST', '/chatzy/session', { body: {} })
      errorBody(nobody.json, 401, 'CHATZY_UNAUTHENTICATED', 'Unauthorized', 'No signed-in user for this request')
      // The user changed under the cookie: the session is ended, the cookie cleared.
      const other = await browser.refresh('mallory')
      errorBody(other.json, 401, 'CHATZY_NO_SESSION', 'Unauthorized')
      assert.match(other.cookies[0] ?? '', /Max-Age=0/i)
      void server
    },
  },
  {
    name: 'DELETE /session, with no body and no Content-Type, ends the session and clears the cookie',
    subset: true,
    async run({ browser }) {
      await browser.startSession('alice')
      const ended = await browser.endSession({ bare: true, headers: { 'x-chatzy-agent': '1' } })
      assert.equal(ended.status, 204)
      assert.equal(ended.text, '')
      assert.equal(ended.headers.get('cache-control'), 'no-store')
      assert.equal(ended.cookies.length, 1)
      const attributes = cookieAttributes(ended.cookies[0]!)
      assert.equal(attributes['max-age'], '0')
      assert.equal(attributes.httponly, true)
      const after = await browser.refresh('alice')
      assert.equal(after.status, 401)
      // `{}` is a body DELETE accepts too; anything else is refused.
      assert.equal((await browser.endSession({ body: {} })).status, 204)
      const extra = await browser.endSession({ body: { x: 1 } })
      errorBody(extra.json, 400, 'CHATZY_BAD_REQUEST', 'Bad Request', 'Bad request: body Expected union value')
    },
  },
  {
    name: 'CSRF: the X-Chatzy-Agent header, the Origin and a JSON Content-Type are required',
    subset: true,
    async run({ browser, server }) {
      const noHeader = await browser.call('POST', '/chatzy/session', { user: 'alice', bare: true, headers: { 'content-type': 'application/json' }, raw: '{}' })
      errorBody(noHeader.json, 403, 'CHATZY_FORBIDDEN_ORIGIN', 'Forbidden', 'Forbidden: missing X-Chatzy-Agent header')
      assert.equal(noHeader.headers.get('cache-control'), 'no-store')
      const foreign = await browser.startSession('alice', {}, { headers: { origin: 'https://evil.example' } })
      errorBody(foreign.json, 403, 'CHATZY_FORBIDDEN_ORIGIN', 'Forbidden', 'Forbidden: origin not allowed')
      const own = await browser.startSession('alice', {}, { headers: { origin: server.url } })
      assert.equal(own.status, 200)
      const text = await browser.call('POST', '/chatzy/session', { user: 'alice', raw: '{}', headers: { 'content-type': 'text/plain' } })
      errorBody(text.json, 415, 'CHATZY_UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type', 'Content-Type must be application/json')
      const form = await browser.call('POST', '/chatzy/refresh', { user: 'alice', raw: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      assert.equal(form.status, 415)
      const charset = await browser.startSession('alice', {}, { headers: { 'content-type': 'application/json; charset=utf-8' } })
      assert.equal(charset.status, 200)
    },
  },
  {
    name: 'CSRF: allowedOrigins replaces the own-origin default',
    options: () => ({ allowedOrigins: ['https://shop.example'] }),
    async run({ browser, server }) {
      assert.equal((await browser.startSession('alice', {}, { headers: { origin: 'https://shop.example' } })).status, 200)
      assert.equal((await browser.startSession('alice', {}, { headers: { origin: server.url } })).status, 403)
    },
  },
  {
    name: 'bodies: malformed or poisoned JSON, unknown fields and wrong types are 400, a large one 413',
    async run({ browser, adapter }) {
      const cases: [string, string][] = [
        ['{bad', 'Bad request: the body is not acceptable JSON'],
        ['', 'Bad request: the body is not acceptable JSON'],
        ['{"__proto__":{"polluted":1}}', 'Bad request: the body is not acceptable JSON'],
        ['{"constructor":{"prototype":{"polluted":1}}}', 'Bad request: the body is not acceptable JSON'],
        ['[]', 'Bad request: body Expected object'],
        ['{"nope":1}', 'Bad request: body/nope Unexpected property'],
        ['{"chatbot_id":"a b"}', 'Bad request: body/chatbot_id Expected string to match \'^[A-Za-z0-9_-]+$\''],
      ]
      for (const [raw, message] of cases) {
        const answer = await browser.call('POST', '/chatzy/session', { user: 'alice', raw })
        // Malformed JSON never gets past a host's own JSON parser: the refusal is its own.
        if (raw === '{bad' && adapter.hostParsesJson) {
          assert.equal(answer.status, 400)
          continue
        }
        errorBody(answer.json, 400, 'CHATZY_BAD_REQUEST', 'Bad Request', message)
      }
      const wrongType = await browser.call('POST', '/chatzy/refresh', { user: 'alice', raw: '{"expires_at":"x"}' })
      errorBody(wrongType.json, 400, 'CHATZY_BAD_REQUEST', 'Bad Request', 'Bad request: body/expires_at Expected integer')
      const large = await browser.call('POST', '/chatzy/session', { user: 'alice', raw: JSON.stringify({ chatbot_id: 'a'.repeat(5000) }) })
      errorBody(large.json, 413, 'CHATZY_PAYLOAD_TOO_LARGE', 'Payload Too Large', 'Request body is too large')
      assert.equal(({} as Record<string, unknown>).polluted, undefined)
    },
  },
  {
    name: 'a chatbot not in the list is 400 CHATZY_CHATBOT_NOT_ALLOWED',
    async run({ browser, chatzy }) {
      const answer = await browser.startSession('alice', { chatbot_id: OTHER_CHATBOT })
      errorBody(answer.json, 400, 'CHATZY_CHATBOT_NOT_ALLOWED', 'Bad Request', 'This chatbot id is not allowed')
      assert.equal(chatzy.calls.mint, 0)
    },
  },
  {
    name: 'a Secure cookie is __Host- prefixed, Path=/, and comes back',
    subset: true,
    options: () => ({ cookie: { secret: COOKIE_SECRET, secure: true } }),
    async run({ browser }) {
      const started = await browser.startSession('alice')
      assert.match(started.cookies[0] ?? '', /^__Host-chatzy_session=/)
      const attributes = cookieAttributes(started.cookies[0]!)
      assert.equal(attributes.secure, true)
      assert.equal(attributes.path, '/')
      assert.equal(attributes.domain, undefined)
      assert.equal((await browser.refresh('alice')).status, 200)
    },
  },
  {
    name: 'mintLimit: past it, 429 CHATZY_RATE_LIMITED with Retry-After',
    options: () => ({ mintLimit: { max: 1, windowMs: 60_000 } }),
    async run({ browser, chatzy }) {
      assert.equal((await browser.startSession('alice')).status, 200)
      browser.jar.clear()
      const limited = await browser.startSession('alice')
      errorBody(limited.json, 429, 'CHATZY_RATE_LIMITED', 'Too Many Requests')
      const retryAfter = Number(limited.headers.get('retry-after'))
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
      assert.equal(limited.headers.get('cache-control'), 'no-store')
      assert.equal(chatzy.calls.mint, 1)
    },
  },
  {
    name: 'Chatzy down: 503 CHATZY_UPSTREAM_UNAVAILABLE, and the open breaker fails fast without calling it',
    options: () => ({ retries: 0, breaker: { threshold: 2, cooldownMs: 60_000 } }),
    async run({ browser, chatzy }) {
      chatzy.faults.inject({ fault: 'status-500' })
      for (const user of ['alice', 'bob']) {
        const failed = await browser.startSession(user)
        errorBody(failed.json, 503, 'CHATZY_UPSTREAM_UNAVAILABLE', 'Service Unavailable', 'Chatzy is unavailable')
      }
      const before = chatzy.calls.mint
      chatzy.faults.clear()
      const fast = await browser.startSession('carol')
      errorBody(fast.json, 503, 'CHATZY_UPSTREAM_UNAVAILABLE', 'Service Unavailable')
      assert.equal(chatzy.calls.mint, before)
    },
  },
  {
    name: 'a bad upstream answer is 502 CHATZY_UPSTREAM_BAD_RESPONSE',
    options: () => ({ retries: 0 }),
    async run({ browser, chatzy }) {
      chatzy.faults.inject({ fault: 'schema' })
      const failed = await browser.startSession('alice')
      errorBody(failed.json, 502, 'CHATZY_UPSTREAM_BAD_RESPONSE', 'Bad Gateway', 'Chatzy answered with an unexpected response')
    },
  },
  {
    name: 'sealing: the stored record holds no token in the clear, and another instance with the keys serves it',
    options: () => ({ encryptionKey: 'an-encryption-key-of-32-characters-at-least', store: recordingStore() }),
    async run({ browser, chatzy, another, options }) {
      const started = await browser.startSession('alice')
      const written = JSON.stringify((options.store as ReturnType<typeof recordingStore>).written)
      assert.ok(!written.includes(String(started.json!.access_token)), 'the access token in the clear')
      assert.ok(chatzy.issued.refresh.size > 0)
      for (const token of chatzy.issued.refresh) assert.ok(!written.includes(token), 'a refresh token in the clear')
      assert.match(written, /"refresh_token":"v2\./)
      const second = await another()
      try {
        const refreshed = await browser.call('POST', '/chatzy/refresh', { user: 'alice', body: {}, headers: {} }, second.url)
        assert.equal(refreshed.status, 200)
        assert.equal(refreshed.json!.access_token, started.json!.access_token)
      } finally {
        await second.close()
      }
    },
  },
  {
    name: 'secrets (the API key, refresh tokens, the cookie) never reach an answer or a log line',
    options: () => ({ minRefreshIntervalMs: 0 }),
    async run({ browser, chatzy, server }) {
      const answers: string[] = []
      const keep = (answer: { text: string; headers: Headers }) => answers.push(answer.text, JSON.stringify([...answer.headers].filter(([name]) => name !== 'set-cookie')))
      const started = await browser.startSession('alice')
      keep(started)
      keep(await browser.refresh('alice', { expires_at: started.json!.expires_at }))
      keep(await browser.refresh('mallory'))
      chatzy.faults.inject({ fault: 'refuse', endpoints: ['mint'] })
      browser.jar.clear()
      keep(await browser.startSession('bob'))
      const seen = answers.join('\n')
      const logs = server.logs()
      assert.ok(logs.length > 0)
      for (const secret of [API_KEY, ...chatzy.issued.refresh]) {
        assert.ok(!seen.includes(secret), 'a secret in an answer')
        assert.ok(!logs.includes(secret), 'a secret in the log')
      }
      const cookieValue = started.cookies[0]!.split(';')[0]!.split('=')[1]!
      assert.ok(!logs.includes(cookieValue), 'the session cookie in the log')
      assert.ok(!logs.includes(String(started.json!.access_token)), 'an access token in the log')
    },
  },
  {
    name: 'several chatbots: one cookie, one session per chatbot, each answer for the chatbot asked',
    subset: true,
    options: () => ({ chatbotId: [CHATBOT_ID, SUPPORT_BOT], minRefreshIntervalMs: 0 }),
    async run({ browser, chatzy }) {
      const a = await browser.startSession('alice', { chatbot_id: CHATBOT_ID })
      const b = await browser.startSession('alice', { chatbot_id: SUPPORT_BOT })
      assert.equal(b.json!.chatbot_id, SUPPORT_BOT)
      assert.equal(browser.jar.size, 1, 'one cookie for both chatbots')
      // Starting B ended nothing of A: A's stored token still answers A.
      const reusedA = await browser.refresh('alice', { chatbot_id: CHATBOT_ID })
      assert.equal(reusedA.json!.access_token, a.json!.access_token)
      const renewedB = await browser.refresh('alice', { chatbot_id: SUPPORT_BOT, expires_at: b.json!.expires_at })
      assert.deepEqual(chatzy.grantOf(String(renewedB.json!.access_token)), { user_id: 'alice', chatbot_id: SUPPORT_BOT })
      // No chatbot named (a 0.1 element): the first configured one.
      const legacy = await browser.refresh('alice')
      assert.deepEqual(chatzy.grantOf(String(legacy.json!.access_token)), { user_id: 'alice', chatbot_id: CHATBOT_ID })
      const unlisted = await browser.refresh('alice', { chatbot_id: OTHER_CHATBOT })
      errorBody(unlisted.json, 400, 'CHATZY_CHATBOT_NOT_ALLOWED', 'Bad Request')
      assert.equal(chatzy.calls.mint, 2)
    },
  },
  {
    name: 'several chatbots: signing one out ends its session only; the host\'s sign-out (no chatbot) ends all and clears the cookie',
    subset: true,
    options: () => ({ chatbotId: [CHATBOT_ID, SUPPORT_BOT] }),
    async run({ browser }) {
      await browser.startSession('alice', { chatbot_id: CHATBOT_ID })
      await browser.startSession('alice', { chatbot_id: SUPPORT_BOT })
      const one = await browser.endSession({ body: { chatbot_id: SUPPORT_BOT } })
      assert.equal(one.status, 204)
      assert.equal(browser.jar.size, 1, 'the cookie stays for the other chatbot')
      assert.equal((await browser.refresh('alice', { chatbot_id: SUPPORT_BOT })).status, 401)
      assert.equal((await browser.refresh('alice', { chatbot_id: CHATBOT_ID })).status, 200)
      const all = await browser.endSession({ bare: true, headers: { 'x-chatzy-agent': '1' } })
      assert.equal(all.status, 204)
      assert.match(all.cookies[0] ?? '', /Max-Age=0/i)
      assert.equal(browser.jar.size, 0)
      const after = await browser.refresh('alice', { chatbot_id: CHATBOT_ID }, { headers: { cookie: '' } })
      assert.equal(after.status, 401)
    },
  },
]

/** A store in memory that keeps every record written to it, as a store's operator would read them. */
function recordingStore() {
  const memory = memoryStore()
  const written: unknown[] = []
  return {
    written,
    get: (id: string) => memory.get(id),
    set: (id: string, session: Parameters<typeof memory.set>[1], ttlMs: number) => {
      written.push(session)
      return memory.set(id, session, ttlMs)
    },
    delete: (id: string) => memory.delete(id),
  }
}
