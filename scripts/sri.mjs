#!/usr/bin/env node
// @ts-check
/**
 * The README's pinned CDN `<script>` with its Subresource Integrity hash, worked out from the
 * built CDN file (`npm run build:cdn` first) and this package's version: what unpkg will serve
 * for that version once it is published. `node scripts/sri.mjs` prints the hash;
 * `--write` puts version and hash into the README block after `<!-- readme-sri -->`.
 * test/package/readme.test.ts fails while the README shows another.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'

const root = new URL('../', import.meta.url)

/** `sha384-…` of the built CDN file, as `openssl dgst -sha384 -binary | openssl base64 -A` gives it. */
export function cdnIntegrity() {
  const file = readFileSync(new URL('dist/cdn/chatzy-agent.min.js', root))
  return `sha384-${createHash('sha384').update(file).digest('base64')}`
}

/** The block as the README must show it. */
export function sriBlock() {
  const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
  return '```html\n'
    + `<script type="module" src="https://unpkg.com/chatzy-agent@${version}/dist/cdn/chatzy-agent.min.js"\n`
    + `        integrity="${cdnIntegrity()}" crossorigin="anonymous"></script>\n`
    + '```'
}

/** The block the README shows now, after its marker. */
export function readmeSriBlock(readme) {
  return /<!-- readme-sri -->\n(```html\n[\s\S]*?\n```)/.exec(readme)?.[1]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--write')) {
    const file = new URL('README.md', root)
    const readme = readFileSync(file, 'utf8')
    const current = readmeSriBlock(readme)
    if (current === undefined) throw new Error('README.md has no <!-- readme-sri --> block')
    writeFileSync(file, readme.replace(current, sriBlock()))
  }
  console.log(cdnIntegrity())
}
