import { readFile } from 'node:fs/promises'
import { cdnBuild, CHATBOT_ID, closeOnSignal, startBackend } from '../shared/backend.js'

// A server-rendered page: the route starts the user's Chatzy session itself and renders the
// element with its first token, so the browser never calls POST /chatzy/session.
const backend = await startBackend()
const { app, chatzyUrl } = backend
const cdnFile = cdnBuild()

const escape = (value: string | number) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

app.get('/', async (request, reply) => {
  // Same answer as POST /chatzy/session; it also sets the session cookie for later refreshes.
  const session = await app.chatzy.startSession(request, reply)
  return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chatzy agent · server-rendered</title>
<script type="module" src="/assets/chatzy-agent.js"></script>
</head>
<body>
<h1>Server-rendered with Fastify</h1>
<p>Signed in as <strong id="who">${escape(session.user_id)}</strong>. <a href="/launcher">Launcher version</a></p>
<chatzy-agent
  chatbot-id="${escape(session.chatbot_id)}"
  endpoint="/chatzy"
  app-url="${escape(chatzyUrl)}"
  access-token="${escape(session.access_token)}"
  user-id="${escape(session.user_id)}"
  expires-at="${escape(session.expires_at)}"
  loading="eager"></chatzy-agent>
</body>
</html>`)
})

// The same site with the floating launcher instead. No startSession here: a launcher costs nothing
// until the user reaches for it, so the page renders no token and the element asks
// POST /chatzy/session on the user's intent (hover or focus), with the cookie of this site.
app.get('/launcher', async (_request, reply) => reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chatzy agent · server-rendered launcher</title>
<script type="module" src="/assets/chatzy-agent.js"></script>
<style>chatzy-agent:not(:defined) { display: none; }</style>
</head>
<body>
<main>
<h1>Server-rendered with Fastify: launcher</h1>
<p>The chat button in the corner starts the session when you reach for it. <a href="/">Inline version</a></p>
</main>
<chatzy-agent mode="launcher" chatbot-id="${escape(CHATBOT_ID)}" endpoint="/chatzy" app-url="${escape(chatzyUrl)}" title="Chat with us">
  <span slot="launcher">Ask us</span>
</chatzy-agent>
</body>
</html>`))

app.get('/assets/chatzy-agent.js', async (_request, reply) =>
  reply.type('text/javascript; charset=utf-8').send(await readFile(cdnFile)))
app.get('/favicon.ico', async (_request, reply) => reply.code(204).send())

const url = await backend.listen(Number(process.env.PORT ?? 3040))
console.log(`fastify-ssr example: ${url}  (Chatzy: ${chatzyUrl}, chatbot ${CHATBOT_ID})`)
closeOnSignal(() => backend.close())
