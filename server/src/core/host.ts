/**
 * The host name of an authority (`host:port`), without its port. `[::1]:3000` keeps its
 * brackets, as URL and Fastify spell it.
 */
export function hostnameOf(host: string | undefined): string {
  if (host === undefined) return ''
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '')
}
