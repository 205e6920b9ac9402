import { chatzyAgent } from 'chatzy-agent/fetch'
import { userFrom } from './sign-in'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`Set ${name} (npm start sets it for the mock Chatzy)`)
  return value
}

function createAgent() {
  return chatzyAgent({
    apiKey: env('CHATZY_API_KEY'),             // Chatzy's "AI Agent Auth Key": stays on the server
    chatbotId: env('CHATZY_CHATBOT_ID'),
    identify: (request) => userFrom(request.headers.get('cookie')), // the app's own signed-in user
    cookie: { secret: env('COOKIE_SECRET') },  // ≥ 32 chars: openssl rand -hex 32
    apiUrl: process.env.CHATZY_API_URL,        // both unset: Chatzy itself; set: the mock
    appUrl: process.env.CHATZY_APP_URL,
  })
}

// One agent for the whole server: Next.js may load this module once per route bundle, and the
// sessions of one agent are not the other's (as Prisma's docs do for their client).
const shared = globalThis as { chatzyAgent?: ReturnType<typeof createAgent> }
export const agent = (shared.chatzyAgent ??= createAgent())
