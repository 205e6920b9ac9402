import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

/*
 * The README is the first page a newcomer reads, on GitHub and on npm (where docs/ and
 * examples/ are not in the package). Its commands must work as typed on a fresh clone, and its
 * links must lead somewhere from either place.
 */

const root = new URL('../../', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  scripts: Record<string, string>
  repository?: { type: string; url: string }
  homepage?: string
  bugs?: { url: string }
}
const REPOSITORY = 'https://github.com/chatzy-ai/chatzy-agent'

test('"Try it": each command installs first (npm ci) and runs a script package.json has', () => {
  const block = /## Try it[\s\S]*?```sh\n([\s\S]*?)\n```/.exec(readme)?.[1]
  assert.ok(block, 'README has no "Try it" shell block')
  const commands = block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean)
  assert.deepEqual(commands, ['npm ci && npm start', 'npm ci && npm test'])
  for (const command of commands) assert.ok(pkg.scripts[command.split(' ').at(-1)!], command)
  // CI runs the same command.
  assert.match(readFileSync(new URL('.ci/run', root), 'utf8'), /^npm test$/m)
})

test('every link in the README is absolute (the npm page has no docs/ or examples/)', () => {
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!)
  assert.ok(links.length > 5)
  assert.deepEqual(links.filter((link) => !/^https:\/\//.test(link) && !link.startsWith('#')), [])
  // Links into the repository all name the same one.
  const repositoryLinks = links.filter((link) => link.startsWith('https://github.com/'))
  assert.ok(repositoryLinks.length > 0)
  for (const link of repositoryLinks) assert.ok(link.startsWith(`${REPOSITORY}/`) || link.startsWith(`${REPOSITORY}#`), link)
})

test('package.json names the repository, its homepage and where to report bugs', () => {
  assert.deepEqual(pkg.repository, { type: 'git', url: `git+${REPOSITORY}.git` })
  assert.equal(pkg.homepage, `${REPOSITORY}#readme`)
  assert.deepEqual(pkg.bugs, { url: `${REPOSITORY}/issues` })
})
