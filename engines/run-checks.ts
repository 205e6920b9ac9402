import { after, describe, test } from 'node:test'
import { CHECKS } from './checks.js'
import type { Context, ContextOptions, Engine } from './driver.js'
import { startSite } from './site.js'

/** Every check in `engine`, each with a fresh site (demo, mock Chatzy) and a fresh profile. */
export function runChecks(engine: Engine) {
  describe(engine.title, () => {
    after(() => engine.close())
    for (const check of CHECKS) {
      test(check.name, { timeout: 60_000 }, async () => {
        const site = await startSite()
        const contexts: Context[] = []
        const newContext = async (options?: ContextOptions) => {
          const context = await engine.newContext(options)
          contexts.push(context)
          return context
        }
        try {
          const context = await newContext(check.options)
          await check.run({ site, context, page: await context.newPage(), newContext })
        } finally {
          for (const context of contexts) await context.close().catch(() => undefined)
          await site.close()
        }
      })
    }
  })
}
