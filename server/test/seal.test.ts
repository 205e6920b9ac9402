import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { memoryStore, type SessionStore, type StoredSession } from '../src/index.js'
import { sealSessions } from '../src/seal.js'
import { buildApp, browserHeaders, recordKeyOf, sessionCookieOf, startChatzy } from './helpers.js'

const OLD_KEY = 'old-encryption-key-0123456789abcdefghij'
const NEW_KEY = 'new-encryption-key-0123456789abcdefghij'
const user = { ...browserHeaders, 'x-test-user': 'user123' }

/** The plugin's default store, kept in reach so the test can look at what it holds. */
function inspectableStore() {
  const inner = memoryStore()
  const ids = new Set<string>()
  const store: SessionStore = {
    get: (id) => inner.get(id),
    set: (id, session, ttlMs) => (ids.add(id), inner.set(id, session, ttlMs)),
    delete: (id) => inner.delete(id),
  }
  return {
    store,
    async held(): Promise<StoredSession[]> {
      const sessions = await Promise.all([...ids].map((id) => inner.get(id)))
      return sessions.filter((session) => session !== undefined)
    },
  }
}

async function setup(t: TestContext) {
  const chatzy = await startChatzy()
  const memory = inspectableStore()
  const apps: FastifyInstance[] = []
  t.after(() => Promise.all([...apps.map((app) => app.close()), chatzy.app.close()]))
  async function app(encryptionKey?: string | string[]) {
    const instance = await buildApp(chatzy, { store: memory.store, minRefreshIntervalMs: 0, ...(encryptionKey && { encryptionKey }) })
    apps.push(instance)
    return instance
  }
  return { chatzy, memory, app }
}

const startSession = (app: FastifyInstance) => app.inject({ method: 'POST', url: '/chatzy/session', headers: user, payload: {} })
const refresh = (app: FastifyInstance, started: LightMyRequestResponse) => app.inject({
  method: 'POST', url: '/chatzy/refresh',
  headers: { ...user, cookie: sessionCookieOf(started) },
  payload: { expires_at: started.json().expires_at },
})

test('with an encryptionKey the memory store holds the record sealed, no token in the clear, and refreshes still work', async (t) => {
  const { chatzy, memory, app } = await setup(t)
  const a = await app(NEW_KEY)

  const started = await startSession(a)
  const refreshed = await refresh(a, started)

  assert.equal(refreshed.statusCode, 200)
  assert.deepEqual(chatzy.calls, { mint: 1, refresh: 1 }, 'Chatzy got the real refresh token back')
  const [held] = await memory.held()
  assert.match(held!.refresh_token, /^v2\./)
  assert.equal(held!.access_token, '')
  for (const token of [...chatzy.issued.refresh, ...chatzy.issued.access]) assert.ok(!JSON.stringify(held).includes(token), 'no plaintext token at rest')
})

test('a record rewritten in the store (the attacker\'s access token, an endless expiry) reads as no session: 401, never that token', async (t) => {
  const { chatzy, memory, app } = await setup(t)
  const a = await app(NEW_KEY)
  const started = await startSession(a)
  const [held] = await memory.held()
  const id = recordKeyOf(started)
  await memory.store.set(id, { ...held!, access_token: 'at_attacker', access_expires_at: 8.64e15 }, 60_000)

  const refreshed = await refresh(a, started)
  assert.equal(refreshed.statusCode, 401)
  assert.equal(refreshed.json().code, 'CHATZY_NO_SESSION')
  assert.ok(!refreshed.body.includes('at_attacker'))
  assert.equal(chatzy.calls.refresh, 0)
})

test('any one field of a sealed record changed in the store makes it no session', async () => {
  const inner = memoryStore()
  const sealed = sealSessions(inner, NEW_KEY)
  const session: StoredSession = {
    user_id: 'user123', chatbot_id: 'c', access_token: 'at_real', access_expires_at: Date.now() + 60_000,
    refresh_token: 'rt_secret', refresh_expires_at: Date.now() + 3_600_000, upstream_at: Date.now(),
  }
  await sealed.set('s', session, 60_000)
  const stored = (await inner.get('s'))!
  assert.deepEqual(await sealed.get('s'), session)
  const changes: Partial<StoredSession>[] = [
    { access_token: 'at_attacker' }, { access_expires_at: 8.64e15 }, { refresh_expires_at: 8.64e15 },
    { upstream_at: Date.now() }, { user_id: 'mallory' }, { chatbot_id: 'other' },
  ]
  for (const change of changes) {
    await inner.set('s', { ...stored, ...change }, 60_000)
    assert.equal(await sealed.get('s'), undefined, `${Object.keys(change)[0]} changed`)
  }
})

