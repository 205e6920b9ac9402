import { createMockChatzy } from '../demo/mock-chatzy/api.js'

// `npm run mock`: the mock Chatzy alone, for an app of your own to talk to while you build it
// (the README's quick starts). Its API and its iframe page share one URL, so `apiUrl`, `appUrl`
// and the element's `app-url` all take that URL. It takes any uuid as a chatbot id.
const apiKey = process.env.MOCK_API_KEY ?? 'ak-mock'
const mock = createMockChatzy({ apiKey, accessTtlMs: Number(process.env.MOCK_ACCESS_TTL_MS ?? 20_000) })
const url = await mock.app.listen({ host: '127.0.0.1', port: Number(process.env.MOCK_PORT ?? 3001) })
console.log(`mock Chatzy: ${url}  (API key: ${apiKey}; access tokens live ${(mock.options.accessTtlMs / 1000).toFixed(0)} s)`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void mock.app.close().then(() => process.exit(0)))
}
