import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { redisStore } from '../src/index.js'
import { connectRedis, startRedisServer } from '../../test/redis-server.js'
import { browserHeaders, buildApp, sessionCookieOf, startChatzy } from './helpers.js'

/** An instance set up as docs/scaling.md shows: its own Redis client, quit when the app closes. */
async function instance(chatzy: { url: string }, redisUrl: string): Promise<FastifyInstance> {
  const redis = await connectRedis(redisUrl)
  const app = await buildApp(chatzy, { store: redisStore({ client: redis }), minRefreshIntervalMs: 0 })
  app.addHook('onClose', async () => { await redis.quit() })
  return app
}

const headersOf = (user: string) => ({ ...browserHeaders, 'x-test-user': user })

/** A POST on a connection of its own, closed after the answer; `signal` gives up on it. */
function post(url: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<{ status: number; json: { access_token: string } }> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method: 'POST', headers, agent: false, ...(signal && { signal }) }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { text += chunk })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) }))
    })
    sent.once('error', reject)
    sent.end(body)
  })
}

test('closing an instance mid-burst: every accepted refresh is answered, and the next instance serves the stored tokens', async (t) => {
  const redisServer = await startRedisServer()
  const chatzy = await startChatzy()
  const apps: FastifyInstance[] = []
  t.after(async () => {
    await Promise.all(apps.map((app) => app.close()))
    await chatzy.app.close()
    await redisServer.close()
  })
  const a = await instance(chatzy, redisServer.url)
  apps.push(a)
  const address = await a.listen({ host: '127.0.0.1', port: 0 })

  const users = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5']
  const started = new Map<string, LightMyRequestResponse>()
  for (const user of users) {
    const answer = await a.inject({ method: 'POST', url: '/chatzy/session', headers: headersOf(user), payload: {} })
    assert.equal(answer.statusCode, 200)
    started.set(user, answer)
  }
  const refreshOf = (user: string) => ({
    headers: { ...headersOf(user), cookie: sessionCookieOf(started.get(user)!) },
    // The browser's token has expired: each refresh goes to Chatzy.
    body: JSON.stringify({ expires_at: started.get(user)!.json().expires_at }),
  })

  // A slow Chatzy: the instance is told to close while every refresh waits for its answer.
  chatzy.faults.inject({ fault: 'delay', delayMs: 500, endpoints: ['refresh'] })
  const overHttp = ['u0', 'u1', 'u2', 'u3'].map((user) => post(`${address}/chatzy/refresh`, refreshOf(user).headers, refreshOf(user).body))
  // Later ones, still waiting for Chatzy when the first answers leave. A tab closed mid-refresh:
  // its browser stops waiting, the refresh it started goes on.
  await new Promise((resolve) => setTimeout(resolve, 250))
  const gaveUp = new AbortController()
  const abandoned = post(`${address}/chatzy/refresh`, refreshOf('u4').headers, refreshOf('u4').body, gaveUp.signal).catch(() => 'aborted')
  // A caller in the same process (a host route, a test).
  const inProcess = a.inject({ method: 'POST', url: '/chatzy/refresh', headers: refreshOf('u5').headers, payload: refreshOf('u5').body })
  for (let i = 0; i < 200 && chatzy.calls.refresh < users.length; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  assert.equal(chatzy.calls.refresh, users.length, 'every refresh is at Chatzy')
  gaveUp.abort()
  await a.close()

  const answered = await Promise.all(overHttp)
  assert.deepEqual(answered.map((answer) => answer.status), [200, 200, 200, 200])
  const local = await inProcess
  assert.equal(local.statusCode, 200)
  assert.equal(await abandoned, 'aborted')
  const given = new Map([...answered.map((answer, i) => [users[i]!, answer.json.access_token] as const), ['u5', local.json().access_token]])
  chatzy.faults.clear()

  const b = await instance(chatzy, redisServer.url)
  apps.push(b)
  for (const user of users) {
    const again = await b.inject({ method: 'POST', url: '/chatzy/refresh', headers: refreshOf(user).headers, payload: refreshOf(user).body })
    assert.equal(again.statusCode, 200)
    const token = again.json().access_token
    assert.notEqual(token, started.get(user)!.json().access_token, `${user}: the token of the refresh made before the close`)
    if (given.has(user)) assert.equal(token, given.get(user), `${user}: the token its browser got`)
  }
  assert.equal(chatzy.calls.refresh, users.length, 'the next instance made no upstream call')
})
