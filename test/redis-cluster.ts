import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Cluster, Redis } from 'ioredis'
import { freePort, startRedisServer, type RedisServer } from './redis-server.js'

const run = promisify(execFile)

/** A throwaway Redis Cluster of masters only, each a real `redis-server` on loopback. */
export interface RedisCluster {
  masters: RedisServer[]
  /** `{ host, port }` of every master, as ioredis's `Cluster` takes its start-up nodes. */
  nodes: { host: string; port: number }[]
  /** Stops every master for good and removes their directories. */
  close(): Promise<void>
}

const READY_ATTEMPTS = 100
const READY_PAUSE_MS = 50

/**
 * Starts `size` masters in cluster mode and joins them with `redis-cli --cluster create`.
 * A short node timeout, so that a master that dies is marked failed in about a second, and
 * `cluster-require-full-coverage no`, so that the other masters keep serving their slots then.
 */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const masters: RedisServer[] = []
  const close = async () => {
    await Promise.all(masters.map((master) => master.close()))
  }
  try {
    for (let i = 0; i < size; i++) {
      masters.push(await startRedisServer({
        args: [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', 'nodes.conf',
          // The bus port is port + 10000 unless given: that may be taken, or past 65535.
          '--cluster-port', String(await freePort()),
          '--cluster-node-timeout', '500',
          '--cluster-require-full-coverage', 'no',
        ],
      }))
    }
    const addresses = masters.map((master) => `127.0.0.1:${master.port}`)
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 })
    await Promise.all(masters.map((master) => untilClusterOk(master.port)))
  } catch (error) {
    await close()
    throw error
  }
  return { masters, nodes: masters.map((master) => ({ host: '127.0.0.1', port: master.port })), close }
}

/** Waits until this master sees the whole cluster as healthy. */
async function untilClusterOk(port: number): Promise<void> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  try {
    await client.connect()
    for (let attempt = 0; attempt < READY_ATTEMPTS; attempt++) {
      const info = String(await client.call('CLUSTER', 'INFO'))
      if (info.includes('cluster_state:ok')) return
      await new Promise((resolve) => setTimeout(resolve, READY_PAUSE_MS))
    }
    throw new Error(`redis cluster node on port ${port} never reached cluster_state:ok`)
  } finally {
    client.disconnect()
  }
}

/**
 * An ioredis `Cluster` client set up as docs/scaling.md recommends for the session store:
 * commands fail fast while a master is unreachable (no offline queue, one attempt, a command
 * timeout), and the client keeps its slot map fresh by itself.
 */
export async function connectCluster(nodes: { host: string; port: number }[]): Promise<Cluster> {
  const client = new Cluster(nodes, {
    enableOfflineQueue: false,
    lazyConnect: true,
    slotsRefreshTimeout: 1_000,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 1_000, connectTimeout: 1_000 },
  })
  // A master going away is expected in these tests; the store reports it as 503s.
  client.on('error', () => {})
  await client.connect()
  return client
}
