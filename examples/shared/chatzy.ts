import { randomBytes } from 'node:crypto'
import { createMockChatzy, type MockChatzy } from '../../demo/mock-chatzy/api.js'

/** The chatbot every example embeds: any uuid works with the mock Chatzy. */
export const CHATBOT_ID = process.env.CHATZY_CHATBOT_ID ?? '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'

export interface Chatzy {
  /** The API key the host's server sends Chatzy (the mock's, or CHATZY_API_KEY). */
  apiKey: string
  /** Where the server calls Chatzy's API: the mock's URL, or undefined for Chatzy itself. */
  apiUrl: string | undefined
  /** Chatzy's app (the mock's URL, or https://app.chatzy.ai); pass it to the element as `app-url`. */
  appUrl: string
  /** The mock (its API and its iframe page, on another origin), unless a real Chatzy is used. */
  mock?: MockChatzy
  close(): Promise<void>
}

/**
 * The Chatzy an example talks to: a mock on http://127.0.0.1 (its own origin, as the real one
 * is), or, with CHATZY_API_KEY and CHATZY_CHATBOT_ID set, the real Chatzy.
 */
export async function startChatzy(): Promise<Chatzy> {
  if (process.env.CHATZY_API_KEY !== undefined && process.env.CHATZY_CHATBOT_ID !== undefined) {
    return { apiKey: process.env.CHATZY_API_KEY, apiUrl: undefined, appUrl: 'https://app.chatzy.ai', close: async () => {} }
  }
  const apiKey = `ak-example-${randomBytes(8).toString('hex')}`
  const mock = createMockChatzy({ apiKey, accessTtlMs: Number(process.env.MOCK_ACCESS_TTL_MS ?? 20_000) })
  const url = await mock.app.listen({ host: '127.0.0.1', port: 0 })
  return { apiKey, apiUrl: url, appUrl: url, mock, close: () => mock.app.close() }
}
