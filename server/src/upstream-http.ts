import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { urlToHttpOptions } from 'node:url'

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

export type Endpoint = ReturnType<ReturnType<typeof upstreamHttp>['endpoint']>

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

  /** Where to POST, worked out once per endpoint rather than per call. */
  function endpoint(url: URL) {
    const { protocol, hostname, port, path } = urlToHttpOptions(url)
    return { protocol, hostname, port, path, method: 'POST', agent }
  }

  function post(target: Endpoint, payload: string, timeoutMs: number, limit: number): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      let settled = false
      const succeed = (answer: Answer) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(answer)
      }
      // Late events (a close after the end, an error after a cut-off) find the exchange settled.
      const fail = (failure: ExchangeFailure) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        request.destroy()
        reject(new ExchangeFailed(failure))
      }
      const request = send({
        ...target,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      })
      const timer = setTimeout(() => fail({ kind: 'timeout' }), timeoutMs)
      request.on('error', (error: NodeJS.ErrnoException) => fail({ kind: 'network', code: error.code }))
      request.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0
        if (status >= 300 && status < 400) return fail({ kind: 'redirect' })
        if (Number(response.headers['content-length']) > limit) return fail({ kind: 'too-large' })
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.byteLength
          if (size > limit) return fail({ kind: 'too-large' })
          chunks.push(chunk)
        })
        response.on('end', () => succeed({ status, text: Buffer.concat(chunks, size).toString('utf8') }))
        // Closed before its end: the connection dropped mid-answer.
        response.on('close', () => fail({ kind: 'network', code: 'ECONNRESET' }))
        response.on('error', (error: NodeJS.ErrnoException) => fail({ kind: 'network', code: error.code }))
      })
      request.end(payload)
    })
  }

  return {
    endpoint,
    post,
    /** Closes the pooled connections (when the app closes). */
    close: () => agent.destroy(),
  }
}
