import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import { Agent, MockAgent, type Dispatcher } from 'undici'
import chatzyAgent from '../src/index.js'
import { API_KEY, CHATBOT_ID, COOKIE_SECRET, buildApp, call, sessionCookieOf, startChatzy } from './helpers.js'

/** An Agent that notes where each call went: what an egress proxy or a custom pool would see. */
class WatchingAgent extends Agent {
  readonly paths: string[] = []
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.paths.push(`${String(options.origin)}${options.path}`)
    return super.dispatch(options, handler)
  }
}

test('calls to Chatzy go through the host\'s dispatcher, which closing the app leaves open', async (t) => {
  const chatzy = await startChatzy({ accessTtlMs: 1_000 })
  t.after(() => chatzy.app.close())
  const dispatcher = new WatchingAgent()
  t.after(() => dispatcher.close())
  const app = await buildApp(chatzy, { dispatcher, minRefreshIntervalMs: 0 })

  const started = await call(app, 'POST', '/session', { user: 'alice' })
  assert.equal(started.statusCode, 200)
  const refreshed = await call(app, 'POST', '/refresh', { user: 'alice', cookie: sessionCookieOf(started), body: { expires_at: started.json().expires_at } })
  assert.equal(refreshed.statusCode, 200)
  assert.notEqual(refreshed.json().access_token, started.json().access_token)
  assert.deepEqual(dispatcher.paths, [`${chatzy.url}/ai_agent/get_access_token`, `${chatzy.url}/ai_agent/refresh_token`])
  assert.deepEqual({ mint: chatzy.calls.mint, refresh: chatzy.calls.refresh }, { mint: 1, refresh: 1 })

  await app.close()
  assert.equal(dispatcher.closed, false, 'the host\'s dispatcher is the host\'s to close')
  assert.equal(dispatcher.destroyed, false)
})

test('undici\'s MockAgent can stand in for Chatzy: no network at all', async (t) => {
  const mock = new MockAgent()
  mock.disableNetConnect()
  t.after(() => mock.close())
  const chatzy = mock.get('https://chatzy.example')
  const now = Date.now()
  chatzy.intercept({ path: '/prod/ai_agent/get_access_token', method: 'POST' }).reply(200, {
    data: { access_token: 'at-from-the-mock', refresh_token: 'rt-from-the-mock', access_token_expires_at: now + 60_000, refresh_token_expires_at: now + 3_600_000 },
  })
  const app = Fastify()
  await app.register(chatzyAgent, {
    apiKey: API_KEY,
    chatbotId: CHATBOT_ID,
    apiUrl: 'https://chatzy.example/prod',
    identify: () => 'alice',
    cookie: { secret: COOKIE_SECRET },
    dispatcher: mock,
  })
  t.after(() => app.close())
  const started = await call(app, 'POST', '/session')
  assert.equal(started.statusCode, 200)
  assert.equal(started.json().access_token, 'at-from-the-mock')
  mock.assertNoPendingInterceptors()
})
