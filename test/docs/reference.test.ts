import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import Fastify from 'fastify'

/**
 * docs/reference.md lists every attribute, property, method, event, slot, part, option, route,
 * error code and export. These tests read its tables and compare them with the code, both ways:
 * nothing undocumented, nothing documented that does not exist.
 */

const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')
const reference = read('docs/reference.md')

/** The rows of the first table under a heading, as cells (inline code kept, escaped pipes joined). */
function table(heading: string): string[][] {
  const lines = reference.split('\n')
  const start = lines.findIndex((line) => /^#{2,4} /.test(line) && line.replace(/^#+ /, '').trim() === heading)
  assert.ok(start >= 0, `docs/reference.md has no section "${heading}"`)
  const rows: string[][] = []
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,4} /.test(line)) break
    if (line.startsWith('|')) rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()))
    else if (rows.length > 0 && line.trim() === '') break
  }
  assert.ok(rows.length > 2, `the section "${heading}" has no table`)
  return rows.slice(2)
}

/** The first `code` span of a cell: the name a row documents. */
const name = (cell: string | undefined) => /`([^`]+)`/.exec(cell ?? '')?.[1] ?? ''
const column = (heading: string, index = 0) => table(heading).map((row) => name(row[index]))
const sorted = (values: Iterable<string>) => [...values].sort()

// --- the element, from custom-elements.json (generated from the code by `npm run build`) ---

interface Item { name?: string; fieldName?: string; kind?: string; privacy?: string; static?: boolean }
const manifestFile = new URL('custom-elements.json', root)
if (!existsSync(manifestFile)) throw new Error('Build the package first: npm run build')
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
  modules: { declarations?: { tagName?: string; attributes?: Item[]; members?: Item[]; events?: Item[]; slots?: Item[]; cssParts?: Item[]; cssProperties?: Item[] }[] }[]
}
const element = manifest.modules.flatMap((module) => module.declarations ?? []).find((d) => d.tagName === 'chatzy-agent')!
const names = (items: Item[] | undefined) => sorted((items ?? []).map((item) => item.name ?? '').filter(Boolean))

test('attributes and their properties: as in custom-elements.json', () => {
  const rows = table('Attributes and properties')
  assert.deepEqual(sorted(rows.map((row) => name(row[0]))), names(element.attributes))
  for (const row of rows) {
    const attribute = element.attributes?.find((a) => a.name === name(row[0]))
    assert.equal(name(row[1]), attribute?.fieldName, `the property of ${name(row[0])}`)
  }
})

test('methods: as in custom-elements.json', () => {
  const methods = (element.members ?? []).filter((m) => m.kind === 'method' && m.privacy === undefined && !m.static && !m.name?.startsWith('#'))
  assert.deepEqual(sorted(column('Methods').map((cell) => cell.replace(/\(.*$/, ''))), names(methods))
})

test('events: as in custom-elements.json, each with the class that the code dispatches', async () => {
  assert.deepEqual(sorted(column('Events')), names(element.events))
  const classes = (Object.values(await import('../../element/src/events.js')) as unknown[])
    .filter((value): value is { name: string; type: string } => typeof value === 'function' && typeof (value as { type?: unknown }).type === 'string')
  for (const row of table('Events')) {
    assert.equal(name(row[1]), classes.find((event) => event.type === name(row[0]))?.name, `the class of ${name(row[0])}`)
  }
})

test('chatzy-error codes: as in the ChatzyErrorCode type', () => {
  const union = /export type ChatzyErrorCode =([^\n]+)/.exec(read('element/src/events.ts'))?.[1] ?? ''
  const codes = [...union.matchAll(/'([a-z-]+)'/g)].map((match) => match[1]!)
  assert.ok(codes.length > 0)
  assert.deepEqual(sorted(column('`chatzy-error` codes')), sorted(codes))
})

test('slots, CSS parts and CSS custom properties: as in custom-elements.json', () => {
  assert.deepEqual(sorted(column('Slots')), names(element.slots))
  assert.deepEqual(sorted(column('CSS parts')), names(element.cssParts))
  assert.deepEqual(sorted(column('CSS custom properties')), names(element.cssProperties))
})

test('exports of chatzy-agent: as the module exports them', async () => {
  const exported = Object.keys(await import('../../element/src/index.js'))
  assert.deepEqual(sorted(column('Other exports of `chatzy-agent`')), sorted(exported))
})

// --- the plugin, from server/src ---

test('options: every option of the schema in server/src/options.ts, nested ones included', async () => {
  const { OptionsSchema } = await import('../../server/src/options.js')
  type Schema = { type?: string; properties?: Record<string, Schema> }
  const options: string[] = []
  for (const [key, schema] of Object.entries((OptionsSchema as Schema).properties!)) {
    options.push(key)
    const nested = Object.entries(schema.properties ?? {})
    // An object of settings (cookie, breaker) has its own rows; an interface of functions (store) does not.
    if (schema.type === 'object' && nested.some(([, value]) => value.type !== 'Function')) {
      options.push(...nested.map(([sub]) => `${key}.${sub}`))
    }
  }
  assert.deepEqual(sorted(column('Options')), sorted(options))
})

async function registeredPlugin() {
  const { default: chatzyAgent } = await import('../../server/src/index.js')
  const app = Fastify()
  const routes: string[] = []
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url.replace(/^\/chatzy/, '')}`)
  })
  await app.register(chatzyAgent, {
    apiKey: 'ak-docs',
    chatbotId: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1',
    identify: () => null,
    cookie: { secret: 'x'.repeat(32) },
  })
  await app.ready()
  return { app, routes }
}

