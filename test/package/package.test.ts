import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { bin, packAndInstall, root, run, type Installed } from './install.js'
import * as consumer from './consumer.js'

type Exports = Record<string, string | Record<string, string>>

const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { exports: Exports }

/** Every file the `exports` map points at, e.g. `dist/server/src/index.js`. */
function exportTargets(exports: Exports): string[] {
  return Object.values(exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)))
    .map((path) => path.replace(/^\.\//, ''))
}

/** The files a user of the package needs; anything else in the tarball is a mistake. */
const NEEDED = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE(\.md)?$/,
  /^custom-elements\.json$/,
  /^dist\/(element|server|contract)\/[\w/.-]+\.(js|d\.ts)$/,
  /^dist\/cdn\/[\w.-]+\.js$/,
  /^types\/[\w-]+\.(d\.ts|js)$/,
]

describe('the published package', { timeout: 240_000 }, () => {
  let installed: Installed

  before(async () => {
    installed = await packAndInstall()
  })
  after(async () => {
    await installed?.remove()
  })

  test('npm pack contains only what users need, and everything the exports map promises', () => {
    const strays = installed.files.filter((file) => !NEEDED.some((pattern) => pattern.test(file)))
    assert.deepEqual(strays, [], 'files in the tarball that no user needs')
    for (const file of ['README.md', 'CHANGELOG.md', 'custom-elements.json', ...exportTargets(manifest.exports)]) {
      assert.ok(installed.files.includes(file), `${file} is missing from the tarball`)
    }
    for (const subpath of ['.', './element', './server', './fetch', './node', './cdn', './react', './vue', './custom-elements.json']) {
      assert.ok(subpath in manifest.exports, `exports has no "${subpath}"`)
    }
    // Every module of the npm build comes with its declarations.
    const modules = installed.files.filter((file) => /^dist\/(element|server|contract)\/.+\.js$/.test(file))
    assert.ok(modules.length > 0)
    for (const file of modules) assert.ok(installed.files.includes(file.replace(/\.js$/, '.d.ts')), `${file} has no .d.ts`)
  })

  test('every entry point imports in Node ESM from the installed tarball, and the plugin answers', async () => {
    const script = `
      import assert from 'node:assert/strict'
      const element = await import('chatzy-agent/element')
      assert.equal(typeof element.ChatzyAgent, 'function')
      assert.equal(globalThis.customElements?.get('chatzy-agent'), undefined, 'chatzy-agent/element must not register')
      const main = await import('chatzy-agent')
      assert.equal(customElements.get('chatzy-agent'), main.ChatzyAgent, 'chatzy-agent registers the element')
      assert.equal(main.ChatzyAgent, element.ChatzyAgent)
      for (const name of ['ChatzyReadyEvent', 'ChatzyTokenRefreshedEvent', 'ChatzyErrorEvent', 'ChatzyMessageEvent', 'defineChatzyAgent']) {
        assert.equal(typeof main[name], 'function', name)
      }
      await import('chatzy-agent/react')
      await import('chatzy-agent/vue')
      const cem = await import('chatzy-agent/custom-elements.json', { with: { type: 'json' } })
      assert.ok(cem.default.modules.length > 0)

      const { default: chatzyAgent, memoryStore, errors } = await import('chatzy-agent/server')
      assert.equal(typeof memoryStore, 'function')
      assert.equal(new errors.Unauthenticated().code, 'CHATZY_UNAUTHENTICATED')
      const { default: Fastify } = await import('fastify')
      const app = Fastify()
      await app.register(chatzyAgent, { apiKey: 'ak-test', chatbotId: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1', identify: () => null, cookie: { secret: 'x'.repeat(32) } })
      const answer = await app.inject({ method: 'POST', url: '/chatzy/session', headers: { 'content-type': 'application/json', 'x-chatzy-agent': '1' }, payload: '{}' })
      assert.equal(answer.statusCode, 401)
      assert.equal(answer.json().code, 'CHATZY_UNAUTHENTICATED')
      await app.close()
      console.log('ok')
    `
    await writeFile(join(installed.dir, 'imports.mjs'), script)
    const { stdout } = await run(process.execPath, ['imports.mjs'], { cwd: installed.dir })
    assert.match(stdout, /ok/)

    // The CDN builds are browser files (their e2e test runs them); here: valid, standalone JavaScript.
    for (const file of ['dist/cdn/chatzy-agent.min.js', 'dist/cdn/chatzy-agent.iife.min.js']) {
      await run(process.execPath, ['--check', join(installed.packageDir, file)])
      const code = await readFile(join(installed.packageDir, file), 'utf8')
      assert.doesNotMatch(code, /\bfrom\s*["'`](lit|@lit)/, `${file} must inline Lit`)
    }
  })

  test('a bundler keeps the registration of `import \'chatzy-agent\'` (sideEffects) and resolves every dependency', async () => {
    const { build } = await import('vite')
    await writeFile(join(installed.dir, 'main.js'), "import 'chatzy-agent'\n")
    const output = await build({
      root: installed.dir,
      configFile: false,
      logLevel: 'silent',
      build: {
        outDir: join(installed.dir, 'bundle'),
        minify: false,
        lib: { entry: join(installed.dir, 'main.js'), formats: ['es'], fileName: 'main' },
      },
    })
    const chunks = [output].flat().flatMap((result) => ('output' in result ? result.output : []))
    const code = chunks.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n')
    assert.match(code, /chatzy-agent/, 'the bundle lost the element')
    assert.match(code, /\.define\(/, 'the bundle lost the registration')
    assert.match(code, /class \w+ extends \w+/, 'the bundle lost the element class')
  })

  for (const resolution of ['NodeNext', 'Bundler'] as const) {
    test(`types: a strict TypeScript project (moduleResolution ${resolution}) type-checks against every entry point`, async () => {
      const dir = join(installed.dir, `types-${resolution}`)
      await run('mkdir', ['-p', dir])
      await writeFile(join(dir, 'server.ts'), consumer.server)
      await writeFile(join(dir, 'fetch.ts'), consumer.fetchServer)
      await writeFile(join(dir, 'node.ts'), consumer.nodeServer)
      await writeFile(join(dir, 'browser.ts'), consumer.browser)
      await writeFile(join(dir, 'react.tsx'), consumer.react)
      await writeFile(join(dir, 'vue.ts'), consumer.vue)
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(consumer.tsconfig(resolution)))
      const result = await run(bin('tsc'), ['-p', dir], { cwd: dir }).catch((error: { stdout: string }) => error)
      assert.equal(result.stdout, '', `tsc found problems:\n${result.stdout}`)
    })
  }

  test('publint reports no problem', async () => {
    const { publint } = await import('publint')
    const { formatMessage } = await import('publint/utils')
    const pkg = JSON.parse(await readFile(join(installed.packageDir, 'package.json'), 'utf8'))
    // The unpacked tarball is exactly what is published.
    const { messages } = await publint({ pkgDir: installed.packageDir, pack: false, level: 'suggestion' })
    assert.deepEqual(messages.map((message) => `${message.type}: ${formatMessage(message, pkg)}`), [])
  })

  test('are-the-types-wrong reports no problem (ESM-only package)', async () => {
    const result = await run(bin('attw'), [installed.tarball, '--profile', 'esm-only', '--no-definitely-typed', '--no-emoji', '--no-color'], { maxBuffer: 16 << 20 })
      .then(() => undefined, (error: { stdout: string }) => error.stdout)
    assert.equal(result, undefined, `attw found problems:\n${result}`)
  })
})
