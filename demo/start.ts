import { startDemo } from './server.js'

// `npm start`: the demo on http://localhost:3000, with the mock Chatzy unless
// CHATZY_API_KEY and CHATZY_CHATBOT_ID name a real one. Sessions live in memory, or in
// Redis when REDIS_URL is set (then a restart keeps them, given the same COOKIE_SECRET).
const demo = await startDemo({
  port: Number(process.env.PORT ?? 3000),
  mockPort: Number(process.env.MOCK_PORT ?? 3001),
  apiKey: process.env.CHATZY_API_KEY,
  chatbotId: process.env.CHATZY_CHATBOT_ID,
  accessTtlMs: Number(process.env.MOCK_ACCESS_TTL_MS ?? 20_000),
  mockLatencyMs: Number(process.env.MOCK_LATENCY_MS ?? 0),
  redisUrl: process.env.REDIS_URL || undefined,
})
console.log(`chatzy-agent demo: ${demo.hostUrl}`)
console.log(demo.mockUrl ? `mock Chatzy:       ${demo.mockUrl} (access tokens live ${Number(process.env.MOCK_ACCESS_TTL_MS ?? 20_000) / 1000} s, answers after ${Number(process.env.MOCK_LATENCY_MS ?? 0)} ms)` : 'talking to the real Chatzy')
console.log(demo.store === 'redis' ? `sessions:          in Redis (${redactPassword(process.env.REDIS_URL!)})` : 'sessions:          in memory (set REDIS_URL to keep them in Redis)')
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void demo.close().then(() => process.exit(0)))
}

/** A Redis URL may carry a password: never print it. */
function redactPassword(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'REDIS_URL'
  }
}
