import { after, before, describe, test } from 'node:test'
import { startChatzy } from '../../server/test/helpers.js'
import { checks } from '../../server/test/conformance/checks.js'
import { browser } from '../../server/test/conformance/client.js'
import type { Adapter } from '../../server/test/conformance/servers.js'
import { startRedisServer, type RedisServer } from '../redis-server.js'
import { bunAdapter, built } from './runtime-servers.js'

/** The conformance checks a runtime must pass: session, refresh, sign-out, cookie, CSRF, several chatbots. */
function runSubset(adapter: Adapter) {
  for (const check of checks.filter((c) => c.subset)) {
    test(check.name, async (t) => {
      const chatzy = await startChatzy(check.mock)
      t.after(() => chatzy.app.close())
      const options = check.options?.(chatzy) ?? {}
      const server = await adapter.start(chatzy.url, options)
      t.after(() => server.close())
      await check.run({ adapter, server, chatzy, options, browser: browser(server.url), another: () => adapter.start(chatzy.url, options) })
    })
  }
}

before(built)

describe('Bun, memoryStore', { timeout: 120_000 }, () => {
  runSubset(bunAdapter())
})

describe('Bun, redisStore on a local redis-server', { timeout: 120_000 }, () => {
  let redis: RedisServer
  before(async () => {
    redis = await startRedisServer()
  })
  after(() => redis?.close())
  runSubset({ ...bunAdapter(), start: (url, options) => bunAdapter({ REDIS_URL: redis.url }).start(url, options) })
})
