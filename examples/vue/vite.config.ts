import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))

export default defineConfig({
  plugins: [
    vue({
      // A compile-time option: render <chatzy-agent> as the custom element it is, not as a Vue component.
      template: { compilerOptions: { isCustomElement: (tag) => tag === 'chatzy-agent' } },
    }),
  ],
  cacheDir: 'node_modules/.vite',
  resolve: {
    // In your app `chatzy-agent` comes from node_modules; here, from this repository's sources.
    alias: [
      { find: /^chatzy-agent$/, replacement: root('element/src/index.ts') },
      { find: /^chatzy-agent\/element$/, replacement: root('element/src/chatzy-agent.ts') },
    ],
  },
})
