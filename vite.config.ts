import { defineConfig } from 'vite'

/**
 * The CDN build: one minified file with Lit inlined that registers <chatzy-agent> itself,
 * as an ES module (`unpkg`/`jsdelivr` point here) and as a classic script for pages without modules.
 * The npm build is plain `tsc` output with Lit left external.
 */
export default defineConfig({
  build: {
    outDir: 'dist/cdn',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    reportCompressedSize: false,
    lib: {
      entry: 'element/src/index.ts',
      name: 'ChatzyAgentKit',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'chatzy-agent.min.js' : 'chatzy-agent.iife.min.js'),
    },
  },
})