test('routes: every route the plugin registers', async (t) => {
  const { app, routes } = await registeredPlugin()
  t.after(() => app.close())
  assert.deepEqual(sorted(column('Routes')), sorted(routes))
})

test('decorator: every method of fastify.chatzy', async (t) => {
  const { app } = await registeredPlugin()
  t.after(() => app.close())
  const documented = column('Decorator').map((cell) => cell.replace(/^fastify\.chatzy\./, '').replace(/\(.*$/, ''))
  assert.deepEqual(sorted(documented), sorted(Object.keys(app.chatzy)))
})

test('error codes: every error of server/src/errors.ts, with its status', async () => {
  const errors = Object.values(await import('../../server/src/errors.js')) as (new () => { code: string; statusCode: number })[]
  const actual = new Map(errors.map((E) => { const e = new E(); return [e.code, e.statusCode] }))
  const rows = table('Error codes')
  assert.deepEqual(sorted(rows.map((row) => name(row[0]))), sorted(actual.keys()))
  for (const row of rows) assert.equal(Number(row[1]), actual.get(name(row[0])), `the status of ${name(row[0])}`)
  // The route table speaks of the same codes only.
  for (const code of reference.matchAll(/CHATZY_[A-Z_]+/g)) assert.ok(actual.has(code[0]), `${code[0]} is not a code of the plugin`)
})

test('exports of chatzy-agent/server: as the module exports them', async () => {
  const exported = Object.keys(await import('../../server/src/index.js')).filter((key) => key !== 'default')
  assert.deepEqual(sorted(column('Other exports of `chatzy-agent/server`')), sorted(exported))
})

// --- the package ---

test('entry points: every subpath of package.json exports', () => {
  const { exports } = JSON.parse(read('package.json')) as { exports: Record<string, unknown> }
  const subpaths = Object.keys(exports).filter((key) => key !== './package.json').map((key) => `chatzy-agent${key.slice(1)}`)
  assert.deepEqual(sorted(column('Entry points')), sorted(subpaths))
})

// --- links between the docs ---

const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-')

test('links in the reference and troubleshooting guides lead to existing files and headings', () => {
  for (const doc of ['docs/reference.md', 'docs/troubleshooting.md']) {
    for (const [, target] of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^https?:/.test(target!)) continue
      const [path, anchor] = target!.split('#') as [string, string | undefined]
      const file = path === '' ? doc : `docs/${path}`
      assert.ok(existsSync(new URL(file, root)), `${doc} links to a missing ${file}`)
      if (anchor === undefined) continue
      const headings = read(file).split('\n').filter((line) => /^#{1,6} /.test(line)).map((line) => slug(line.replace(/^#+ /, '')))
      assert.ok(headings.includes(anchor), `${doc} links to a missing heading ${file}#${anchor}`)
    }
  }
})
