import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ChatbotId } from '../src/schemas.js'
import { checkChatbotId } from '../../element/src/setup-checks.js'
import { buildApp, captureLogs, startChatzy } from './helpers.js'

async function warningsAtStartup(t: { after(fn: () => unknown): void }, nodeEnv: string | undefined, allowedOrigins?: string[]) {
  const chatzy = await startChatzy()
  t.after(() => chatzy.app.close())
  const saved = process.env.NODE_ENV
  if (nodeEnv === undefined) delete process.env.NODE_ENV
  else process.env.NODE_ENV = nodeEnv
  const logs = captureLogs()
  try {
    const app = await buildApp(chatzy, allowedOrigins ? { allowedOrigins } : {}, { logger: { level: 'warn', stream: logs.stream } })
    t.after(() => app.close())
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = saved
  }
  return logs.lines.filter((line) => line.includes('allowedOrigins'))
}

test('in production without allowedOrigins: one warning at startup that recommends it', async (t) => {
  const lines = await warningsAtStartup(t, 'production')
  assert.equal(lines.length, 1)
  assert.equal(JSON.parse(lines[0]!).level, 40)
})

test('no warning with allowedOrigins set, nor outside production', async (t) => {
  assert.deepEqual(await warningsAtStartup(t, 'production', ['https://shop.example']), [])
  assert.deepEqual(await warningsAtStartup(t, 'development'), [])
  assert.deepEqual(await warningsAtStartup(t, undefined), [])
})

test('the element checks chatbot-id with the same pattern as the server', () => {
  const samples = ['8a1e3f18-991b-4a2e-9973-f53e7fc94ff1', 'bot_1', 'a'.repeat(128), 'a'.repeat(129), '', '.', '..', 'a/b', 'a b', 'ü', '%2e%2e']
  const server = new RegExp(ChatbotId.pattern!)
  for (const sample of samples) {
    const serverAccepts = sample.length >= 1 && sample.length <= 128 && server.test(sample)
    const elementAccepts = (() => {
      try {
        checkChatbotId(sample)
        return true
      } catch {
        return false
      }
    })()
    assert.equal(elementAccepts, serverAccepts, JSON.stringify(sample))
  }
})
