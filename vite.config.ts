import { defineConfig, minify, type Plugin } from 'vite'

/**
 * In library mode Vite leaves the ES output's whitespace and names alone (for bundlers that
 * tree-shake it again). The CDN file goes straight to browsers, so it is minified in full.
 */
function minifyForBrowsers(): Plugin {
  return {
    name: 'chatzy-agent:minify-es',
    apply: 'build',
    // generateBundle runs after Vite's own renderChunk minification, which would re-print the code.
    async generateBundle(options, bundle) {
      if (options.format !== 'es') return
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue
        const result = await minify(chunk.fileName, chunk.code, {
          module: true,
          compress: { target: 'es2022' },
          mangle: { toplevel: true },
        })
        chunk.code = result.code
      }
    },
  }
}

/**
 * The CDN build: one minified file with Lit inlined that registers <chatzy-agent> itself,
 * as an ES module (`unpkg`/`jsdelivr` point here) and as a classic script for pages without
 * modules (global `ChatzyAgentKit`). The npm build is plain `tsc` output with Lit left external.
 */
export default defineConfig({
  plugins: [minifyForBrowsers()],
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
