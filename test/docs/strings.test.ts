import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ENGLISH } from '../../element/src/strings.js'

/** docs/element.md lists every built-in text of the element, by key, with its English. */
test('the Strings table of docs/element.md: every key of ENGLISH with its text, nothing else', () => {
  const guide = readFileSync(new URL('../../docs/element.md', import.meta.url), 'utf8')
  const section = guide.slice(guide.indexOf('## Strings'), guide.indexOf('\n## ', guide.indexOf('## Strings') + 1))
  const rows = [...section.matchAll(/^\| `([\w-]+)` \| ([^|]+?)(?: \(.*\))? \|$/gm)].map((m) => [m[1], m[2]!.trim()])
  assert.deepEqual(Object.fromEntries(rows), { ...ENGLISH })
})
