/**
 * Heap cost of one session in memoryStore.
 * Run: node --expose-gc --import tsx server/test/measure/memory-per-session.ts [sessions] [tokenChars]
 * tokenChars is the length of each token (access and refresh); Chatzy does not document it,
 * and JWT-style tokens usually run to a few hundred characters.
 */
import { randomBytes } from 'node:crypto'
import { memoryStore } from '../../src/stores/memory.js'
import { newSessionId } from '../../src/cookie.js'

const sessions = Number(process.argv[2] ?? 100_000)
const tokenChars = Number(process.argv[3] ?? 600)
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')

const token = () => randomBytes(Math.ceil((tokenChars * 3) / 4)).toString('base64url').slice(0, tokenChars)

async function main() {
  const store = memoryStore({ maxSessions: sessions })
  gc!()
  const before = process.memoryUsage().heapUsed
  const now = Date.now()
  for (let i = 0; i < sessions; i++) {
    await store.set(newSessionId(), {
      user_id: `user-${i}`,
      chatbot_id: '8a1e3f18-991b-4a2e-9973-f53e7fc94ff1',
      access_token: token(),
      access_expires_at: now + 900_000,
      refresh_token: token(),
      refresh_expires_at: now + 604_800_000,
      upstream_at: now,
    }, 604_800_000)
  }
  gc!()
  const after = process.memoryUsage().heapUsed
  const perSession = (after - before) / sessions
  console.log(JSON.stringify({ sessions: store.size, tokenChars, bytesPerSession: Math.round(perSession), totalMiB: +((after - before) / 2 ** 20).toFixed(1) }))
}

void main()
