import { test } from 'node:test'
import assert from 'node:assert/strict'
import { memoryStore } from '../src/index.js'
import { verifiedCookies, type VerifiedCookie } from '../src/verified-cookies.js'
import { COOKIE_SECRET, buildApp, call, sessionCookieOf, startChatzy } from './helpers.js'

function counting(answer: (raw: string) => VerifiedCookie | undefined) {
  const seen: string[] = []
  return { seen, verify: (raw: string) => { seen.push(raw); return answer(raw) } }
}

test('a cookie value verified once is not verified again, and gets the same answer', () => {
  const { seen, verify } = counting((raw) => ({ id: raw.slice(0, 3), renew: true }))
  const read = verifiedCookies(verify)
  const first = read('abc.signature')
  assert.deepEqual(read('abc.signature'), first)
  assert.deepEqual(first, { id: 'abc', renew: true })
  assert.deepEqual(seen, ['abc.signature'])
})

test('a rejected cookie value is never remembered: each presentation is verified', () => {
  const { seen, verify } = counting(() => undefined)
  const read = verifiedCookies(verify)
  assert.equal(read('forged.value'), undefined)
  assert.equal(read('forged.value'), undefined)
  assert.equal(seen.length, 2)
})

test('the memo holds at most its limit, dropping the oldest entry first', () => {
  const { seen, verify } = counting((raw) => ({ id: raw, renew: false }))
  const read = verifiedCookies(verify, 2)
  read('a'); read('b'); read('c')
  read('c'); read('b')
  assert.deepEqual(seen, ['a', 'b', 'c'])
  read('a')
  assert.deepEqual(seen, ['a', 'b', 'c', 'a'])
})

test('a remembered answer cannot be changed by whoever received it', () => {
  const read = verifiedCookies((raw) => ({ id: raw, renew: false }))
  const answer = read('x')!
  assert.throws(() => { (answer as { renew: boolean }).renew = true })
  assert.equal(read('x')!.renew, false)
})

test('an old-key cookie is signed again on every refresh that presents it, not only the first', async (t) => {
  const chatzy = await startChatzy()
  const store = memoryStore()
  const NEW = 'the-new-cookie-secret-after-rotation-0123'
  const before = await buildApp(chatzy, { store, cookie: { secret: COOKIE_SECRET }, minRefreshIntervalMs: 60_000 })
  const during = await buildApp(chatzy, { store, cookie: { secret: [NEW, COOKIE_SECRET] }, minRefreshIntervalMs: 60_000 })
  t.after(() => Promise.all([before.close(), during.close(), chatzy.app.close()]))
  const oldCookie = sessionCookieOf(await call(before, 'POST', '/session', { user: 'user123' }))
  for (let i = 0; i < 3; i++) {
    const refreshed = await call(during, 'POST', '/refresh', { user: 'user123', cookie: oldCookie })
    assert.equal(refreshed.statusCode, 200)
    assert.ok(refreshed.cookies.some((c) => c.name === 'chatzy_session'), `presentation ${i + 1} is signed again`)
  }
})
