import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

/*
 * Figures and names the docs state, checked against what the code and the build say: the CDN
 * file's size, environment variables, error codes, option names, defaults and ranges, the
 * element's retry policy, ports, the README's pictures and the links between the pages. A
 * failure names the page, the figure it gives and the code's value, so that fixing it is
 * editing that one number.
 */

const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')
const list = (dir: string) => readdirSync(new URL(dir, root))

const DOCS = [
  'README.md',
  ...list('docs/').filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`),
  'examples/README.md',
  ...list('examples/').filter((name) => existsSync(new URL(`examples/${name}/README.md`, root))).map((name) => `examples/${name}/README.md`),
]

/** "10,020", "604 800", "120 000": a figure as the docs write it. */
const figure = (text: string) => Number(text.replace(/[,\s\u00a0\u202f]/g, ''))
const shown = (value: number) => value.toLocaleString('en-US')

/** Every match of `pattern` in `doc`, asserting there is one at least (else the test has gone stale). */
function stated(doc: string, pattern: RegExp, what: string): RegExpExecArray[] {
  const matches = [...read(doc).matchAll(new RegExp(pattern, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))]
  assert.ok(matches.length > 0, `${doc} no longer states ${what} as ${pattern}: update test/docs/figures.test.ts`)
  return matches
}

// --- the CDN file, as `npm run build` leaves it (test:docs runs after build in `npm test`) ---

const CDN = 'dist/cdn/chatzy-agent.min.js'
if (!existsSync(new URL(CDN, root))) throw new Error('Build the package first: npm run build')
const cdn = readFileSync(new URL(CDN, root))
// As e2e/element-build.spec.ts and bench/bundle-size.ts measure it: Node's zlib at level 9.
const cdnGzip = gzipSync(cdn, { level: 9 }).length
const SIZE_GOAL = 8_704

test('the CDN file\'s gzipped size, wherever the docs give it, is the built file\'s', () => {
  const claims: [string, RegExp, number, string][] = [
    ['docs/element.md', /the CDN module is \*\*([\d,]+) bytes gzipped\*\*/, cdnGzip, 'B gzipped'],
    ['docs/performance.md', /\| `cdn_gzip_bytes` \| ([\d,]+) \|/, cdnGzip, 'B gzipped'],
    ['docs/performance.md', /\(([\d,]+) bytes minified\)/, cdn.length, 'B minified'],
    ['docs/performance.md', /misses its\s+goal by ([\d,]+) bytes/, cdnGzip - SIZE_GOAL, `B over the ${shown(SIZE_GOAL)} B goal`],
    ['README.md', /\| CDN file, gzipped[^|]*\| ([\d,]+) B;/, cdnGzip, 'B gzipped'],
    ['README.md', /is ([\d,]+) bytes over\s+8,704/, cdnGzip - SIZE_GOAL, `B over the ${shown(SIZE_GOAL)} B goal`],
  ]
  for (const [doc, pattern, actual, unit] of claims) {
    for (const match of stated(doc, pattern, `the CDN file's size (${unit})`)) {
      assert.equal(figure(match[1]!), actual, `${doc} gives ${match[1]} ${unit} for ${CDN}; the build has ${shown(actual)} ${unit}: update the doc`)
    }
  }
  const kib = (cdnGzip / 1024).toFixed(1)
  for (const match of stated('README.md', /(\d+\.\d) KiB gzipped, Lit included/, 'the CDN file\'s size in KiB')) {
    assert.equal(match[1], kib, `README.md gives ${match[1]} KiB gzipped for ${CDN}; the build has ${kib} KiB (${shown(cdnGzip)} B): update the README`)
  }
})

// --- names: environment variables and error codes ---

