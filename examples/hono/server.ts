import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import { serveStatic } from '@hono/node-server/serve-static'
import { chatzyAgent } from 'chatzy-agent/fetch'
import { cdnBuild } from '../shared/backend.js'
import { CHATBOT_ID, startChatzy } from '../shared/chatzy.js'

// A Hono app on Node. The agent is a web-standard fetch handler (Request in, Response out), so
// the same lines run on Bun, Deno or Cloudflare Workers with their own serve().
const chatzy = await startChatzy()

/** Your own sign-in (a session cookie, a JWT, …) knows who is signed in; here, always ada. */
const signedInUser = (_request: Request): string | null => 'ada'

const agent = chatzyAgent({
  apiKey: chatzy.apiKey,                      // process.env.CHATZY_API_KEY: stays on the server
  chatbotId: CHATBOT_ID,
  identify: (request) => signedInUser(request),
  cookie: { secret: process.env.COOKIE_SECRET ?? randomBytes(32).toString('hex') },
  // Only for the mock: with the real Chatzy, leave both out.
  ...(chatzy.apiUrl === undefined ? {} : { apiUrl: chatzy.apiUrl, appUrl: chatzy.appUrl }),
})

const app = new Hono()
// POST /chatzy/session, POST /chatzy/refresh, DELETE /chatzy/session.
app.all('/chatzy/*', (c) => agent.fetch(c.req.raw))

// The page is static: deployed, serveStatic serves it as is. Here app-url points at the mock.
app.get('/', async (c) => {
  const page = await readFile(new URL('./public/index.html', import.meta.url), 'utf8')
  return c.html(page
    .replace('app-url="https://app.chatzy.ai"', `app-url="${chatzy.appUrl}"`)
    .replace('chatbot-id="8a1e3f18-991b-4a2e-9973-f53e7fc94ff1"', `chatbot-id="${CHATBOT_ID}"`))
})
const element = cdnBuild()
app.get('/chatzy-agent.js', async (c) => c.body(await readFile(element), 200, { 'content-type': 'text/javascript; charset=utf-8' }))
app.get('/favicon.ico', (c) => c.body(null, 204))
app.use('/*', serveStatic({ root: new URL('./public/', import.meta.url).pathname }))

const server = serve({ fetch: app.fetch, hostname: 'localhost', port: Number(process.env.PORT ?? 3080) }, (info) => {
  console.log(`hono example: http://localhost:${info.port}  (Chatzy: ${chatzy.appUrl}, chatbot ${CHATBOT_ID})`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close()
    void Promise.all([agent.close(), chatzy.close()]).finally(() => process.exit(0))
  })
}
