import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { ChatzyAgentOptions } from '../../server/src/index.js'
import { registrationError } from '../../server/test/helpers.js'
import { DROPPED_WARNING } from '../../server/src/cookie.js'

/*
 * docs/troubleshooting.md's "Setup messages" lists what a misconfigured setup says, with its fix.
 * Each message is produced here by making the mistake, and looked up in that section, so that
 * a reworded message cannot leave the page behind.
 */

const page = readFileSync(new URL('../../docs/troubleshooting.md', import.meta.url), 'utf8')
const section = page.slice(page.indexOf('## Setup messages'), page.indexOf('\n## ', page.indexOf('## Setup messages') + 1))

const valid: ChatzyAgentOptions = {
  apiKey: 'ak-test', chatbotId: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1', identify: () => null, cookie: { secret: 'x'.repeat(32) },
}

async function registrationMessage(options: unknown, twice = false): Promise<string> {
  const error = await registrationError(options, { twice })
  return error?.message ?? assert.fail('registration must fail')
}

/** The constant start of a message: up to where a value (a length, an id, an origin) comes in. */
const stem = (message: string) => message.replace(/^chatzy-agent: /, '').split(/\(got |"8a1e|\.\.\.|…/)[0]!.slice(0, 90)

test('"Setup messages" quotes every option message a newcomer can get, the second registration, and the dropped-cookie warning', async () => {
  assert.ok(section.length > 100, 'docs/troubleshooting.md has no "Setup messages" section')
  const messages = [
    await registrationMessage({ ...valid, apiKey: undefined }),
    await registrationMessage({ ...valid, chatbotId: 'support-bot' }),
    await registrationMessage({ ...valid, chatbotId: undefined }),
    await registrationMessage({ ...valid, cookie: { secret: 'short' } }),
    await registrationMessage({ ...valid, cookie: undefined }),
    await registrationMessage({ ...valid, cookie: { secret: undefined } }),
    await registrationMessage({ ...valid, encryptionKey: 'short' }),
    await registrationMessage({ ...valid, identify: undefined }),
    await registrationMessage(valid, true),
    DROPPED_WARNING,
  ]
  for (const message of messages) assert.ok(section.includes(stem(message)), `not in "Setup messages": ${stem(message)}`)
})

test('"Setup messages" quotes every setup detail of the element\'s chatzy-error, whole', async () => {
  const { SETUP } = await import('../../element/src/strings.js')
  // The CORS detail names the page's origin; here, a placeholder as the page writes it.
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'location')
  Object.defineProperty(globalThis, 'location', { value: { origin: '<page origin>' }, configurable: true })
  try {
    const details = [
      SETUP.mint,
      SETUP.notAllowed('…'),
      SETUP.chatbotId('…'),
      SETUP.url('endpoint', '…'),
      SETUP.url('app-url', '…'),
      SETUP.frame('<origin>', '<origin>'),
      SETUP.cors('<origin>'),
    ]
    for (const detail of details) assert.ok(section.includes(detail), `not in "Setup messages": ${detail}`)
  } finally {
    if (saved) Object.defineProperty(globalThis, 'location', saved)
    else delete (globalThis as { location?: unknown }).location
  }
})
