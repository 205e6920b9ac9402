import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

/** Why an upstream exchange produced no answer to read. */
export type ExchangeFailure =
  | { kind: 'timeout' }
  | { kind: 'network'; code: string | undefined }
  | { kind: 'too-large' }
  | { kind: 'redirect' }

export class ExchangeFailed extends Error {
  constructor(readonly failure: ExchangeFailure) {
    super(failure.kind)
  }
}

export interface Answer {
  status: number
  text: string
}

/**
 * POSTs JSON to Chatzy over a keep-alive connection pool of its own (the settings of Node's
 * global agent), and reads the answer as text: the plain `node:http` client, as a token
 * exchange is one small request and one small answer, with no use for fetch's web streams,
 * abort signals and per-request objects.
 *
 * Within `timeoutMs` in all, or the exchange is cut off. Answers over `limit` bytes are cut
 * off unread. Redirects are refused: the API key must go to `apiUrl` and nowhere else.
 */
export function upstreamHttp(base: URL) {
  const secure = base.protocol === 'https:'
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 })
    : new HttpAgent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 })
  const send = secure ? httpsRequest : httpRequest

  function post(url: URL, payload: string, timeoutMs: number, limit: number): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      let settled = false
      const finish = (error: ExchangeFailed | undefined, answer?: Answer) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (error === undefined) resolve(answer!)
        else {
          request.destroy()
          reject(error)
        }
      }
      const request = send(url, {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      })
      const timer = setTimeout(() => finish(new ExchangeFailed({ kind: 'timeout' })), timeoutMs)
      request.on('error', (error: NodeJS.ErrnoException) => finish(new ExchangeFailed({ kind: 'network', code: error.code })))
      request.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0
        if (status >= 300 && status < 400) return finish(new ExchangeFailed({ kind: 'redirect' }))
        if (Number(response.headers['content-length']) > limit) return finish(new ExchangeFailed({ kind: 'too-large' }))
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.byteLength
          if (size > limit) return finish(new ExchangeFailed({ kind: 'too-large' }))
          chunks.push(chunk)
        })
        response.on('end', () => finish(undefined, { status, text: Buffer.concat(chunks, size).toString('utf8') }))
        // Closed before its end: the connection dropped mid-answer.
        response.on('close', () => finish(new ExchangeFailed({ kind: 'network', code: 'ECONNRESET' })))
        response.on('error', (error: NodeJS.ErrnoException) => finish(new ExchangeFailed({ kind: 'network', code: error.code })))
      })
      request.end(payload)
    })
  }

  return {
    post,
    /** Closes the pooled connections (when the app closes). */
    close: () => agent.destroy(),
  }
}
