/**
 * Hostnames of this machine, as URL and Fastify spell them. Plain http to them never crosses a
 * network: the only place where a Secure cookie may be skipped, or an http `apiUrl` is fine.
 */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

export function isLoopback(hostname: string): boolean {
  return LOOPBACK.has(hostname)
}
