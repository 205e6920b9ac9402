import { test } from 'node:test'
import assert from 'node:assert/strict'
import { memoryStore } from '../src/index.js'
import { guardStore } from '../src/store-guard.js'
import { buildApp, call, captureLogs, sessionCookieOf, startChatzy } from './helpers.js'

test('successful session, refresh and sign-out build no child logger of their own', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const logs = captureLogs()
  const app = await buildApp(chatzy, { minRefreshIntervalMs: 0 }, { logger: { level: 'trace', stream: logs.stream } })
  t.after(() => app.close())
  let children = 0
  app.addHook('onRequest', (request, _reply, done) => {
    const child = request.log.child.bind(request.log)
    request.log.child = (...args: Parameters<typeof child>) => { children++; return child(...args) }
    done()
  })
  const started = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(started)
  const reloaded = await call(app, 'POST', '/session', { user: 'alice', cookie })
  const renewed = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: started.json().expires_at } })
  const reused = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: started.json().expires_at } })
  const ended = await call(app, 'DELETE', '/session', { cookie })
  assert.deepEqual([started, reloaded, renewed, reused, ended].map((r) => r.statusCode), [200, 200, 200, 200, 204])
  assert.equal(chatzy.calls.refresh, 1)
  assert.equal(children, 0)
  // A refusal still logs through the plugin's own redacting logger.
  assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie })).statusCode, 401)
  assert.equal(children, 1)
})

test('the in-process memoryStore is used as is; any other store is guarded', () => {
  const memory = memoryStore()
  assert.equal(guardStore(memory), memory)
  const other = { get: memory.get, set: memory.set, delete: memory.delete }
  assert.notEqual(guardStore(other), other)
})

test('an answer refused by a host hook (a rate limit\'s 429) keeps its status and is Cache-Control: no-store too', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const app = await buildApp(chatzy)
  t.after(() => app.close())
  app.addHook('onRequest', async (request) => {
    if (request.headers['x-host-refuses'] === '1') throw Object.assign(new Error('host says no'), { statusCode: 429 })
  })
  const refused = await call(app, 'POST', '/session', { user: 'alice', headers: { 'x-host-refuses': '1' } })
  // A 429 must stay a 429: the element waits and retries it, where a 400 would end the agent.
  assert.equal(refused.statusCode, 429)
  assert.equal(refused.json().statusCode, 429)
  assert.equal(refused.headers['cache-control'], 'no-store')
})

test('a shared store whose lock release never settles cannot hang a refresh', async (t) => {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const memory = memoryStore()
  const stuck = {
    get: (id: string) => memory.get(id),
    set: (...args: Parameters<typeof memory.set>) => memory.set(...args),
    delete: (id: string) => memory.delete(id),
    lock: async () => () => new Promise<void>(() => {}),
  }
  const app = await buildApp(chatzy, { store: stuck, minRefreshIntervalMs: 0 })
  t.after(() => app.close())
  const session = await call(app, 'POST', '/session', { user: 'alice' })
  const cookie = sessionCookieOf(session)
  const body = { expires_at: session.json().expires_at }
  // The release is bounded like every store call: the refresh answers, and so does the next one.
  const first = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body })
  assert.equal(first.statusCode, 200)
  const second = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: first.json().expires_at } })
  assert.equal(second.statusCode, 200)
})

/**
 * A refresh the stored token can answer is answered in the same turn when the store is in
 * this process's memory and `identify` answers at once, and through the awaited flow
 * otherwise. What the browser gets must not depend on which.
 */
const identifyKinds = {
  'identify answering at once': (user: string | null) => user,
  'identify answering later': async (user: string | null) => {
    await new Promise((resolve) => setTimeout(resolve, 1))
    return user
  },
}
const storeKinds = {
  memoryStore: () => memoryStore(),
  'a store of its own': () => {
    const memory = memoryStore()
    return { get: (id: string) => memory.get(id), set: memory.set, delete: memory.delete, replace: memory.replace }
  },
}
for (const [identifyKind, answer] of Object.entries(identifyKinds)) {
  for (const [storeKind, makeStore] of Object.entries(storeKinds)) {
    for (const sealed of [false, true]) {
      test(`a refresh answered from the stored token, with ${identifyKind}, ${storeKind}${sealed ? ', sealed' : ''}: same answers, same refusals`, async (t) => {
        const chatzy = await startChatzy()
        t.after(() => chatzy.app.close())
        const app = await buildApp(chatzy, {
          store: makeStore(),
          ...(sealed && { encryptionKey: 'k'.repeat(32) }),
          identify: (request) => {
            if (request.headers['x-identify-throws'] === '1') throw new Error('the user database is down')
            return answer((request.headers['x-test-user'] as string | undefined) ?? null)
          },
        })
        t.after(() => app.close())
        const started = await call(app, 'POST', '/session', { user: 'alice' })
        const cookie = sessionCookieOf(started)
        const { access_token, expires_at } = started.json()

        // The caller holds an older token: the stored one answers, with no upstream call.
        const reused = await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: expires_at - 1 } })
        assert.equal(reused.statusCode, 200)
        assert.deepEqual(reused.json(), { access_token, expires_at })
        assert.equal(reused.headers['cache-control'], 'no-store')
        assert.equal(reused.headers['set-cookie'], undefined, 'a fresh cookie is not written again')
        assert.equal(chatzy.calls.refresh, 0)

        // A throwing identify is a 500 that says nothing, and the session survives it.
        const failed = await call(app, 'POST', '/refresh', { user: 'alice', cookie, headers: { 'x-identify-throws': '1' } })
        assert.equal(failed.statusCode, 500)
        assert.equal(failed.json().code, 'CHATZY_INTERNAL')
        assert.ok(!failed.body.includes('database'))
        assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie, body: { expires_at: expires_at - 1 } })).statusCode, 200)

        // Nobody signed in, or someone else: 401, the cookie cleared, and the session gone for good.
        for (const user of [undefined, '', 'mallory']) {
          const session = await call(app, 'POST', '/session', { user: 'alice' })
          const theirs = sessionCookieOf(session)
          const refused = await call(app, 'POST', '/refresh', { ...(user !== undefined && { user }), cookie: theirs, body: { expires_at: session.json().expires_at - 1 } })
          assert.equal(refused.statusCode, 401, `as ${JSON.stringify(user)}`)
          assert.equal(refused.json().code, 'CHATZY_NO_SESSION')
          assert.ok(!refused.body.includes(session.json().access_token))
          assert.equal(refused.cookies.find((c) => c.name === 'chatzy_session')?.value, '', 'the cookie is cleared')
          assert.equal((await call(app, 'POST', '/refresh', { user: 'alice', cookie: theirs })).statusCode, 401)
        }
        assert.equal(chatzy.calls.refresh, 0)
      })
    }
  }
}
