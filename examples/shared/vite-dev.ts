import { createServer } from 'vite'
import { CHATBOT_ID, closeOnSignal, startBackend } from './backend.js'

/**
 * The host's Fastify server (the chatzy-agent plugin) behind Vite's dev server: Vite serves the
 * app and proxies /chatzy to Fastify, so the browser sees one origin, as in production.
 */
export async function startViteExample(name: string, root: URL, defaultPort: number): Promise<void> {
  const backend = await startBackend()
  const apiUrl = await backend.listen(0)

  process.env.VITE_CHATZY_CHATBOT_ID = CHATBOT_ID
  process.env.VITE_CHATZY_APP_URL = backend.chatzyUrl // omit in production: https://app.chatzy.ai

  const vite = await createServer({
    configFile: new URL('./vite.config.ts', root).pathname,
    root: root.pathname,
    server: {
      host: 'localhost',
      port: Number(process.env.PORT ?? defaultPort),
      strictPort: process.env.PORT !== undefined,
      // Keep the browser's Host header: the plugin checks Origin against it (CSRF defence).
      proxy: { '/chatzy': { target: apiUrl, changeOrigin: false } },
    },
    clearScreen: false,
  })
  await vite.listen()
  const address = vite.httpServer?.address()
  const url = `http://localhost:${typeof address === 'object' && address !== null ? address.port : ''}`
  console.log(`${name} example: ${url}  (Chatzy: ${backend.chatzyUrl})`)
  closeOnSignal(async () => {
    await vite.close()
    await backend.close()
  })
}
