import { readFile } from 'node:fs/promises'
import { cdnBuild, CHATBOT_ID, closeOnSignal, startBackend } from '../shared/backend.js'
import { chatzyMetrics } from './metrics.js'

// The host app of the other examples, plus Prometheus metrics at /metrics: the plugin publishes
// on node:diagnostics_channel, and metrics.ts turns that into counters with prom-client.
const backend = await startBackend()
const { app, chatzyUrl } = backend
const registry = chatzyMetrics(() => app.chatzy.health())
const cdnFile = cdnBuild()

app.get('/metrics', async (_request, reply) =>
  reply.type(registry.contentType).send(await registry.metrics()))

// A readiness probe for the load balancer: 503 while the session store is unreachable.
app.get('/ready', async (_request, reply) => {
  const health = await app.chatzy.health()
  return reply.code(health.ready ? 200 : 503).send(health)
})

// A page with the agent, to make some traffic to watch.
app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Chatzy agent · metrics</title>
<script type="module" src="/assets/chatzy-agent.js"></script>
</head>
<body>
<h1>Chatzy agent with metrics</h1>
<p>Watch <a href="/metrics">/metrics</a> while the agent mints and refreshes its token; <a href="/ready">/ready</a> is the readiness probe.</p>
<chatzy-agent chatbot-id="${CHATBOT_ID}" endpoint="/chatzy" app-url="${new URL(chatzyUrl).origin}" loading="eager"></chatzy-agent>
</body>
</html>`))
app.get('/assets/chatzy-agent.js', async (_request, reply) =>
  reply.type('text/javascript; charset=utf-8').send(await readFile(cdnFile)))
app.get('/favicon.ico', async (_request, reply) => reply.code(204).send())

const url = await backend.listen(Number(process.env.PORT ?? 3050))
console.log(`metrics example: ${url}  (metrics: ${url}/metrics, Chatzy: ${chatzyUrl}, chatbot ${CHATBOT_ID})`)
closeOnSignal(() => backend.close())
