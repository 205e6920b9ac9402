import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import { SessionReply } from '../src/schemas.js'
import { buildApp, call, CHATBOT_ID, sessionCookieOf, startChatzy } from './helpers.js'

test('fastify.chatzy.startSession serves a server-rendered page the same answer as POST /session, cookie included', async (t) => {
  const chatzy = await startChatzy()
  const app = await buildApp(chatzy, { minRefreshIntervalMs: 0 })
  app.get('/page', async (request, reply) => {
    const session = await app.chatzy.startSession(request, reply)
    return reply.type('text/html').send(`<chatzy-agent chatbot-id="${session.chatbot_id}" user-id="${session.user_id}" access-token="${session.access_token}" expires-at="${session.expires_at}"></chatzy-agent>`)
  })
  app.post('/signout', async (request, reply) => {
    await app.chatzy.endSession(request, reply)
    return reply.code(204).send()
  })
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))

  const page = await app.inject({ method: 'GET', url: '/page', headers: { 'x-test-user': 'alice' } })
  assert.equal(page.statusCode, 200)
  // The page holds a token: no cache may keep it.
  assert.equal(page.headers['cache-control'], 'no-store')
  const token = /access-token="([^"]+)"/.exec(page.body)![1]!
  assert.ok(chatzy.issued.access.has(token))
  assert.match(page.body, new RegExp(`chatbot-id="${CHATBOT_ID}"`))
  const cookie = sessionCookieOf(page)
  assert.equal(page.cookies.find((c) => c.name === 'chatzy_session')!.httpOnly, true)

  // The element then refreshes through the routes with that cookie.
  const refreshed = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: Number(/expires-at="(\d+)"/.exec(page.body)![1]) } })
  assert.equal(refreshed.statusCode, 200)
  assert.notEqual(refreshed.json().access_token, token)

  const signout = await app.inject({ method: 'POST', url: '/signout', headers: { cookie } })
  assert.equal(signout.cookies.find((c) => c.name === 'chatzy_session')!.value, '')
  assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie })).statusCode, 401)
})

test('fastify.chatzy.startSession refuses as the route does: no user, or a chatbot outside chatbotId', async (t) => {
  const chatzy = await startChatzy()
  const app = await buildApp(chatzy)
  app.get('/page', async (request, reply) => app.chatzy.startSession(request, reply, (request.query as { bot?: string }).bot))
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))
  const anonymous = await app.inject({ method: 'GET', url: '/page' })
  assert.equal(anonymous.statusCode, 401)
  assert.equal(anonymous.json().code, 'CHATZY_UNAUTHENTICATED')
  const foreign = await app.inject({ method: 'GET', url: '/page?bot=other-bot', headers: { 'x-test-user': 'alice' } })
  assert.equal(foreign.statusCode, 400)
  assert.equal(foreign.json().code, 'CHATZY_CHATBOT_NOT_ALLOWED')
  assert.equal(chatzy.calls.mint, 0)
})

test('answer schemas list their fields exactly: anything extra (a refresh token) is never serialized', async (t) => {
  const app = Fastify()
  app.get('/leaky', { schema: { response: { 200: SessionReply } } }, async () => ({
    user_id: 'alice', chatbot_id: CHATBOT_ID, access_token: 'at_x', expires_at: 1, iframe_url: 'https://app.chatzy.test/',
    refresh_token: 'rt_must_not_leave',
    client_api_key: 'ak-must-not-leave',
  }))
  t.after(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/leaky' })
  assert.deepEqual(Object.keys(response.json()).sort(), ['access_token', 'chatbot_id', 'expires_at', 'iframe_url', 'user_id'])
  assert.ok(!response.body.includes('must_not_leave') && !response.body.includes('must-not-leave'))
})
