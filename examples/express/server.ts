import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import express from 'express'
import { chatzyAgent } from 'chatzy-agent/node'
import { cdnBuild } from '../shared/backend.js'
import { CHATBOT_ID, startChatzy } from '../shared/chatzy.js'

// An Express 5 app that parses JSON for its own routes: the agent's middleware works whether or
// not express.json() ran before it, and leaves req.body to the app.
const chatzy = await startChatzy()

/** Your own sign-in (express-session, passport, …) knows who is signed in; here, always ada. */
const signedInUser = (_req: IncomingMessage): string | null => 'ada'

const agent = chatzyAgent({
  apiKey: chatzy.apiKey,                      // process.env.CHATZY_API_KEY: stays on the server
  chatbotId: CHATBOT_ID,
  identify: (req) => signedInUser(req),
  cookie: { secret: process.env.COOKIE_SECRET ?? randomBytes(32).toString('hex') },
  // Only for the mock: with the real Chatzy, leave both out.
  ...(chatzy.apiUrl === undefined ? {} : { apiUrl: chatzy.apiUrl, appUrl: chatzy.appUrl }),
})

const app = express()
app.use(express.json())
// POST /chatzy/session, POST /chatzy/refresh, DELETE /chatzy/session; next() for every other path.
app.use(agent.middleware)

// The app's own JSON route, after the agent's middleware: its body is still the app's.
app.post('/api/feedback', (req, res) => {
  const { rating } = req.body as { rating?: unknown }
  res.json({ thanks: typeof rating === 'number' ? rating : null })
})

// The page is static: deployed, express.static serves it as is. Here app-url points at the mock.
app.get('/', async (_req, res) => {
  const page = await readFile(new URL('./public/index.html', import.meta.url), 'utf8')
  res.type('html').send(page
    .replace('app-url="https://app.chatzy.ai"', `app-url="${chatzy.appUrl}"`)
    .replace('chatbot-id="8a1e3f18-991b-4a2e-9973-f53e7fc94ff1"', `chatbot-id="${CHATBOT_ID}"`))
})
app.get('/chatzy-agent.js', (_req, res) => res.type('js').sendFile(cdnBuild()))
app.get('/favicon.ico', (_req, res) => res.status(204).end())
app.use(express.static(new URL('./public/', import.meta.url).pathname))

const server = app.listen(Number(process.env.PORT ?? 3070), 'localhost', (error) => {
  if (error) throw error
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : ''
  console.log(`express example: http://localhost:${port}  (Chatzy: ${chatzy.appUrl}, chatbot ${CHATBOT_ID})`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.closeAllConnections()
    server.close()
    void Promise.all([agent.close(), chatzy.close()]).finally(() => process.exit(0))
  })
}
