import { startViteExample } from '../shared/vite-dev.js'

// /ssr: the same app rendered on the server (react-dom/server) and hydrated in the browser.
await startViteExample('react', new URL('.', import.meta.url), 5173, { path: '/ssr', server: '/src/entry-server.tsx', client: '/src/entry-hydrate.tsx' })
