import { readFile } from 'node:fs/promises'
import { createServer, type ViteDevServer } from 'vite'
import { CHATBOT_ID, closeOnSignal, startBackend } from './backend.js'

/**
 * The host's Fastify server (the chatzy-agent plugin) behind Vite's dev server: Vite serves the
 * app and proxies /chatzy to Fastify, so the browser sees one origin, as in production.
 */
export async function startViteExample(name: string, root: URL, defaultPort: number, ssr?: ServerRendering): Promise<void> {
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
    // Before Vite's own middlewares, whose HTML fallback would answer the page's path with index.html.
    plugins: ssr ? [{ name: 'server-rendered', configureServer: (server: ViteDevServer) => serveRendered(server, root, ssr) }] : [],
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

/** A server-rendered page: the app's HTML from `server`'s `render()`, hydrated by `client`. */
export interface ServerRendering {
  path: string
  server: string
  client: string
}

function serveRendered(vite: ViteDevServer, root: URL, { path, server, client }: ServerRendering) {
  vite.middlewares.use(path, (request, response, next) => {
    void (async () => {
      const page = (await readFile(new URL('./index.html', root), 'utf8')).replace(/src="[^"]*main\.tsx"/, `src="${client}"`)
      const { render } = await vite.ssrLoadModule(server) as { render(url: string): string }
      const html = await vite.transformIndexHtml(request.originalUrl ?? path, page.replace('<div id="root"></div>', `<div id="root">${render(request.originalUrl ?? path)}</div>`))
      response.setHeader('content-type', 'text/html; charset=utf-8')
      response.end(html)
    })().catch(next)
  })
}
