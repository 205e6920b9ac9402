/**
 * cdn_gzip_bytes and cdn_vs_lit_ratio: the CDN file (Lit inlined), gzipped, against a minimal
 * Lit element bundled and minified the same way (Vite, ES2022, minified) in the same run.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'

const root = fileURLToPath(new URL('..', import.meta.url))
// Inside the project, so that `lit` resolves from its node_modules.
const workDir = fileURLToPath(new URL('../node_modules/.cache/chatzy-bench-lit/', import.meta.url))

const gzipBytes = (code: Buffer) => gzipSync(code, { level: 9 }).length

/** The smallest useful Lit element: a reactive property, a template, styles, registration. */
const LIT_ONLY = `
import { LitElement, html, css } from 'lit'
class MinimalElement extends LitElement {
  static properties = { name: { type: String } }
  static styles = css\`:host { display: block }\`
  constructor() { super(); this.name = 'world' }
  render() { return html\`<p>Hello, \${this.name}</p>\` }
}
customElements.define('minimal-element', MinimalElement)
`

export interface BundleResult {
  cdn_bytes: number
  cdn_gzip_bytes: number
  lit_gzip_bytes: number
  cdn_vs_lit_ratio: number
}

export async function measureBundle(): Promise<BundleResult> {
  const cdn = await readFile(new URL('../dist/cdn/chatzy-agent.min.js', import.meta.url))
  await rm(workDir, { recursive: true, force: true })
  await mkdir(workDir, { recursive: true })
  await writeFile(`${workDir}entry.js`, LIT_ONLY)
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      outDir: `${workDir}out`,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      reportCompressedSize: false,
      lib: { entry: `${workDir}entry.js`, formats: ['es'], fileName: () => 'lit-only.min.js' },
    },
  })
  const lit = await readFile(`${workDir}out/lit-only.min.js`)
  const cdnGzip = gzipBytes(cdn)
  const litGzip = gzipBytes(lit)
  return {
    cdn_bytes: cdn.length,
    cdn_gzip_bytes: cdnGzip,
    lit_gzip_bytes: litGzip,
    cdn_vs_lit_ratio: Math.round((cdnGzip / litGzip) * 1000) / 1000,
  }
}
