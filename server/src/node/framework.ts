import type { IncomingMessage } from 'node:http'
import { hostnameOf } from '../core/host.js'

/** What Express (or another framework) may have put on the request before us. */
interface Framed {
  body?: unknown
  host?: unknown
  hostname?: unknown
  protocol?: unknown
  /** Set by Express 4's body-parser (1.x) on a body it read. */
  _body?: unknown
  /** Express 4 only (removed in 5): tells the two apart without touching a deprecated getter. */
  param?: unknown
}

/**
 * The authority the request was for, as the default allowed origin compares it with `Origin`:
 * Express 5's `req.host` (its `trust proxy` counts, the port kept); on Express 4, whose
 * `req.host` is a deprecated alias of `hostname` with no port, `req.hostname` with the port of
 * the Host header when that header names the same host; elsewhere, the Host header.
 */
export function hostOf(req: IncomingMessage, header: string | undefined): string | undefined {
  const framed = req as IncomingMessage & Framed
  if (typeof framed.hostname !== 'string') return header
  if (typeof framed.param !== 'function') return typeof framed.host === 'string' ? framed.host : header
  if (header === undefined) return framed.hostname
  const port = /:(\d+)$/.exec(header)?.[1]
  return port !== undefined && hostnameOf(header) === framed.hostname ? `${framed.hostname}:${port}` : framed.hostname
}

/**
 * The body a parser of the host already made, or undefined when none did and the stream is
 * still ours to read. Express 4's body-parser puts a placeholder `{}` on every request it did
 * not read (another content type, say) and marks those it read with `_body`; body-parser 2
 * leaves an unread body undefined.
 */
export function parsedBody(req: IncomingMessage): unknown {
  const framed = req as IncomingMessage & Framed
  const { body } = framed
  if (body === undefined) return undefined
  const placeholder = framed._body !== true && isEmptyObject(body) && !req.readableDidRead
  return placeholder ? undefined : body
}

/** The protocol Express saw (its `trust proxy` counts), or what the socket says. */
export function protocolOf(req: IncomingMessage): 'http' | 'https' {
  const { protocol } = req as IncomingMessage & Framed
  if (protocol === 'https' || protocol === 'http') return protocol
  return (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'
}

/** The host name Express saw (its `trust proxy` counts), or the Host header's. */
export function hostnameFor(req: IncomingMessage, header: string | undefined): string {
  const { hostname } = req as IncomingMessage & Framed
  return typeof hostname === 'string' ? hostname : hostnameOf(header)
}

function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  for (const _ in value) return false
  return true
}
