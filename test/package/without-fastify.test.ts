import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { bin, packAndInstall, run, type Installed } from './install.js'
import * as consumer from './consumer.js'

let installed: Installed

before(async () => {
  // An Express or Next.js app: Fastify (an optional peer) is not installed.
  installed = await packAndInstall({ without: ['fastify'] })
})
after(async () => {
  await installed?.remove()
})

test('chatzy-agent/fetch and chatzy-agent/node import and answer in an app without Fastify installed', { timeout: 240_000 }, async () => {
  const script = `
    import assert from 'node:assert/strict'
    import { createServer } from 'node:http'
    assert.throws(() => import.meta.resolve('fastify'), 'fastify must not be installed here')
    const options = { apiKey: 'ak-test', chatbotId: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1', identify: () => null, cookie: { secret: 'x'.repeat(32) } }
    const headers = { 'content-type': 'application/json', 'x-chatzy-agent': '1' }

    const fetchEntry = await import('chatzy-agent/fetch')
    assert.equal(typeof fetchEntry.memoryStore, 'function')
    assert.equal(new fetchEntry.errors.NoSession().code, 'CHATZY_NO_SESSION')
    const web = fetchEntry.chatzyAgent(options)
    const answer = await web.fetch(new Request('http://localhost/chatzy/session', { method: 'POST', headers, body: '{}' }))
    assert.equal(answer.status, 401)
    assert.equal((await answer.json()).code, 'CHATZY_UNAUTHENTICATED')
    await web.close()

    const { chatzyAgent } = await import('chatzy-agent/node')
    const node = chatzyAgent(options)
    const server = createServer((req, res) => node.middleware(req, res))
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    const reply = await fetch('http://127.0.0.1:' + server.address().port + '/chatzy/session', { method: 'POST', headers, body: '{}' })
    assert.equal(reply.status, 401)
    assert.equal((await reply.json()).code, 'CHATZY_UNAUTHENTICATED')
    server.close()
    await node.close()
    console.log('ok')
  `
  await writeFile(join(installed.dir, 'no-fastify.mjs'), script)
  const { stdout } = await run(process.execPath, ['no-fastify.mjs'], { cwd: installed.dir })
  assert.match(stdout, /ok/)
})

test('without Fastify installed, a strict TypeScript project type-checks against chatzy-agent/fetch and /node, declarations included', { timeout: 240_000 }, async () => {
  const dir = join(installed.dir, 'types')
  await run('mkdir', ['-p', dir])
  await writeFile(join(dir, 'fetch.ts'), consumer.fetchServer)
  await writeFile(join(dir, 'node.ts'), consumer.nodeServer)
  const tsconfig = consumer.tsconfig('NodeNext')
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, files: ['fetch.ts', 'node.ts'] }))
  const result = await run(bin('tsc'), ['-p', dir], { cwd: dir }).catch((error: { stdout: string }) => error)
  assert.equal(result.stdout, '', `tsc found problems:\n${result.stdout}`)
})
