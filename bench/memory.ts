/**
 * bytes_per_session: heap growth of the memory store per stored session, at 100,000 sessions.
 * Run alone with `node --expose-gc` (the harness forks it): prints one JSON line.
 */
import { randomBytes } from 'node:crypto'
import { memoryStore } from '../server/src/stores/memory.js'
import type { StoredSession } from '../server/src/store.js'

const CHATBOT_ID = '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1'

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc')
  for (let i = 0; i < 4; i++) gc()
  return process.memoryUsage().heapUsed
}

/** Heap bytes per session for `count` sessions whose two tokens are `tokenChars` long. */
async function measure(count: number, tokenChars: number): Promise<number> {
  const store = memoryStore({ maxSessions: count })
  // The chatbot id is one shared string in the plugin (it comes from the options).
  const tokenBytes = Math.ceil((tokenChars - 3) * 3 / 4)
  const before = heapAfterGc()
  const now = Date.now()
  for (let i = 0; i < count; i++) {
    const session: StoredSession = {
      user_id: `user-${100_000 + i}`,
      chatbot_id: CHATBOT_ID,
      access_token: `at_${randomBytes(tokenBytes).toString('base64url')}`.slice(0, tokenChars),
      access_expires_at: now + 900_000,
      refresh_token: `rt_${randomBytes(tokenBytes).toString('base64url')}`.slice(0, tokenChars),
      refresh_expires_at: now + 604_800_000,
      upstream_at: now,
    }
    await store.set(randomBytes(32).toString('base64url'), session, 604_800_000)
  }
  const after = heapAfterGc()
  // Keep the store alive until after the measurement.
  if ((await store.get('x')) !== undefined) throw new Error('unexpected')
  return Math.round((after - before) / count)
}

const count = Number(process.env.BENCH_SESSIONS ?? 100_000)
// As the mock Chatzy issues them (35 characters), and JWT-sized (512 characters).
const small = await measure(count, 35)
const large = await measure(count, 512)
process.stdout.write(JSON.stringify({ sessions: count, bytes_per_session: small, bytes_per_session_512_char_tokens: large }) + '\n')
