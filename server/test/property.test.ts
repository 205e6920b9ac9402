import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fc from 'fast-check'
import chatzyAgent, { type ChatzyAgentOptions } from '../src/index.js'
import type { ErrorCode } from '../../contract/wire.js'
import type { Fault } from '../../demo/mock-chatzy/faults.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET, browserHeaders, sessionCookieOf, startChatzy } from './helpers.js'

/*
 * Hostile input, generated: whatever a browser (or anyone) sends in bodies, headers, cookies
 * and Origin, the plugin never answers 500, never lets a secret out in an answer or a log
 * line, and never calls Chatzy without a valid session of the identified user.
 */

const SECOND_CHATBOT = '0b7c2d4e-5f60-4a71-8b92-a3b4c5d6e7f8'
const ENCRYPTION_KEY = 'property-test-encryption-key-0123456789'
const OWN_ORIGIN = 'http://localhost' // the origin of `inject` requests (Host localhost:80, plain http) as a browser writes it
const KNOWN_CODES: readonly ErrorCode[] = [
  'CHATZY_UNAUTHENTICATED', 'CHATZY_NO_SESSION', 'CHATZY_BAD_REQUEST', 'CHATZY_CHATBOT_NOT_ALLOWED',
  'CHATZY_FORBIDDEN_ORIGIN', 'CHATZY_UNSUPPORTED_MEDIA_TYPE', 'CHATZY_PAYLOAD_TOO_LARGE',
  'CHATZY_UPSTREAM_BAD_RESPONSE', 'CHATZY_UPSTREAM_UNAVAILABLE', 'CHATZY_UPSTREAM_TIMEOUT', 'CHATZY_STORE_UNAVAILABLE', 'CHATZY_RATE_LIMITED',
]

type Chatzy = Awaited<ReturnType<typeof startChatzy>>

/** A host app logging everything (trace level) into `lines`, whose signed-in user is the `x-test-user` header. */
async function hostApp(chatzy: Chatzy, lines: string[], options: Partial<ChatzyAgentOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: 'trace', stream: { write: (line: string) => void lines.push(line) } } })
  await app.register(chatzyAgent, {
    apiKey: API_KEY,
    chatbotId: [CHATBOT_ID, SECOND_CHATBOT],
    apiUrl: chatzy.url,
    appUrl: 'https://app.chatzy.test',
    identify: (request) => (request.headers['x-test-user'] as string | undefined) ?? null,
    cookie: { secret: COOKIE_SECRET },
    encryptionKey: ENCRYPTION_KEY,
    minRefreshIntervalMs: 0,
    // Every run starts fresh sessions for the same few users: the per-user limits are tested apart.
    mintLimit: { max: 1_000_000, windowMs: 60_000 },
    ...options,
  })
  return app
}

/** Every value that must stay on the server. */
function secretsOf(chatzy: Chatzy): string[] {
  return [API_KEY, COOKIE_SECRET, ENCRYPTION_KEY, ...chatzy.issued.refresh]
}

