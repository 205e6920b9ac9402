import { describe, test } from 'node:test'
import { startChatzy } from './helpers.js'
import { adapters } from './conformance/servers.js'
import { checks } from './conformance/checks.js'
import { browser } from './conformance/client.js'

// One suite, every adapter, over real sockets: the same routes, answers, codes, headers, cookie and limits.
for (const adapter of adapters) {
  describe(adapter.name, () => {
    for (const check of checks) {
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
}
