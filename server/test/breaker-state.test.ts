import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createBreaker, type BreakerOptions, type BreakerTicket } from '../src/breaker.js'

/** A breaker on a clock the test moves by hand. */
function breakerAt(options: Partial<BreakerOptions> = {}) {
  const clock = { now: 1_000_000 }
  const breaker = createBreaker({ threshold: 5, cooldownMs: 5_000, now: () => clock.now, ...options })
  const allow = (user: string): BreakerTicket => {
    const ticket = breaker.allow(user)
    assert.ok(ticket, `${user} is let through`)
    return ticket
  }
  return { breaker, clock, allow }
}

test('breaker state: every call failing opens it at the threshold-th distinct user, then it fails fast', () => {
  const { breaker, allow } = breakerAt()
  for (let i = 1; i <= 4; i++) breaker.failure(allow(`u${i}`))
  assert.equal(breaker.state, 'closed')
  breaker.failure(allow('u5'))
  assert.equal(breaker.state, 'open')
  assert.equal(breaker.allow('u6'), undefined)
})

test('breaker state: one user failing again and again never opens it', () => {
  const { breaker, allow } = breakerAt()
  for (let i = 0; i < 100; i++) breaker.failure(allow('mallory'))
  assert.equal(breaker.state, 'closed')
})

test('breaker state: a success between failures starts the count again', () => {
  const { breaker, allow } = breakerAt()
  // Fewer users than the failure share needs: only the count of users in a row can open it.
  for (let round = 0; round < 3; round++) {
    for (let i = 1; i <= 4; i++) breaker.failure(allow(`u${round}-${i}`))
    breaker.success(allow(`ok${round}`))
  }
  assert.equal(breaker.state, 'closed')
})

test('breaker state: failures ending together, of calls that began before successes that ended meanwhile, do not open it', () => {
  // 100 users at once, 10 of them hung until their deadline: the 90 others' successes end first.
  const { breaker, clock, allow } = breakerAt()
  const tickets = Array.from({ length: 100 }, (_, i) => allow(`u${i}`))
  clock.now += 50
  tickets.filter((_, i) => i % 10 !== 0).forEach((ticket) => breaker.success(ticket))
  clock.now += 5_000
  tickets.filter((_, i) => i % 10 === 0).forEach((ticket) => breaker.failure(ticket))
  assert.equal(breaker.state, 'closed')
})

test('breaker state: an outage that begins while calls are under way still opens it after threshold users', () => {
  const { breaker, allow } = breakerAt()
  const before = Array.from({ length: 10 }, (_, i) => allow(`early${i}`))
  breaker.success(allow('last-ok'))
  // The calls under way when the last success ended prove nothing; the ones after it do.
  for (const ticket of before) breaker.failure(ticket)
  assert.equal(breaker.state, 'closed')
  for (let i = 1; i <= 5; i++) breaker.failure(allow(`late${i}`))
  assert.equal(breaker.state, 'open')
})

test('breaker state: a failure share of half the users in the window opens it, even with successes between', () => {
  const { breaker, allow } = breakerAt()
  for (let i = 0; i < 30; i++) {
    breaker.failure(allow(`bad${i}`))
    if (breaker.state === 'open') break
    breaker.success(allow(`good${i}`))
  }
  assert.equal(breaker.state, 'open')
})

test('breaker state: one user in ten failing, with successes between, never opens it', () => {
  const { breaker, clock, allow } = breakerAt()
  for (let i = 0; i < 10_000; i++) {
    clock.now += 3
    const ticket = allow(`u${i % 700}`)
    if (i % 10 === 0) breaker.failure(ticket)
    else breaker.success(ticket)
  }
  assert.equal(breaker.state, 'closed')
})

test('breaker state: the failure share counts users, not calls: one user\'s many failures weigh as one', () => {
  const { breaker, allow } = breakerAt()
  for (let i = 0; i < 25; i++) breaker.success(allow(`good${i}`))
  for (let i = 0; i < 200; i++) breaker.failure(allow('mallory'))
  for (let i = 0; i < 4; i++) {
    breaker.failure(allow(`unlucky${i}`))
    breaker.success(allow(`good${i}`))
  }
  assert.equal(breaker.state, 'closed')
})

