import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))

export default defineConfig({
  plugins: [react()],
  cacheDir: 'node_modules/.vite',
  resolve: {
    // In your app `chatzy-agent` comes from node_modules; here, from this repository's sources.
    alias: [
      { find: /^chatzy-agent$/, replacement: root('element/src/index.ts') },
      { find: /^chatzy-agent\/element$/, replacement: root('element/src/chatzy-agent.ts') },
    ],
  },
})
