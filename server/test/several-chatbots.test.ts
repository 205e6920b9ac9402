import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { memoryStore } from '../src/index.js'
import { CHATBOT_ID, call, recordKeyOf, sessionCookieOf, startApp } from './helpers.js'

/** A second chatbot of the same site: a launcher for support beside the product page's inline agent. */
const SUPPORT_BOT = '3b7c1d2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e'
const chatbotId = [CHATBOT_ID, SUPPORT_BOT]

/**
 * A tab's refresh for one chatbot, as the iframe asks for one: the tab holds the stored token (or,
 * by default, says it holds a newer one), so only a new token from Chatzy answers it.
 */
const refreshOf = (app: FastifyInstance, cookie: string, chatbot?: string, user = 'alice', expiresAt = 8.64e15) =>
  call(app, 'POST', '/refresh', { user, cookie, body: { ...(chatbot && { chatbot_id: chatbot }), expires_at: expiresAt } })

/** Starts chatbot A's session, then B's with the cookie A set, as one page with both does. */
async function bothOn(app: FastifyInstance, user = 'alice') {
  const a = await call(app, 'POST', '/session', { user, body: { chatbot_id: CHATBOT_ID } })
  assert.equal(a.statusCode, 200, a.body)
  const cookie = sessionCookieOf(a)
  const b = await call(app, 'POST', '/session', { user, cookie, body: { chatbot_id: SUPPORT_BOT } })
  assert.equal(b.statusCode, 200, b.body)
  return { a, b, cookie }
}

test('starting chatbot B never ends chatbot A\'s session: one cookie, one session per chatbot, each refresh answered for its own chatbot', async (t) => {
  const { chatzy, app } = await startApp(t, { chatbotId, minRefreshIntervalMs: 0 })
  const { a, b, cookie } = await bothOn(app)
  assert.equal(b.json().chatbot_id, SUPPORT_BOT)
  // B's answer may re-sign the cookie, but it names the same browser session.
  assert.equal(recordKeyOf(b, CHATBOT_ID), recordKeyOf(a, CHATBOT_ID))
  assert.equal(chatzy.grantOf(a.json().access_token)?.chatbot_id, CHATBOT_ID)
  assert.equal(chatzy.grantOf(b.json().access_token)?.chatbot_id, SUPPORT_BOT)

  const refreshedA = await refreshOf(app, cookie, CHATBOT_ID, 'alice', a.json().expires_at)
  const refreshedB = await refreshOf(app, cookie, SUPPORT_BOT, 'alice', b.json().expires_at)
  assert.equal(refreshedA.statusCode, 200, refreshedA.body)
  assert.equal(refreshedB.statusCode, 200, refreshedB.body)
  assert.deepEqual(chatzy.grantOf(refreshedA.json().access_token), { user_id: 'alice', chatbot_id: CHATBOT_ID })
  assert.deepEqual(chatzy.grantOf(refreshedB.json().access_token), { user_id: 'alice', chatbot_id: SUPPORT_BOT })
  assert.deepEqual(chatzy.calls, { mint: 2, refresh: 2 })
})

test('a refresh without chatbot_id (a 0.1 element) is for the first configured chatbot; an unlisted one is refused by name of the code', async (t) => {
  const { chatzy, app } = await startApp(t, { chatbotId, minRefreshIntervalMs: 0 })
  const { cookie } = await bothOn(app)
  const legacy = await refreshOf(app, cookie)
  assert.equal(legacy.statusCode, 200)
  assert.equal(chatzy.grantOf(legacy.json().access_token)?.chatbot_id, CHATBOT_ID)
  const unlisted = await refreshOf(app, cookie, '00000000-0000-4000-8000-000000000000')
  assert.equal(unlisted.statusCode, 400)
  assert.equal(unlisted.json().code, 'CHATZY_CHATBOT_NOT_ALLOWED')
})

test('a reload of a page with both chatbots mints nothing while both tokens are fresh', async (t) => {
  const { chatzy, app } = await startApp(t, { chatbotId })
  const { cookie } = await bothOn(app)
  for (let reload = 0; reload < 3; reload++) {
    for (const chatbot of chatbotId) {
      const again = await call(app, 'POST', '/session', { user: 'alice', cookie, body: { chatbot_id: chatbot } })
      assert.equal(again.statusCode, 200)
      assert.equal(again.json().chatbot_id, chatbot)
    }
  }
  assert.deepEqual(chatzy.calls, { mint: 2, refresh: 0 })
})

