import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/*
 * `engines.node` is a promise to every user: an install on the oldest Node it names must not
 * print EBADENGINE for anything the package brings. What each package in the tree declares is
 * read from package-lock.json, following Node's resolution from our own `dependencies`.
 *
 * Covered: `dependencies`, transitively (what every install of chatzy-agent gets). Not covered
 * as a failure: the peers (fastify, ioredis) are the host's own install, at the version the host
 * picks; their trees are checked too, but only a change in what they bring fails (see KNOWN).
 * Dev dependencies only concern working on this repository (tstyche 7 wants Node 22 for
 * `npm run test:types`; the rest of `npm test` runs on Node 20).
 */

const require = createRequire(import.meta.url)
// semver comes with npm's own tooling (and fastify's), not as a dependency of ours.
const semver = require('semver') as { subset(range: string, of: string): boolean }

const root = fileURLToPath(new URL('../../', import.meta.url))
interface Manifest {
  engines?: { node?: string }
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}
interface Locked extends Manifest { version?: string }

const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as Manifest
const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as { packages: Record<string, Locked> }
const ours = pkg.engines?.node
assert.ok(ours, 'package.json has no engines.node')

/** Where Node finds `name` from the package at `from` (a lock path): its own node_modules, then each parent's. */
function resolve(name: string, from: string): string | undefined {
  let dir = from
  for (;;) {
    const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`
    if (lock.packages[candidate] !== undefined) return candidate
    if (dir === '') return undefined
    const at = dir.lastIndexOf('/node_modules/')
    dir = at === -1 ? '' : dir.slice(0, at)
  }
}

/** Every package reached from `names`, as lock paths, with the chain that brought each. */
function tree(names: string[]): Map<string, string> {
  const seen = new Map<string, string>()
  const visit = (name: string, from: string, chain: string, optional: boolean) => {
    const path = resolve(name, from)
    if (path === undefined) {
      assert.ok(optional, `${chain} > ${name} is not in package-lock.json`)
      return
    }
    if (seen.has(path)) return
    const via = chain === '' ? name : `${chain} > ${name}`
    seen.set(path, via)
    const entry = lock.packages[path]!
    for (const dependency of Object.keys(entry.dependencies ?? {})) visit(dependency, path, via, false)
    // Optional dependencies (platform binaries) may be absent from the lock on purpose.
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) visit(dependency, path, via, true)
  }
  for (const name of names) visit(name, '', '', false)
  return seen
}

/** "chain (version): engines" for each package whose engines.node leaves out part of ours. */
function narrower(packages: Map<string, string>): string[] {
  return [...packages].flatMap(([path, chain]) => {
    const { engines, version } = lock.packages[path]!
    const theirs = engines?.node
    return theirs === undefined || semver.subset(ours!, theirs) ? [] : [`${chain}@${version}: node ${theirs}`]
  })
}

test(`every runtime dependency, transitively, supports every Node that engines.node (${ours}) allows`, () => {
  const runtime = tree(Object.keys(pkg.dependencies ?? {}))
  assert.ok(runtime.size >= Object.keys(pkg.dependencies ?? {}).length)
  assert.deepEqual(narrower(runtime), [])
})

/**
 * Known and not ours: fastify 5's light-my-request (its `inject`) requires cookie 2, which
 * declares Node >= 22. npm prints EBADENGINE for it on Node 20 when a host installs fastify;
 * cookie 2 runs there all the same. Anything new in the peers' trees fails this test.
 */
const KNOWN = [/^fastify > light-my-request > cookie@2\.\d+\.\d+: node >=22$/]

test('the peers\' trees (fastify, ioredis, as installed here) bring nothing narrower than engines.node beyond the known case', () => {
  const peers = tree(Object.keys(pkg.peerDependencies ?? {}))
  const unexpected = narrower(peers).filter((line) => !KNOWN.some((known) => known.test(line)))
  assert.deepEqual(unexpected, [])
})