function assertNoSecret(where: string, text: string, secrets: readonly string[]) {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${where} leaks a secret`)
}

/** The answer as a browser would read it, headers included (Set-Cookie is checked on its own). */
function answerText(response: LightMyRequestResponse): string {
  const { 'set-cookie': setCookie, ...headers } = response.headers
  return JSON.stringify(headers) + '\n' + response.body + '\n' + JSON.stringify(setCookie ?? '')
}

const upstreamCalls = (chatzy: Chatzy) => chatzy.calls.mint + chatzy.calls.refresh

// Printable ASCII: what an HTTP header can carry.
const printable = (maxLength = 60) =>
  fc.string({ unit: fc.mapToConstant({ num: 95, build: (v) => String.fromCharCode(v + 32) }), maxLength })

type CookieKind = 'alice' | 'bob' | 'ended' | 'tampered' | 'foreign-secret' | 'host-prefixed' | 'garbage' | 'duplicate' | 'none'

interface HostileRequest {
  route: 'POST /session' | 'POST /refresh' | 'DELETE /session'
  contentType: string | undefined
  agentHeader: string | undefined
  origin: string | undefined
  user: string | undefined
  cookie: { kind: CookieKind; junk: string }
  body: string
}

/** Mostly what a browser sends (so that the deeper checks run), often something else. */
const mostly = <T>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 5 }, { arbitrary: other, weight: 1 })

const hostileRequest: fc.Arbitrary<HostileRequest> = fc.record({
  route: fc.constantFrom('POST /session', 'POST /refresh', 'DELETE /session'),
  contentType: mostly(
    fc.constantFrom('application/json', 'application/json; charset=utf-8'),
    fc.option(fc.oneof(
      fc.constantFrom('Application/JSON', 'application/jsonx', 'text/plain', 'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x', 'application/json, text/plain'),
      printable(),
    ), { nil: undefined }),
  ),
  agentHeader: mostly(fc.constant('1'), fc.option(fc.oneof(fc.constantFrom('0', 'true', '', ' 1', '01', '1, 1'), printable(8)), { nil: undefined })),
  origin: mostly(
    fc.constantFrom(undefined, OWN_ORIGIN),
    fc.oneof(
      fc.constantFrom('http://localhost:80', 'https://localhost', 'http://LOCALHOST', 'http://localhost/', 'http://localhost:8080',
        'http://localhost.evil.test', 'http://localhost:80.evil.test', 'http://evil.test', 'null', 'http://127.0.0.1:80', 'file://'),
      fc.webUrl(),
      printable(),
    ),
  ),
  user: mostly(fc.constantFrom('alice', 'bob'), fc.option(fc.oneof(fc.constantFrom('mallory', ''), printable(20)), { nil: undefined })),
  cookie: fc.record({
    kind: mostly(
      fc.constantFrom<CookieKind>('alice', 'bob', 'none'),
      fc.constantFrom<CookieKind>('ended', 'tampered', 'foreign-secret', 'host-prefixed', 'garbage', 'duplicate'),
    ),
    junk: printable(80),
  }),
  body: mostly(
    fc.constantFrom('{}', '{"expires_at":1}', `{"chatbot_id":"${CHATBOT_ID}"}`, `{"chatbot_id":"${SECOND_CHATBOT}"}`),
    fc.oneof(
      fc.constantFrom('{"user_id":"bob"}', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}',
        '{"expires_at":0}', '{"chatbot_id":"../../etc"}', '', 'null', '[]', '"x"', '{', '{"expires_at":-1}', '{"expires_at":1e309}',
        '{"expires_at":"soon"}', 'x'.repeat(5_000), `{"pad":"${'a'.repeat(10_000)}"}`),
      fc.json({ maxDepth: 3 }),
      printable(200),
    ),
  ),
})

test('hostile requests: never a 500, never a secret out, never an upstream call without a valid session', async (t) => {
  const chatzy = await startChatzy()
  const lines: string[] = []
  const app = await hostApp(chatzy, lines)
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))
  const foreignSigner = fastifyCookie.signerFactory('another-application-cookie-secret-xyz')

  async function startSession(user: string): Promise<string> {
    const response = await app.inject({ method: 'POST', url: '/chatzy/session', headers: { ...browserHeaders, 'x-test-user': user }, payload: {} })
    assert.equal(response.statusCode, 200)
    return sessionCookieOf(response)
  }

  const outcomes = { tokens: 0, upstream: 0 }
  await fc.assert(fc.asyncProperty(hostileRequest, async (request) => {
    // Fresh live sessions for each run, so that valid cookies are always in play.
    const alice = await startSession('alice')
    const bob = await startSession('bob')
    const ended = await startSession('alice')
    await app.inject({ method: 'DELETE', url: '/chatzy/session', headers: { ...browserHeaders, cookie: ended } })
    const aliceValue = alice.slice(alice.indexOf('=') + 1)
    const cookieHeader: Record<CookieKind, string | undefined> = {
      alice,
      bob,
      ended,
      tampered: alice.slice(0, -2) + (alice.endsWith('A') ? 'BB' : 'AA'),
      'foreign-secret': `chatzy_session=${foreignSigner.sign('A'.repeat(43))}`,
      'host-prefixed': `__Host-chatzy_session=${aliceValue}`,
      garbage: `chatzy_session=${request.cookie.junk}`,
      duplicate: `chatzy_session=${request.cookie.junk}; ${bob}`,
      none: undefined,
    }
    const cookie = cookieHeader[request.cookie.kind]
    const headers: Record<string, string> = {}
    if (request.contentType !== undefined) headers['content-type'] = request.contentType
    if (request.agentHeader !== undefined) headers['x-chatzy-agent'] = request.agentHeader
    if (request.origin !== undefined) headers.origin = request.origin
    if (request.user !== undefined) headers['x-test-user'] = request.user
    if (cookie !== undefined) headers.cookie = cookie

    const linesBefore = lines.length
    const callsBefore = upstreamCalls(chatzy)
    const [method, path] = request.route.split(' ') as ['POST' | 'DELETE', string]
    const response = await app.inject({ method, url: `/chatzy${path.slice(0)}`, headers, payload: request.body })

    // The upstream is healthy: a 5xx could only be the plugin's own failure.
    assert.ok(response.statusCode < 500, `answered ${response.statusCode}: ${response.body}`)
    if (response.statusCode >= 400) {
      const error = response.json() as { code: ErrorCode; statusCode: number }
      assert.equal(error.statusCode, response.statusCode)
      assert.ok(KNOWN_CODES.includes(error.code), `undocumented error code ${error.code}`)
    }

    const secrets = secretsOf(chatzy)
    assertNoSecret('the answer', answerText(response), secrets)
    assertNoSecret('the log', lines.slice(linesBefore).join(''), [...secrets, aliceValue])
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted')

    // CSRF guard: the custom header, an allowed Origin (or none), a JSON content type.
    const guarded = request.agentHeader === '1'
      && (request.origin === undefined || request.origin === OWN_ORIGIN)
      && request.contentType !== undefined && /^application\/json\s*(;|$)/i.test(request.contentType)
    if (request.origin !== undefined && request.origin !== OWN_ORIGIN && request.agentHeader === '1') {
      assert.equal(response.statusCode, 403, `Origin ${JSON.stringify(request.origin)} was let through`)
    }
    if (!guarded) assert.ok([403, 415].includes(response.statusCode), `an unguarded request got ${response.statusCode}`)

    const upstream = upstreamCalls(chatzy) - callsBefore
    if (upstream > 0) outcomes.upstream++
    if (response.statusCode === 200 && request.route !== 'DELETE /session') outcomes.tokens++
    if (upstream > 0) {
      const identified = request.user !== undefined && request.user !== ''
      const ownSession = (request.cookie.kind === 'alice' && request.user === 'alice')
        || (request.cookie.kind === 'bob' && request.user === 'bob')
        || (request.cookie.kind === 'duplicate' && request.user === 'bob')
      const allowed = guarded && (request.route === 'POST /session' ? identified : request.route === 'POST /refresh' && ownSession)
      assert.ok(allowed, `${request.route} reached Chatzy ${upstream} time(s) without a valid session of the identified user`)
    }
    if (request.route === 'POST /refresh' && response.statusCode === 200) {
      assert.ok(['alice', 'bob', 'duplicate'].includes(request.cookie.kind), `a ${request.cookie.kind} cookie got a token`)
    }
    // A token only ever goes to the user `identify` names, whatever the body or the cookie says.
    if (response.statusCode === 200 && request.route !== 'DELETE /session') {
      const answer = response.json() as { access_token: string; user_id?: string }
      const grant = (await chatzy.app.inject({ method: 'GET', url: '/mock/token-info', query: { access_token: answer.access_token } })).json() as { user_id?: string }
      assert.equal(grant.user_id, request.user, 'a token of another user')
      if (answer.user_id !== undefined) assert.equal(answer.user_id, request.user)
    }
  }), { numRuns: 150 })
  // The generator must reach the paths that hand out tokens, not only the refusals.
  assert.ok(outcomes.tokens >= 5 && outcomes.upstream >= 5, `only ${outcomes.tokens} tokens and ${outcomes.upstream} upstream calls in 150 requests`)
})

const faultArbitrary = fc.record({
  fault: fc.constantFrom<Fault>('status-500', 'reset', 'throttle', 'non-json', 'oversized', 'schema', 'refuse', 'delay', 'hang'),
  endpoints: fc.constantFrom<('mint' | 'refresh')[]>(['mint'], ['refresh'], ['mint', 'refresh']),
  route: fc.constantFrom('POST /session', 'POST /refresh'),
})

/** What the contract promises the browser for a Chatzy fault (the plugin retries once, within 1 s). */
const FAULT_ANSWERS: Record<Fault, [status: number, code: ErrorCode]> = {
  'status-500': [503, 'CHATZY_UPSTREAM_UNAVAILABLE'],
  reset: [503, 'CHATZY_UPSTREAM_UNAVAILABLE'],
  throttle: [503, 'CHATZY_UPSTREAM_UNAVAILABLE'], // retried like a 5xx, never taken for a refusal
  hang: [504, 'CHATZY_UPSTREAM_TIMEOUT'],
  delay: [504, 'CHATZY_UPSTREAM_TIMEOUT'], // 2.5 s: past the deadline
  'non-json': [502, 'CHATZY_UPSTREAM_BAD_RESPONSE'],
  oversized: [502, 'CHATZY_UPSTREAM_BAD_RESPONSE'],
  schema: [502, 'CHATZY_UPSTREAM_BAD_RESPONSE'],
  refuse: [502, 'CHATZY_UPSTREAM_BAD_RESPONSE'], // a refused mint; a refused refresh token is re-minted
}

function expectedAnswer(fault: Fault, endpoints: readonly ('mint' | 'refresh')[], route: string): [number, ErrorCode | undefined] {
  if (route === 'POST /session') return endpoints.includes('mint') ? FAULT_ANSWERS[fault] : [200, undefined]
  if (!endpoints.includes('refresh')) return [200, undefined]
  if (fault !== 'refuse') return FAULT_ANSWERS[fault]
  // The refresh token is refused: the plugin mints again; when that is refused too, the session is over.
  return endpoints.includes('mint') ? [401, 'CHATZY_NO_SESSION'] : [200, undefined]
}

test('upstream faults: the documented status for each, and no secret in any answer or log line', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())

  await fc.assert(fc.asyncProperty(faultArbitrary, async ({ fault, endpoints, route }) => {
    const lines: string[] = []
    // A fresh app per run: the circuit breaker of one run must not decide the next one's answer.
    const app = await hostApp(chatzy, lines, { timeoutMs: 1_000, retries: 1 })
    try {
      const headers = { ...browserHeaders, 'x-test-user': 'carol' }
      const started = await app.inject({ method: 'POST', url: '/chatzy/session', headers, payload: {} })
      const cookie = sessionCookieOf(started)
      chatzy.faults.inject({ fault, endpoints, delayMs: 2_500 })
      const response = route === 'POST /session'
        ? await app.inject({ method: 'POST', url: '/chatzy/session', headers: { ...headers, 'x-test-user': 'dave' }, payload: {} })
        : await app.inject({ method: 'POST', url: '/chatzy/refresh', headers: { ...headers, cookie }, payload: { expires_at: started.json().expires_at } })
      chatzy.faults.clear()

      assert.notEqual(response.statusCode, 500)
      if (response.statusCode !== 200) {
        assert.ok(KNOWN_CODES.includes(response.json().code), `undocumented error code ${response.json().code}`)
      }
      const [status, code] = expectedAnswer(fault, endpoints, route)
      assert.equal(response.statusCode, status, `${fault} on ${endpoints.join('+')} via ${route}: ${response.body}`)
      if (code !== undefined) assert.equal(response.json().code, code)
      assertNoSecret('the answer', answerText(response), secretsOf(chatzy))
      assertNoSecret('the log', lines.join(''), secretsOf(chatzy))
    } finally {
      chatzy.faults.clear()
      await app.close()
    }
  }), { numRuns: 40 })
})