test('breaker state: the failure share slides: failures older than the window are forgotten', () => {
  const { breaker, clock, allow } = breakerAt({ windowMs: 10_000 })
  for (let i = 0; i < 9; i++) {
    breaker.failure(allow(`old${i}`))
    breaker.success(allow('old-ok'))
  }
  clock.now += 10_001
  breaker.success(allow('new-a'))
  breaker.success(allow('new-b'))
  for (let i = 0; i < 9; i++) {
    breaker.failure(allow(`bad${i}`))
    breaker.success(allow(`fine${i}`))
  }
  // 9 failing users of 20 in the window; with the older ones, 18 of 30.
  assert.equal(breaker.state, 'closed')
})

test('breaker state: after the cooldown one probe goes through; its success closes it', () => {
  const { breaker, clock, allow } = breakerAt({ threshold: 2, cooldownMs: 1_000 })
  breaker.failure(allow('a'))
  breaker.failure(allow('b'))
  clock.now += 999
  assert.equal(breaker.allow('c'), undefined)
  clock.now += 1
  assert.equal(breaker.state, 'half-open')
  const probe = allow('c')
  assert.equal(breaker.allow('d'), undefined, 'one probe at a time')
  breaker.success(probe)
  assert.equal(breaker.state, 'closed')
  allow('d')
})

test('breaker state: a failed probe opens it for another cooldown', () => {
  const { breaker, clock, allow } = breakerAt({ threshold: 2, cooldownMs: 1_000 })
  breaker.failure(allow('a'))
  breaker.failure(allow('b'))
  clock.now += 1_000
  breaker.failure(allow('c'))
  assert.equal(breaker.state, 'open')
  clock.now += 999
  assert.equal(breaker.allow('d'), undefined)
  clock.now += 1
  allow('d')
})

test('breaker state: a probe that ends with no outcome (back-pressure) lets another probe', () => {
  const { breaker, clock, allow } = breakerAt({ threshold: 2, cooldownMs: 1_000 })
  breaker.failure(allow('a'))
  breaker.failure(allow('b'))
  clock.now += 1_000
  breaker.release(allow('c'))
  breaker.success(allow('d'))
  assert.equal(breaker.state, 'closed')
})

test('breaker state: outcomes of calls that began while closed move nothing once it opened', () => {
  const { breaker, clock, allow } = breakerAt({ threshold: 2, cooldownMs: 1_000 })
  const stale = Array.from({ length: 4 }, (_, i) => allow(`stale${i}`))
  breaker.failure(allow('a'))
  breaker.failure(allow('b'))
  // A stale success does not close it, a stale failure does not push its cooldown back.
  breaker.success(stale[0]!)
  assert.equal(breaker.state, 'open')
  clock.now += 600
  breaker.failure(stale[1]!)
  clock.now += 400
  assert.equal(breaker.state, 'half-open')
  // In half-open, a stale failure does not re-open it, and a stale release does not free the probe's slot.
  const probe = allow('c')
  breaker.failure(stale[2]!)
  assert.equal(breaker.state, 'half-open')
  breaker.release(stale[3]!)
  assert.equal(breaker.allow('d'), undefined, 'the probe is still out')
  breaker.success(probe)
  assert.equal(breaker.state, 'closed')
})

test('breaker state: failures of calls that began before it closed again do not count toward opening it', () => {
  const { breaker, clock, allow } = breakerAt({ threshold: 2, cooldownMs: 1_000 })
  const stale = [allow('s1'), allow('s2')]
  breaker.failure(allow('a'))
  breaker.failure(allow('b'))
  clock.now += 1_000
  breaker.success(allow('probe'))
  for (const ticket of stale) breaker.failure(ticket)
  assert.equal(breaker.state, 'closed')
})

test('breaker state: an outcome counts once per ticket', () => {
  const { breaker, allow } = breakerAt({ threshold: 2, cooldownMs: 1_000 })
  const ticket = allow('a')
  breaker.failure(ticket)
  breaker.failure(ticket)
  breaker.release(ticket)
  assert.equal(breaker.state, 'closed')
  breaker.failure(allow('b'))
  assert.equal(breaker.state, 'open')
})
