/**
 * The Vue example's check (`vue-tsc`, strictTemplates) reads its template against
 * chatzy-agent/vue: a mistake in a `<chatzy-agent>` tag fails the check. Each mistake is made
 * in a copy of the example's App.vue, and all copies are checked in one vue-tsc run beside an
 * untouched copy, which must pass.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const root = fileURLToPath(new URL('../../', import.meta.url))
const example = `${root}examples/vue/`
const workDir = `${root}node_modules/.cache/chatzy-vue-template-check/`

/** Each mistake: what it changes in App.vue, and what vue-tsc must say about it. */
const MISTAKES: { name: string; from: string; to: string; error: RegExp }[] = [
  { name: 'misspelt-event', from: '@chatzy-ready="onReady"', to: '@chatzy-redy="onReady"', error: /'onChatzyRedy' does not exist/ },
  { name: 'handler-for-another-event', from: '@chatzy-ready="onReady"', to: '@chatzy-ready="onRefreshed"', error: /ChatzyTokenRefreshedEvent/ },
  { name: 'wrong-attribute-value', from: 'loading="eager"', to: 'loading="eagr"', error: /"eagr"' is not assignable/ },
  { name: 'misspelt-launcher-event', from: '@chatzy-open="onOpen"', to: '@chatzy-opne="onOpen"', error: /'onChatzyOpne' does not exist/ },
  { name: 'wrong-launcher-position', from: 'position="bottom-right"', to: 'position="top-right"', error: /"top-right"' is not assignable/ },
]

test('vue-tsc fails on a misspelt event, a handler of another event and a wrong attribute value in the example\'s template, the launcher\'s included', async () => {
  const app = await readFile(`${example}src/App.vue`, 'utf8')
  await rm(workDir, { recursive: true, force: true })
  await mkdir(workDir, { recursive: true })
  await writeFile(`${workDir}Untouched.vue`, app)
  for (const mistake of MISTAKES) {
    assert.ok(app.includes(mistake.from), `App.vue no longer has ${mistake.from}: update this test`)
    await writeFile(`${workDir}${mistake.name}.vue`, app.replace(mistake.from, mistake.to))
  }
  await writeFile(`${workDir}tsconfig.json`, JSON.stringify({
    extends: `${example}tsconfig.json`,
    include: ['*.vue', `${example}src/env.d.ts`],
  }))

  const run = await promisify(execFile)(process.execPath, [`${root}node_modules/vue-tsc/bin/vue-tsc.js`, '-p', workDir], { cwd: root })
    .then(() => ({ code: 0, stdout: '' }), (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }))
  const errorsIn = (file: string) => run.stdout.split('\n').filter((line) => line.includes(`${file}.vue(`)).join('\n')

  assert.notEqual(run.code, 0, 'vue-tsc passed every copy')
  assert.equal(errorsIn('Untouched'), '', 'the untouched App.vue must pass')
  for (const mistake of MISTAKES) {
    assert.match(errorsIn(mistake.name), mistake.error, `${mistake.name}: vue-tsc said:\n${run.stdout}`)
  }
})
