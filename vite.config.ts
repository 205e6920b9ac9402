import { transform as transformCss } from 'lightningcss'
import { defineConfig, minify, type Plugin } from 'vite'

/**
 * The element's styles are `css` tagged templates, written to be read. The CDN file carries
 * them minified (lightningcss, the CSS minifier Vite itself uses); the npm build keeps them as
 * written, for the host's own bundler to handle.
 */
function minifyElementStyles(): Plugin {
  // Plain templates only: an interpolation splits the CSS into parts no minifier can parse, and
  // escapes would have to be cooked first.
  const template = /\bcss`([^`$\\]*)`/g
  return {
    name: 'chatzy-agent:minify-css',
    apply: 'build',
    transform: {
      filter: { id: /element\/src\/.*styles\.ts$/ },
      handler(code, id) {
        return code.replace(template, (_, text: string) => {
          const { code: minified } = transformCss({ filename: id, code: Buffer.from(text), minify: true })
          // Back into a template literal: whatever lightningcss escapes must stay escaped.
          return `css\`${minified.toString().replace(/[\\`$]/g, '\\$&')}\``
        })
      },
    },
  }
}

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
  plugins: [minifyElementStyles(), minifyForBrowsers()],
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
