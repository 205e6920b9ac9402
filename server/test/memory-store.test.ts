import { test } from 'node:test'
import assert from 'node:assert/strict'
import { memoryStore, type StoredSession } from '../src/index.js'

function session(user_id: string): StoredSession {
  const now = Date.now()
  return {
    user_id,
    chatbot_id: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1',
    access_token: `at_${user_id}`,
    access_expires_at: now + 900_000,
    refresh_token: `rt_${user_id}`,
    refresh_expires_at: now + 3_600_000,
    upstream_at: now,
  }
}

const HOUR = 3_600_000

test('memoryStore keeps, returns and deletes sessions', async () => {
  const store = memoryStore()
  const alice = session('alice')
  await store.set('a', alice, HOUR)
  assert.deepEqual(await store.get('a'), alice)
  assert.equal(await store.get('missing'), undefined)
  await store.delete('a')
  assert.equal(await store.get('a'), undefined)
  assert.equal(store.size, 0)
})

test('memoryStore replace writes only over a session still there', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 })
  const store = memoryStore()
  assert.equal(await store.replace!('missing', session('alice'), HOUR), false)
  assert.equal(store.size, 0, 'nothing was created')
  await store.set('a', session('alice'), 1_000)
  const next = { ...session('alice'), access_token: 'at_next' }
  assert.equal(await store.replace!('a', next, HOUR), true)
  assert.deepEqual(await store.get('a'), next)
  t.mock.timers.tick(2_000)
  assert.deepEqual(await store.get('a'), next, 'the new TTL counts')
  await store.set('b', session('bob'), 1_000)
  t.mock.timers.tick(1_000)
  assert.equal(await store.replace!('b', session('bob'), HOUR), false, 'an expired session is not brought back')
  assert.equal(await store.get('b'), undefined)
  await store.delete('a')
  assert.equal(await store.replace!('a', next, HOUR), false)
})

test('memoryStore never holds more than maxSessions: the least recently used session goes first', async () => {
  const store = memoryStore({ maxSessions: 3 })
  await store.set('a', session('a'), HOUR)
  await store.set('b', session('b'), HOUR)
  await store.set('c', session('c'), HOUR)
  await store.get('a') // a is now the most recently used
  await store.set('d', session('d'), HOUR)
  assert.equal(store.size, 3)
  assert.equal(await store.get('b'), undefined, 'b was the least recently used')
  assert.ok(await store.get('a'))
  assert.ok(await store.get('c'))
  assert.ok(await store.get('d'))

  for (let i = 0; i < 1_000; i++) await store.set(`s${i}`, session(`s${i}`), HOUR)
  assert.equal(store.size, 3)
  assert.ok(await store.get('s999'))
})

test('memoryStore forgets a session after its TTL (the life of its refresh token)', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 })
  const store = memoryStore()
  await store.set('short', session('short'), 50)
  await store.set('long', session('long'), HOUR)
  t.mock.timers.tick(49)
  assert.ok(await store.get('short'))
  t.mock.timers.tick(1)
  assert.equal(await store.get('short'), undefined)
  assert.ok(await store.get('long'))
})

test('memoryStore does not keep a session set with no life left', async () => {
  const store = memoryStore()
  await store.set('a', session('a'), HOUR)
  await store.set('a', session('a'), 0)
  assert.equal(await store.get('a'), undefined)
  await store.set('b', session('b'), -5)
  assert.equal(store.size, 0)
})

test('memoryStore sweeps expired sessions that nobody reads any more', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 })
  const store = memoryStore()
  for (let i = 0; i < 100; i++) await store.set(`old${i}`, session(`old${i}`), 1_000)
  assert.equal(store.size, 100)
  t.mock.timers.tick(120_000)
  await store.set('new', session('new'), HOUR)
  assert.equal(store.size, 1, 'the expired sessions were dropped by the write')
})

test('memoryStore refuses a nonsensical maxSessions', () => {
  assert.throws(() => memoryStore({ maxSessions: 0 }), /maxSessions/)
  assert.throws(() => memoryStore({ maxSessions: 1.5 }), /maxSessions/)
})
