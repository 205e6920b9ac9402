import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import fc from 'fast-check'
import { buildApp, browserHeaders, sessionCookieOf, startChatzy } from './helpers.js'

/*
 * Many tabs of one user refresh the same expired token at about the same time, and the host's
 * `identify` takes its own time for each request (a session lookup in a database, say).
 * However their arrivals and those lookups interleave, Chatzy sees one refresh and every tab
 * gets the same new token.
 */

const burst = fc.array(
  fc.record({ arrivesAfterMs: fc.integer({ min: 0, max: 40 }), identifyTakesMs: fc.integer({ min: 0, max: 60 }) }),
  { minLength: 2, maxLength: 8 },
)

test('a burst of refreshes of one token costs one upstream call, whatever identify and arrival timings', async (t) => {
  const chatzy = await startChatzy()
  const app = await buildApp(chatzy, {
    minRefreshIntervalMs: 0,
    identify: async (request) => {
      await sleep(Number(request.headers['x-identify-ms'] ?? 0))
      return (request.headers['x-test-user'] as string | undefined) ?? null
    },
  })
  t.after(() => Promise.all([app.close(), chatzy.app.close()]))
  let user = 0

  await fc.assert(fc.asyncProperty(burst, async (tabs) => {
    const headers = { ...browserHeaders, 'x-test-user': `tab-user-${user++}` }
    const started = await app.inject({ method: 'POST', url: '/chatzy/session', headers, payload: {} })
    assert.equal(started.statusCode, 200)
    const cookie = sessionCookieOf(started)
    const held = started.json().expires_at as number

    const before = chatzy.calls.refresh + chatzy.calls.mint
    const answers = await Promise.all(tabs.map(async ({ arrivesAfterMs, identifyTakesMs }) => {
      await sleep(arrivesAfterMs)
      return app.inject({
        method: 'POST',
        url: '/chatzy/refresh',
        headers: { ...headers, cookie, 'x-identify-ms': String(identifyTakesMs) },
        payload: { expires_at: held },
      })
    }))

    for (const answer of answers) assert.equal(answer.statusCode, 200)
    const tokens = new Set(answers.map((answer) => answer.json().access_token as string))
    assert.equal(chatzy.calls.refresh + chatzy.calls.mint - before, 1, `${tabs.length} tabs cost ${chatzy.calls.refresh + chatzy.calls.mint - before} upstream calls`)
    assert.equal(tokens.size, 1, 'the tabs got different tokens')
  }), { numRuns: 30 })
})
