import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

/**
 * A throwaway redis-server for tests: loopback only, on a free port, its data directory in a
 * fresh temp dir (nothing is ever written to the working tree), no snapshots unless asked.
 */
export interface RedisServer {
  port: number
  /** Its data directory (a temp dir of its own). */
  dir: string
  url: string
  /** Stops the server. With `{ keepData: true }` it saves a snapshot first, so `start()` brings the data back. */
  stop(options?: { keepData?: boolean }): Promise<void>
  /** Starts it again on the same port and directory (after `stop`). */
  start(): Promise<void>
  /** Stops it for good and removes its directory. */
  close(): Promise<void>
}

const READY_ATTEMPTS = 100
const READY_PAUSE_MS = 50
const STOP_GRACE_MS = 3_000

const running = new Set<ChildProcess>()
// Never leave a redis-server behind, whatever way the test process ends.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** A port free on the loopback interface now (another process may take it before it is used). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** Sends one command in RESP and resolves with the first line of the answer (or rejects). */
function command(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    const timer = setTimeout(() => socket.destroy(new Error('redis-server did not answer')), 1_000)
    let answer = ''
    socket.setEncoding('utf8')
    socket.once('connect', () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`))
    socket.on('data', (chunk: string) => {
      answer += chunk
      if (answer.includes('\r\n')) socket.end()
    })
    socket.once('close', () => {
      clearTimeout(timer)
      resolve(answer.split('\r\n')[0] ?? '')
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

export interface RedisServerOptions {
  /** More `redis-server` arguments (`--cluster-enabled yes`, say), after the defaults. */
  args?: readonly string[]
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'chatzy-redis-'))
  let port = 0
  let child: ChildProcess | undefined

  async function launch(): Promise<void> {
    const server = spawn('redis-server', [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--dbfilename', 'dump.rdb',
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
      '--loglevel', 'warning',
      ...(options.args ?? []),
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    let spawnError: Error | undefined
    server.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    server.once('error', (error) => { spawnError = error })
    running.add(server)
    server.once('exit', () => running.delete(server))
    child = server
    for (let attempt = 0; attempt < READY_ATTEMPTS; attempt++) {
      if (server.exitCode !== null || spawnError !== undefined) break
      const pong = await command(port, 'PING').catch(() => '')
      if (pong === '+PONG') return
      await new Promise((resolve) => setTimeout(resolve, READY_PAUSE_MS))
    }
    if (spawnError !== undefined) {
      running.delete(server)
      throw new Error(`cannot run redis-server (on Debian/Ubuntu: apt-get install redis-server): ${spawnError.message}`)
    }
    server.kill('SIGKILL')
    await exited(server)
    throw new Error(`redis-server did not start on port ${port}: ${stderr.trim() || 'no answer'}`)
  }

  async function stop(options: { keepData?: boolean } = {}): Promise<void> {
    const current = child
    if (current === undefined) return
    child = undefined
    if (options.keepData) await command(port, 'SHUTDOWN', 'SAVE').catch(() => '')
    else current.kill('SIGTERM')
    const timer = setTimeout(() => current.kill('SIGKILL'), STOP_GRACE_MS)
    await exited(current)
    clearTimeout(timer)
  }

  // A port found free can be taken before redis-server binds it: try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort()
    try {
      await launch()
      break
    } catch (error) {
      if (attempt >= 2) {
        rmSync(dir, { recursive: true, force: true })
        throw error
      }
    }
  }

  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start: launch,
    async close() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * An ioredis client set up as the docs recommend for the session store: commands fail at once
 * while Redis is unreachable (no offline queue), and reconnection goes on in the background.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000, lazyConnect: true })
  // Connection errors while Redis is down are expected here; the store reports them as 503s.
  client.on('error', () => {})
  await client.connect()
  return client
}

/**
 * One Redis server for a test file: started before its tests, stopped after them with every
 * client `connect()` gave out.
 */
export function redisForTests(hooks: { before(fn: () => unknown): void; after(fn: () => unknown): void }): { connect(): Promise<Redis> } {
  let server: RedisServer | undefined
  const clients: Redis[] = []
  hooks.before(async () => {
    server = await startRedisServer()
  })
  hooks.after(async () => {
    for (const client of clients) client.disconnect()
    await server?.close()
  })
  return {
    async connect() {
      const client = await connectRedis(server!.url)
      clients.push(client)
      return client
    },
  }
}