test('sealing the same token twice gives two different values (a fresh IV each time)', async () => {
  const inner = memoryStore()
  const store = sealSessions(inner, NEW_KEY)
  const session: StoredSession = {
    user_id: 'u', chatbot_id: 'c', access_token: 'a', access_expires_at: 1, refresh_token: 'rt_secret', refresh_expires_at: 2, upstream_at: 0,
  }
  await store.set('one', session, 60_000)
  await store.set('two', session, 60_000)
  assert.notEqual((await inner.get('one'))!.refresh_token, (await inner.get('two'))!.refresh_token)
  assert.equal((await store.get('one'))!.refresh_token, 'rt_secret')
})

test('replace seals too, and still writes only over a session that is there', async () => {
  const inner = memoryStore()
  const sealed = sealSessions(inner, NEW_KEY)
  const session: StoredSession = {
    user_id: 'user123', chatbot_id: 'bot', access_token: 'at_1', access_expires_at: Date.now() + 60_000,
    refresh_token: 'rt_secret_value', refresh_expires_at: Date.now() + 3_600_000, upstream_at: Date.now(),
  }
  assert.equal(await sealed.replace!('s', session, 60_000), false)
  await sealed.set('s', session, 60_000)
  const next = { ...session, access_token: 'at_2' }
  assert.equal(await sealed.replace!('s', next, 60_000), true)
  assert.match((await inner.get('s'))!.refresh_token, /^v2\./)
  assert.deepEqual(await sealed.get('s'), next)
})

test('key rotation: the newest key seals, older keys still open, and a refresh re-seals with the newest', async (t) => {
  const { chatzy, memory, app } = await setup(t)
  const before = await app(OLD_KEY)
  const started = await startSession(before)

  const rotated = await app([NEW_KEY, OLD_KEY])
  const refreshed = await refresh(rotated, started)
  assert.equal(refreshed.statusCode, 200, 'a session sealed with the old key still works')
  assert.deepEqual(chatzy.calls, { mint: 1, refresh: 1 })

  const retired = await app(NEW_KEY)
  const again = await refresh(retired, started)
  assert.equal(again.statusCode, 200, 'once re-sealed, the old key can be dropped')
  assert.equal(again.json().access_token, refreshed.json().access_token, 'the stored token, opened with the new key')
  assert.deepEqual(chatzy.calls, { mint: 1, refresh: 1 })
  assert.equal((await memory.held()).length, 1)
})

test('a session sealed under a key no longer configured is "no session" (401), never a 500', async (t) => {
  const { chatzy, app } = await setup(t)
  const started = await startSession(await app(OLD_KEY))

  const refreshed = await refresh(await app(NEW_KEY), started)

  assert.equal(refreshed.statusCode, 401)
  assert.equal(refreshed.json().code, 'CHATZY_NO_SESSION')
  assert.equal(chatzy.calls.refresh, 0)
})

test('a tampered, unsealed or transplanted refresh token reads as no session', async () => {
  const inner = memoryStore()
  const sealed = sealSessions(inner, NEW_KEY)
  const session: StoredSession = {
    user_id: 'user123', chatbot_id: 'c', access_token: 'a', access_expires_at: 1, refresh_token: 'rt_secret', refresh_expires_at: Date.now() + 60_000, upstream_at: 0,
  }
  await sealed.set('victim', session, 60_000)
  const good = (await inner.get('victim'))!.refresh_token

  const flipped = good.slice(0, -2) + (good.endsWith('A') ? 'B' : 'A') + good.slice(-1)
  await inner.set('tampered', { ...session, refresh_token: flipped }, 60_000)
  await inner.set('plaintext', session, 60_000)
  await inner.set('transplanted', { ...session, refresh_token: good }, 60_000)
  await inner.set('other-user', { ...session, user_id: 'mallory', refresh_token: good }, 60_000)
  await inner.set('garbage', { ...session, refresh_token: 'v2.zzzz.%%%' }, 60_000)

  assert.equal((await sealed.get('victim'))?.refresh_token, 'rt_secret')
  for (const id of ['tampered', 'plaintext', 'transplanted', 'other-user', 'garbage']) {
    assert.equal(await sealed.get(id), undefined, `${id} reads as no session`)
  }
})

test('an encryptionKey too short to be a real key fails registration, naming the option', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  await assert.rejects(buildApp(chatzy, { encryptionKey: 'hunter2' }), /encryptionKey/)
  await assert.rejects(buildApp(chatzy, { encryptionKey: [NEW_KEY, 'short'] }), /encryptionKey/)
})

test('turning encryption off: a sealed session is never answered with its empty clear token; the plugin mints again', async (t) => {
  const { chatzy, app } = await setup(t)
  const started = await startSession(await app(NEW_KEY))
  const refreshed = await refresh(await app(), started)
  assert.equal(refreshed.statusCode, 200)
  assert.ok(chatzy.issued.access.has(refreshed.json().access_token), 'a real token of Chatzy')
  assert.equal(chatzy.calls.mint, 2)
})