test('DELETE with chatbot_id ends that chatbot\'s session only; without one, every session of the cookie, and the cookie', async (t) => {
  const { app } = await startApp(t, { chatbotId, minRefreshIntervalMs: 0 })
  const { cookie } = await bothOn(app)
  const outOfB = await call(app, 'DELETE', '/session', { cookie, body: { chatbot_id: SUPPORT_BOT } })
  assert.equal(outOfB.statusCode, 204)
  assert.equal(outOfB.cookies.length, 0, 'the cookie stays: chatbot A lives on')
  assert.equal((await refreshOf(app, cookie, SUPPORT_BOT)).statusCode, 401)
  assert.equal((await refreshOf(app, cookie, CHATBOT_ID)).statusCode, 200)

  // B starts again beside A, then the host signs the user out of everything.
  assert.equal((await call(app, 'POST', '/session', { user: 'alice', cookie, body: { chatbot_id: SUPPORT_BOT } })).statusCode, 200)
  const outOfAll = await call(app, 'DELETE', '/session', { cookie })
  assert.equal(outOfAll.statusCode, 204)
  assert.equal(outOfAll.cookies.find((c) => c.name === 'chatzy_session')?.value, '', 'the cookie is cleared')
  for (const chatbot of chatbotId) assert.equal((await refreshOf(app, cookie, chatbot)).statusCode, 401)
})

test('endSession(request, reply) with no chatbot ends them all; with one, that one', async (t) => {
  const { app } = await startApp(t, { chatbotId, minRefreshIntervalMs: 0 })
  app.post('/sign-out', async (request, reply) => {
    const chatbot = (request.query as { chatbot?: string }).chatbot
    await app.chatzy.endSession(request, reply, chatbot)
    return { ok: true }
  })
  const { cookie } = await bothOn(app)
  await app.inject({ method: 'POST', url: `/sign-out?chatbot=${SUPPORT_BOT}`, headers: { cookie } })
  assert.equal((await refreshOf(app, cookie, SUPPORT_BOT)).statusCode, 401)
  assert.equal((await refreshOf(app, cookie, CHATBOT_ID)).statusCode, 200)
  const all = await app.inject({ method: 'POST', url: '/sign-out', headers: { cookie } })
  assert.match(String(all.headers['set-cookie']), /chatzy_session=;/)
  assert.equal((await refreshOf(app, cookie, CHATBOT_ID)).statusCode, 401)
})

test('a cookie that serves another user is never adopted: bob starting B gets a browser session of his own, and alice\'s ends', async (t) => {
  const { app } = await startApp(t, { chatbotId, minRefreshIntervalMs: 0 })
  const alice = await call(app, 'POST', '/session', { user: 'alice', body: { chatbot_id: CHATBOT_ID } })
  const aliceCookie = sessionCookieOf(alice)
  const bob = await call(app, 'POST', '/session', { user: 'bob', cookie: aliceCookie, body: { chatbot_id: SUPPORT_BOT } })
  assert.equal(bob.statusCode, 200)
  assert.notEqual(recordKeyOf(bob), recordKeyOf(alice))
  assert.equal((await refreshOf(app, aliceCookie, CHATBOT_ID, 'alice')).statusCode, 401)
  assert.equal((await refreshOf(app, sessionCookieOf(bob), SUPPORT_BOT, 'bob')).statusCode, 200)
})

test('sessionsPerUser and mintLimit count per user and chatbot', async (t) => {
  const { chatzy, app } = await startApp(t, { chatbotId, sessionsPerUser: 1, mintLimit: { max: 1, windowMs: 60_000 }, minRefreshIntervalMs: 0 })
  const { cookie } = await bothOn(app)
  // One session each is within sessionsPerUser: 1, and one mint each within mintLimit: 1.
  for (const chatbot of chatbotId) assert.equal((await refreshOf(app, cookie, chatbot)).statusCode, 200)
  const secondOfA = await call(app, 'POST', '/session', { user: 'alice', body: { chatbot_id: CHATBOT_ID } })
  assert.equal(secondOfA.statusCode, 429)
  assert.equal(secondOfA.json().code, 'CHATZY_RATE_LIMITED')
  assert.equal(chatzy.calls.mint, 2)
})

test('with sealing, each chatbot\'s record is bound to its own key: A\'s record copied under B\'s key is no session', async (t) => {
  const store = memoryStore()
  const { app } = await startApp(t, { chatbotId, store, encryptionKey: 'an-encryption-key-of-32-chars-or-more!', minRefreshIntervalMs: 0 })
  const { a, cookie } = await bothOn(app)
  const sealedA = await store.get(recordKeyOf(a, CHATBOT_ID))
  assert.ok(sealedA)
  await store.set(recordKeyOf(a, SUPPORT_BOT), sealedA, 60_000)
  const swapped = await refreshOf(app, cookie, SUPPORT_BOT)
  assert.equal(swapped.statusCode, 401)
  assert.equal((await refreshOf(app, cookie, CHATBOT_ID)).statusCode, 200)
})
