import { readFile } from 'node:fs/promises'
import { cdnBuild, CHATBOT_ID, closeOnSignal, startBackend } from '../shared/backend.js'

// Serves index.html as a static page beside the chatzy-agent plugin, with a strict Content
// Security Policy (no 'unsafe-inline', no 'unsafe-eval') that lets in exactly what the element needs.
const backend = await startBackend()
const { app, chatzyUrl } = backend
const chatzyOrigin = new URL(chatzyUrl).origin
const cdnFile = cdnBuild()

const CDN_URL = 'https://unpkg.com/chatzy-agent@0.1.0/dist/cdn/chatzy-agent.min.js'

// This example runs before any release and offline: the CDN URL is served from this package's
// own CDN build, and app-url points at the mock Chatzy. Deployed, the page is served as is.
function localize(html: string): string {
  return html
    .replace(CDN_URL, '/cdn/chatzy-agent.min.js')
    .replace('app-url="https://app.chatzy.ai"', `app-url="${chatzyOrigin}"`)
    .replace('chatbot-id="8a1e3f18-991b-4a2e-9973-f53e7fc94ff1"', `chatbot-id="${CHATBOT_ID}"`)
}

const csp = [
  "default-src 'self'",
  "script-src 'self' https://unpkg.com",
  `frame-src ${chatzyOrigin}`,
  "connect-src 'self'",
  "style-src 'self'",
].join('; ')

for (const [path, file] of [['/', 'index.html'], ['/launcher.html', 'launcher.html']] as const) {
  app.get(path, async (_request, reply) => {
    const html = localize(await readFile(new URL(`./${file}`, import.meta.url), 'utf8'))
    return reply.type('text/html; charset=utf-8').header('content-security-policy', csp).send(html)
  })
}
app.get('/app.js', async (_request, reply) =>
  reply.type('text/javascript; charset=utf-8').send(await readFile(new URL('./app.js', import.meta.url))))
app.get('/style.css', async (_request, reply) =>
  reply.type('text/css; charset=utf-8').send(await readFile(new URL('./style.css', import.meta.url))))
app.get('/cdn/chatzy-agent.min.js', async (_request, reply) =>
  reply.type('text/javascript; charset=utf-8').send(await readFile(cdnFile)))
app.get('/favicon.ico', async (_request, reply) => reply.code(204).send())

const url = await backend.listen(Number(process.env.PORT ?? 3010))
console.log(`plain-html example: ${url}  (Chatzy: ${chatzyUrl})`)
closeOnSignal(() => backend.close())
