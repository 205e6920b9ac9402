import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createBackPressure } from '../src/back-pressure.js'

function backPressureAt() {
  const clock = { now: 1_000_000 }
  return { clock, pressure: createBackPressure({ users: 3, windowMs: 10_000, now: () => clock.now }) }
}

test('back-pressure: a throttle slows its own user for its Retry-After, nobody else', () => {
  const { clock, pressure } = backPressureAt()
  pressure.throttle('alice', 30_000)
  assert.equal(pressure.waitFor('alice'), 30_000)
  assert.equal(pressure.waitFor('bob'), 0)
  clock.now += 30_000
  assert.equal(pressure.waitFor('alice'), 0)
})

test('back-pressure: one user throttled again and again never slows the others', () => {
  const { pressure } = backPressureAt()
  for (let i = 0; i < 50; i++) pressure.throttle('mallory', 60_000)
  assert.equal(pressure.waitFor('bob'), 0)
})

test('back-pressure: the third distinct user throttled within the window slows everyone', () => {
  const { clock, pressure } = backPressureAt()
  pressure.throttle('alice', 20_000)
  pressure.throttle('bob', 20_000)
  assert.equal(pressure.waitFor('dave'), 0)
  clock.now += 1_000
  pressure.throttle('carol', 20_000)
  assert.equal(pressure.waitFor('dave'), 20_000)
  clock.now += 20_000
  assert.equal(pressure.waitFor('dave'), 0)
})

test('back-pressure: throttles further apart than the window are one user\'s each', () => {
  const { clock, pressure } = backPressureAt()
  pressure.throttle('alice', 1_000)
  clock.now += 6_000
  pressure.throttle('bob', 1_000)
  clock.now += 6_000
  pressure.throttle('carol', 1_000)
  assert.equal(pressure.waitFor('dave'), 0)
})

test('back-pressure: a throttle without Retry-After asks for no wait', () => {
  const { pressure } = backPressureAt()
  for (const user of ['alice', 'bob', 'carol']) pressure.throttle(user, undefined)
  assert.equal(pressure.waitFor('alice'), 0)
  assert.equal(pressure.waitFor('dave'), 0)
})