/** Every file of code in the repository (what `git ls-files` would list, without the tree walk of node_modules). */
function codeFiles(dir = ''): string[] {
  const files: string[] = []
  for (const entry of readdirSync(new URL(dir || '.', root), { withFileTypes: true })) {
    const path = `${dir}${entry.name}`
    if (entry.isDirectory()) {
      if (!['node_modules', 'dist', '.git', 'test-results', 'playwright-report'].includes(entry.name) && !entry.name.startsWith('.')) files.push(...codeFiles(`${path}/`))
    } else if (/\.(ts|mts|mjs|js|tsx|vue)$/.test(entry.name) && !/\.d\.ts$/.test(entry.name)) {
      files.push(path)
    }
  }
  return files
}

const readmeServer = /<!-- readme-test: server\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(read('README.md'))?.[1] ?? ''
/** Variables the code reads (the README's own server.ts included: it is code a test runs). */
const readByCode = new Set([...codeFiles().map(read), readmeServer].flatMap((code) => [...code.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!)))
/** Read by libraries, not by this repository: undici's EnvHttpProxyAgent, Node, the shell. */
const STANDARD_VARIABLES = new Set(['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'NODE_ENV', 'PATH', 'CI'])

const errorCodes = async () => {
  const errors = Object.values(await import('../../server/src/errors.js')) as (new () => { code: string; statusCode: number })[]
  return new Map(errors.map((E) => { const e = new E(); return [e.code, e.statusCode] }))
}

test('every environment variable and CHATZY_ error code the docs name exists in the code', async () => {
  const codes = await errorCodes()
  const protocol = new Set(Object.keys(await import('../../element/src/protocol.js')))
  const unknown: string[] = []
  for (const doc of DOCS) {
    const text = read(doc)
    const names = new Set([
      // NAME_WITH_UNDERSCORES anywhere (a variable, a code, a message type), and NAME= (a shell assignment).
      ...[...text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((m) => m[0]),
      ...[...text.matchAll(/(?:^|[\s`(])([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!),
    ])
    for (const name of names) {
      if (readByCode.has(name) || STANDARD_VARIABLES.has(name) || codes.has(name) || protocol.has(name) || name.startsWith('FST_')) continue
      unknown.push(`${doc} names ${name}: no code reads process.env.${name}, and it is no code of server/src/errors.ts`)
    }
  }
  assert.deepEqual(unknown, [])
})

/** The rows of the first table under a heading of a doc, as cells. */
function table(doc: string, heading: string): string[][] {
  const lines = read(doc).split('\n')
  const start = lines.findIndex((line) => /^#{2,4} /.test(line) && line.replace(/^#+ /, '').trim() === heading)
  assert.ok(start >= 0, `${doc} has no section "${heading}"`)
  const rows: string[][] = []
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,4} /.test(line)) break
    if (line.startsWith('|')) rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()))
    else if (rows.length > 0 && line.trim() === '') break
  }
  assert.ok(rows.length > 2, `the section "${heading}" of ${doc} has no table`)
  return rows.slice(2)
}
const code = (cell: string | undefined) => /`([^`]+)`/.exec(cell ?? '')?.[1] ?? ''

test('docs/server.md\'s error table: every code of server/src/errors.ts the browser can get, with its status', async () => {
  const codes = await errorCodes()
  for (const [status, cell] of table('docs/server.md', 'Errors')) {
    assert.equal(Number(status), codes.get(code(cell)), `docs/server.md gives ${status} for ${code(cell)}; server/src/errors.ts has ${codes.get(code(cell)) ?? 'no such code'}`)
  }
  // CHATZY_UPSTREAM_REFUSED is a cause in the log only: the browser gets 502 CHATZY_UPSTREAM_BAD_RESPONSE.
  const documented = new Set(table('docs/server.md', 'Errors').map(([, cell]) => code(cell)))
  assert.deepEqual([...codes.keys()].filter((c) => !documented.has(c) && c !== 'CHATZY_UPSTREAM_REFUSED'), [], 'codes missing from docs/server.md\'s error table')
})

// --- options: names, defaults and ranges ---

type Schema = { type?: string; minimum?: number; maximum?: number; minLength?: number; anyOf?: Schema[]; properties?: Record<string, Schema> }

async function optionSchemas(): Promise<Map<string, Schema>> {
  const { OptionsSchema } = await import('../../server/src/options.js')
  const options = new Map<string, Schema>()
  for (const [key, schema] of Object.entries((OptionsSchema as Schema).properties!)) {
    options.set(key, schema)
    if (schema.type === 'object') for (const [sub, value] of Object.entries(schema.properties ?? {})) options.set(`${key}.${sub}`, value)
  }
  return options
}

const serverSources = ['server/src/', 'server/src/core/', 'server/src/stores/']
  .flatMap((dir) => list(dir).filter((name) => name.endsWith('.ts')).map((name) => read(`${dir}${name}`))).join('\n')

/** A constant of server/src (`const WEEK_SECONDS = 7 * 24 * 3600`, `DEFAULT_APP_URL = '…'`), evaluated. */
function constant(name: string): number | string | undefined {
  const value = new RegExp(`const ${name} = ([^\\n]+)`).exec(serverSources)?.[1]?.trim()
  if (value === undefined) return undefined
  if (/^'[^']*'$/.test(value)) return value.slice(1, -1)
  if (/^[\d_ *]+$/.test(value)) return value.split('*').map((n) => Number(n.replaceAll('_', '').trim())).reduce((a, b) => a * b, 1)
  return undefined
}

/** The default the code gives an option: `options.breaker?.threshold ?? 5`, `options.mintLimit ?? { max: 10, … }`. */
function codeDefault(option: string): number | string | undefined {
  const literal = (text: string) => {
    const value = text.trim()
    if (/^[\d_]+$/.test(value)) return Number(value.replaceAll('_', ''))
    if (/^'[^']*'$/.test(value)) return value.slice(1, -1)
    if (/^[A-Z][A-Z0-9_]*$/.test(value)) return constant(value)
    return undefined
  }
  const path = option.split('.').join('\\??\\.')
  const direct = new RegExp(`options\\.${path} \\?\\? ([\\w']+[^\\s,)]*)`).exec(serverSources)
  if (direct) return literal(direct[1]!)
  const [parent, child] = option.split('.')
  if (child === undefined) return undefined
  const object = new RegExp(`options\\.${parent} \\?\\? \\{([^}]*)\\}`).exec(serverSources)?.[1]
  const field = object && new RegExp(`\\b${child}: ([^,\\s]+)`).exec(object)?.[1]
  return field ? literal(field) : undefined
}

for (const doc of ['docs/server.md', 'docs/reference.md']) {
  test(`${doc}'s option table: every option of the schema, with the code's defaults and the schema's ranges`, async () => {
    const schemas = await optionSchemas()
    const rows = table(doc, 'Options')
    const named = rows.map((row) => code(row[0]))
    assert.deepEqual(named.filter((name) => !schemas.has(name)), [], `${doc} documents options the schema does not have`)
    // Objects of settings (cookie, breaker, mintLimit) may have a row of their own or only their fields'.
    assert.deepEqual([...schemas.keys()].filter((name) => !named.includes(name) && schemas.get(name)?.type !== 'object'), [], `options of server/src/options.ts missing from ${doc}`)

    for (const [nameCell, type, defaultCell] of rows) {
      const option = code(nameCell)
      const schema = schemas.get(option)!
      const value = codeDefault(option)
      if (/^\d/.test(defaultCell!)) {
        const documented = figure(/^[\d,\s\u00a0\u202f]+/.exec(defaultCell!)![0])
        assert.equal(documented, value, `${doc} gives ${option} the default ${defaultCell}; server/src has ${value === undefined ? 'no default found' : shown(value as number)}`)
      } else if (/^`'?[^`']+'?`$/.test(defaultCell!) && value !== undefined) {
        assert.equal(defaultCell!.replace(/^`'?|'?`$/g, ''), value, `${doc} gives ${option} the default ${defaultCell}; server/src has '${value}'`)
      }
      const range = /integer (\d[\d\s]*)[–-](\d[\d\s]*)|integer ≥ (\d[\d\s]*)/.exec(type!)
      if (range) {
        const [min, max] = range[3] === undefined ? [figure(range[1]!), figure(range[2]!)] : [figure(range[3]), undefined]
        assert.deepEqual([min, max], [schema.minimum, schema.maximum], `${doc} gives ${option} the range "${type}"; server/src/options.ts has minimum ${schema.minimum}, maximum ${schema.maximum ?? 'none'}`)
      }
      const length = /≥ (\d+) char/.exec(type!)
      if (length) {
        const minLength = (schema.anyOf ?? [schema]).map((s) => s.minLength ?? s.anyOf?.[0]?.minLength).find((n) => n !== undefined)
        assert.equal(Number(length[1]), minLength, `${doc} gives ${option} "${type}"; server/src/options.ts has minLength ${minLength}`)
      }
    }
  })
}

test('defaults quoted in prose (`refreshMarginMs` (30 s), mintLimit 10 per 60 s, sessionsPerUser 10) are the code\'s', () => {
  const wrong: string[] = []
  for (const doc of DOCS) {
    const text = read(doc)
    for (const [, option, seconds] of text.matchAll(/`(\w+Ms)` \((\d+(?:\.\d+)?) s\)/g)) {
      const value = codeDefault(option!)
      if (value !== undefined && Number(seconds) * 1000 !== value) wrong.push(`${doc} gives ${option} ${seconds} s; server/src has ${value} ms`)
    }
    for (const [, max, seconds] of text.matchAll(/`mintLimit` \((\d+) per (\d+) s/g)) {
      const actual = `${codeDefault('mintLimit.max')} per ${Number(codeDefault('mintLimit.windowMs')) / 1000} s`
      if (`${max} per ${seconds} s` !== actual) wrong.push(`${doc} gives mintLimit ${max} per ${seconds} s; server/src has ${actual}`)
    }
    for (const [, count] of text.matchAll(/`sessionsPerUser` \((\d+) by default\)/g)) {
      if (Number(count) !== codeDefault('sessionsPerUser')) wrong.push(`${doc} gives sessionsPerUser ${count}; server/src has ${codeDefault('sessionsPerUser')}`)
    }
  }
  assert.ok(codeDefault('mintLimit.max') !== undefined && codeDefault('refreshMarginMs') !== undefined, 'no defaults found in server/src: update test/docs/figures.test.ts')
  assert.deepEqual(wrong, [])
})

test('the plugin\'s bounds, as the docs give them: bodies, Chatzy\'s answers, Retry-After, the floor\'s wait, the store\'s deadline, maxSessions', () => {
  const kib = (name: string) => `${Number(constant(name)) / 1024} KiB`
  const seconds = (ms: number | string | undefined) => `${Number(ms) / 1000} s`
  const storeBound = Number(/guardStore\(store: SessionStore, timeoutMs = ([\d_]+)\)/.exec(serverSources)?.[1]?.replaceAll('_', ''))
  const claims: [string, RegExp, string, string][] = [
    ['docs/server.md', /at most\s+(\d+ KiB)/, kib('BODY_LIMIT'), 'BODY_LIMIT (server/src/core/body.ts)'],
    ['docs/server.md', /body over (\d+ KiB)/, kib('BODY_LIMIT'), 'BODY_LIMIT (server/src/core/body.ts)'],
    ['docs/reference.md', /body over (\d+ KiB)/, kib('BODY_LIMIT'), 'BODY_LIMIT (server/src/core/body.ts)'],
    ['README.md', /bodies are capped at (\d+ KiB)/, kib('BODY_LIMIT'), 'BODY_LIMIT (server/src/core/body.ts)'],
    ['docs/server.md', /off-schema, over (\d+ KiB)/, kib('MAX_ANSWER_BYTES'), 'MAX_ANSWER_BYTES (server/src/chatzy-client.ts)'],
    ['docs/server.md', /answers over (\d+ KiB) cut off/, kib('MAX_ANSWER_BYTES'), 'MAX_ANSWER_BYTES (server/src/chatzy-client.ts)'],
    ['docs/server.md', /\(capped at (\d+ s)\)/, seconds(constant('MAX_RETRY_AFTER_MS')), 'MAX_RETRY_AFTER_MS (server/src/chatzy-client.ts)'],
    ['docs/server.md', /more than (\d+ s) (?:left|away)/, seconds(constant('MAX_FLOOR_WAIT_MS')), 'MAX_FLOOR_WAIT_MS (server/src/broker.ts)'],
    ['docs/reference.md', /more than (\d+ s) from its end/, seconds(constant('MAX_FLOOR_WAIT_MS')), 'MAX_FLOOR_WAIT_MS (server/src/broker.ts)'],
    ['docs/server.md', /did not answer within (\d+ s)/, seconds(storeBound), 'guardStore\'s timeoutMs (server/src/store-guard.ts)'],
    ['docs/server.md', /`CHATZY_STORE_UNAVAILABLE` \((\d+ s) bound\)/, seconds(storeBound), 'guardStore\'s timeoutMs (server/src/store-guard.ts)'],
    ['docs/reference.md', /bounded, (\d+ s)\)/, seconds(storeBound), 'guardStore\'s timeoutMs (server/src/store-guard.ts)'],
    ['docs/server.md', /memoryStore\(\{ maxSessions = ([\d_]+) \}\)/, String(codeDefault('maxSessions')), 'maxSessions (server/src/stores/memory.ts)'],
    ['docs/reference.md', /memoryStore\(\{ maxSessions = ([\d_]+) \}\)/, String(codeDefault('maxSessions')), 'maxSessions (server/src/stores/memory.ts)'],
  ]
  for (const [doc, pattern, actual, name] of claims) {
    for (const match of stated(doc, pattern, name)) {
      const documented = /^[\d_]+$/.test(match[1]!) ? String(Number(match[1]!.replaceAll('_', ''))) : match[1]
      assert.equal(documented, actual, `${doc} gives ${match[1]}; ${name} makes it ${actual}`)
    }
  }
})

// --- the element's own figures ---

test('docs/element.md\'s retry, timeout and loop-breaker figures are the element\'s policy', async () => {
  const { policy: exported } = await import('../../element/src/token-client.js')
  // The module keeps most of its figures as constants (a minifier inlines them): read them there.
  const source = readFileSync(new URL('../../element/src/token-client.ts', import.meta.url), 'utf8')
  const constant = (name: string) => {
    const found = new RegExp(`const ${name} = ([\\d_]+)`).exec(source)
    assert.ok(found, `element/src/token-client.ts has no constant ${name}`)
    return Number(found[1]!.replaceAll('_', ''))
  }
  const policy = {
    ...exported,
    timeoutMs: constant('TIMEOUT_MS'),
    retries: constant('RETRIES'),
    backoffBaseMs: constant('BACKOFF_BASE_MS'),
    backoffCapMs: constant('BACKOFF_CAP_MS'),
    retryBudgetMs: constant('RETRY_BUDGET_MS'),
    retryLaterCapMs: constant('RETRY_LATER_CAP_MS'),
    windowMs: constant('WINDOW_MS'),
  }
  const s = (ms: number) => `${ms / 1000} s`
  const doc = 'docs/element.md'
  const claims: [RegExp, string, string][] = [
    [/timeouts \((\d+ s) per request\)/, s(policy.timeoutMs), 'timeoutMs'],
    [/retried\s+up to (\d+) times/, String(policy.retries), 'retries'],
    [/random in (0–[\d.]+ s)/, `0–${s(policy.backoffBaseMs)}`, 'backoffBaseMs'],
    [/capped at (\d+ s), never sooner/, s(policy.backoffCapMs), 'backoffCapMs'],
    [/no retry starts after (\d+ s)/, s(policy.retryBudgetMs), 'retryBudgetMs'],
    [/up to (\d+ min)\)/, `${policy.retryLaterCapMs / 60_000} min`, 'retryLaterCapMs'],
    [/At most (\d+ refreshes in any \d+ s)/, `${policy.refreshesPerWindow} refreshes in any ${s(policy.windowMs)}`, 'refreshesPerWindow, windowMs'],
  ]
  for (const [pattern, actual, name] of claims) {
    for (const match of stated(doc, pattern, name)) {
      assert.equal(match[1], actual, `${doc} gives "${match[1]}"; element/src/token-client.ts's policy.${name} makes it "${actual}"`)
    }
  }
  const margin = /rootMargin: '(\d+)px'/.exec(read('element/src/chatzy-agent.ts'))?.[1]
  for (const match of stated(doc, /within (\d+) px of the viewport/, 'the lazy-loading margin')) {
    assert.equal(match[1], margin, `${doc} gives ${match[1]} px for lazy loading; element/src/chatzy-agent.ts's rootMargin is ${margin}px`)
  }
})

/** The rows of the table whose header row starts with `| first |`, as cells. */
function tableByHeader(doc: string, first: string): string[][] {
  const lines = read(doc).split('\n')
  const start = lines.findIndex((line) => line.startsWith(`| ${first} |`))
  assert.ok(start >= 0, `${doc} has no table headed "${first}"`)
  const rows: string[][] = []
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break
    rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()))
  }
  return rows
}

test('the element\'s attribute and CSS custom property defaults in the docs are the code\'s', () => {
  const manifest = JSON.parse(read('custom-elements.json')) as { modules: { declarations?: { tagName?: string; attributes?: { name: string; default?: string }[] }[] }[] }
  const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'chatzy-agent')!
  const attributeDefault = new Map(element.attributes!.map((a) => [a.name, a.default?.replace(/^'(.*)'$/, '$1')]))
  const styles = list('element/src/').filter((name) => name.endsWith('.ts')).map((name) => read(`element/src/${name}`)).join('\n')
  const cssDefault = new Map([...styles.matchAll(/var\((--chatzy-agent-[a-z-]+), ([^)]+)\)/g)].map((m) => [m[1]!, m[2]!.trim()]))
  const unquote = (cell: string) => /^`'?([^`']*)'?`/.exec(cell)?.[1]
  const wrong: string[] = []
  for (const [doc, column] of [['docs/element.md', 2], ['docs/reference.md', 3]] as const) {
    for (const row of tableByHeader(doc, 'attribute')) {
      const name = code(row[0])
      const documented = unquote(row[column]!)
      if (name === '' || documented === undefined) continue
      if (documented !== attributeDefault.get(name)) wrong.push(`${doc} gives ${name} the default ${row[column]}; the element's is ${attributeDefault.get(name) ?? 'none'}`)
    }
  }
  for (const [doc, first] of [['docs/element.md', 'custom property'], ['docs/reference.md', 'property']] as const) {
    const rows = tableByHeader(doc, first)
    assert.ok(rows.length >= cssDefault.size, `${doc}'s custom property table lacks some of ${[...cssDefault.keys()].join(', ')}`)
    for (const row of rows) {
      if (unquote(row[1]!) !== cssDefault.get(code(row[0]))) wrong.push(`${doc} gives ${code(row[0])} the default ${row[1]}; element/src has ${cssDefault.get(code(row[0])) ?? 'no var() fallback'}`)
    }
  }
  assert.deepEqual(wrong, [])
})

// --- ports ---

test('the ports the docs give are the ones the demo, the mock and each example listen on by default', () => {
  const port = (file: string, variable: string) => Number(new RegExp(`process\\.env\\.${variable} \\?\\? (\\d+)`).exec(read(file))?.[1])
  const demo = port('demo/start.ts', 'PORT')
  const mock = port('demo/start.ts', 'MOCK_PORT')
  assert.equal(port('scripts/mock-chatzy.ts', 'MOCK_PORT'), mock, 'npm run mock and npm start put the mock on different ports')
  for (const match of stated('README.md', /demo on http:\/\/localhost:(\d+)/, 'the demo\'s port')) {
    assert.equal(Number(match[1]), demo, `README.md gives the demo port ${match[1]}; demo/start.ts has ${demo}`)
  }
  for (const match of stated('README.md', /(?:runs beside it|mock Chatzy alone),? on\s+http:\/\/127\.0\.0\.1:(\d+)/, 'the mock\'s port')) {
    assert.equal(Number(match[1]), mock, `README.md gives the mock port ${match[1]}; demo/start.ts and scripts/mock-chatzy.ts have ${mock}`)
  }
  for (const [, folder, url] of read('examples/README.md').matchAll(/^\| \[`([\w-]+)`\][^\n]*\| http:\/\/localhost:(\d+) \|$/gm)) {
    const entry = existsSync(new URL(`../../examples/${folder}/server.ts`, import.meta.url)) ? 'server.ts' : 'start.ts'
    const server = read(`examples/${folder}/${entry}`)
    const actual = Number(/PORT \?\? (\d+)/.exec(server)?.[1] ?? /startViteExample\(.*?\), (\d+)/.exec(server)?.[1])
    assert.equal(Number(url), actual, `examples/README.md gives ${folder} the port ${url}; examples/${folder}/${entry} has ${actual}`)
    const own = read(`examples/${folder}/README.md`).match(/http:\/\/localhost:(\d+)/)?.[1]
    if (own !== undefined) assert.equal(Number(own), actual, `examples/${folder}/README.md gives the port ${own}; its ${entry} has ${actual}`)
  }
})

test('the mock Chatzy\'s token lifetime the README and examples/README.md give is the one the demo and the examples start it with', () => {
  const lifetime = (file: string) => Number(/MOCK_ACCESS_TTL_MS \?\? ([\d_]+)/.exec(read(file))?.[1]?.replaceAll('_', '')) / 1000
  for (const [doc, file] of [['README.md', 'demo/start.ts'], ['examples/README.md', 'examples/shared/chatzy.ts']] as const) {
    for (const match of stated(doc, /tokens (?:that )?live\s+(\d+) seconds/, 'the mock\'s token lifetime')) {
      assert.equal(Number(match[1]), lifetime(file), `${doc} gives the mock's tokens ${match[1]} s; ${file} starts it with ${lifetime(file)} s`)
    }
  }
})

// --- the README's pictures ---

test('the README\'s pictures are the ones npm run screenshots makes, each in docs/images and small', () => {
  const readme = read('README.md')
  const sources = [...readme.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]!)
  assert.ok(sources.length >= 4, 'the README shows no pictures')
  const images = sources.map((src) => {
    const name = /^https:\/\/github\.com\/chatzy-ai\/chatzy-agent\/raw\/main\/docs\/images\/([\w.-]+)$/.exec(src)?.[1]
    assert.ok(name, `${src}: a picture is linked absolutely, from docs/images (the npm page has no docs/)`)
    return name
  })
  const made = [...read('scripts/screenshots.ts').matchAll(/shoot\(\w+, '([\w-]+)'\)/g)].map((m) => `${m[1]}.webp`)
  assert.deepEqual(images.sort(), made.sort(), 'the README shows other pictures than scripts/screenshots.ts makes')
  assert.deepEqual(list('docs/images/').sort(), made.sort(), 'docs/images holds pictures the README does not show, or lacks some')
  let total = 0
  for (const name of images) {
    const { size } = statSync(new URL(`docs/images/${name}`, root))
    assert.ok(size < 60 * 1024, `docs/images/${name} is ${shown(size)} B: keep each picture under 60 KiB`)
    total += size
  }
  assert.ok(total < 250 * 1024, `the README's pictures add up to ${shown(total)} B: keep them under 250 KiB`)
})

// --- the example page of "Several chatbots on one page" ---

test('docs/element.md\'s several-chatbots page uses only chatbots its server lists, each once, on one endpoint', () => {
  const guide = read('docs/element.md')
  const block = (name: string) => new RegExp(`<!-- docs-test: several-chatbots ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(guide)?.[1] ?? assert.fail(`docs/element.md has no several-chatbots ${name} block`)
  const listed = [...(/chatbotId: \[([\s\S]*?)\]/.exec(block('server'))?.[1] ?? '').matchAll(/'([\w-]+)'/g)].map((m) => m[1]!)
  const page = block('page')
  const used = [...page.matchAll(/chatbot-id="([\w-]+)"/g)].map((m) => m[1]!)
  assert.equal(used.length, 2)
  assert.equal(new Set(used).size, 2, 'the page shows one chatbot twice')
  for (const id of used) assert.ok(listed.includes(id), `the page's chatbot ${id} is not in its server's chatbotId`)
  assert.equal(new Set([...page.matchAll(/endpoint="([^"]+)"/g)].map((m) => m[1])).size, 1)
  assert.match(page, /mode="launcher"/)
  assert.match(page, /<meta name="viewport"/)
})

// --- the files and tests the docs point at ---

/** Paths of the repository's code, for looking a bare file name up. */
const allCode = codeFiles()

test('every test file the docs name exists, and the security model\'s files are in server/src', () => {
  const missing: string[] = []
  for (const doc of DOCS) {
    for (const [name] of read(doc).matchAll(/[\w./-]+\.(?:test|spec)\.ts\b/g)) {
      const found = name.includes('/') ? existsSync(new URL(name, root)) : allCode.some((path) => path.endsWith(`/${name}`))
      if (!found) missing.push(`${doc} names ${name}, which no test file is`)
    }
  }
  for (const row of table('docs/server.md', 'Security model')) {
    for (const [, name] of row[2]!.matchAll(/`([\w/.-]+\.ts)`/g)) {
      if (!existsSync(new URL(name!.startsWith('core/') ? `server/src/${name}` : name!.includes('/') ? name! : `server/src/${name}`, root))) missing.push(`docs/server.md's security model says rule ${row[0]} is enforced in ${name}, which is not in server/src`)
    }
  }
  assert.deepEqual(missing, [])
})

// --- links between the pages ---

const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
const headings = (file: string) => read(file).split('\n').filter((line) => /^#{1,6} /.test(line)).map((line) => slug(line.replace(/^#+ /, '')))

test('links in the README, the docs and the examples\' READMEs lead to existing files and headings', () => {
  const broken: string[] = []
  for (const doc of DOCS) {
    const dir = doc.slice(0, doc.lastIndexOf('/') + 1)
    for (const [, target] of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
      let path: string
      let anchor: string | undefined
      const inRepository = /^https:\/\/github\.com\/chatzy-ai\/chatzy-agent\/(?:blob|tree)\/main\/([^#]*)(?:#(.*))?$/.exec(target!)
      if (inRepository) [, path, anchor] = inRepository as unknown as [string, string, string | undefined]
      else if (/^https?:|^mailto:/.test(target!)) continue
      else {
        const [file, hash] = target!.split('#') as [string, string | undefined]
        path = file === '' ? doc : new URL(file, new URL(dir, root)).pathname.slice(new URL(root).pathname.length)
        anchor = hash
      }
      const file = path.replace(/\/$/, '')
      if (!existsSync(new URL(file, root))) { broken.push(`${doc} links to a missing ${file}`); continue }
      if (anchor !== undefined && file.endsWith('.md') && !headings(file).includes(anchor)) broken.push(`${doc} links to a missing heading ${file}#${anchor}`)
    }
  }
  assert.deepEqual(broken, [])
})
