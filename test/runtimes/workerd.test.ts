import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startChatzy } from '../../server/test/helpers.js'
import { checks } from '../../server/test/conformance/checks.js'
import { browser } from '../../server/test/conformance/client.js'
import { built, workerdAdapter, workerScript } from './runtime-servers.js'

let script: ReturnType<typeof workerScript> | undefined
const adapter = workerdAdapter(() => (script ??= workerScript()))

before(built)

test('the Worker bundle of chatzy-agent/fetch holds no undici, no Fastify, nothing but TypeBox and cookie', async () => {
  const { packages } = await (script ??= workerScript())
  assert.deepEqual(packages, ['@sinclair/typebox', 'cookie'])
})

describe('Cloudflare workerd (Miniflare), memoryStore', { timeout: 180_000 }, () => {
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
})
