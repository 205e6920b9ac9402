import { Agent, type Dispatcher } from 'undici'
import { ExchangeFailed, type Answer, type Endpoint, type ExchangeFailure, type UpstreamTransport } from './upstream-exchange.js'


/**
 * POSTs JSON to Chatzy with undici, and reads the answer as text. Through the host's
 * `dispatcher` when it gives one (an egress proxy, its own CA, a test double), otherwise over a
 * keep-alive pool of our own. Driven by undici's dispatch handler rather than its streams: a
 * token exchange is one small request and one small answer, and a handler sees each chunk as it
 * comes, so an oversized answer is cut off without being buffered.
 *
 * Within `timeoutMs` in all, or the exchange is cut off. Answers over `limit` bytes are cut
 * off unread. Redirects are refused: the API key must go to `apiUrl` and nowhere else.
 */
export function upstreamHttp(dispatcher?: Dispatcher, connectTimeoutMs = 10_000): UpstreamTransport {
  // A connect that outlives the caller's deadline would only hold a socket nobody waits for.
  const own = dispatcher === undefined ? new Agent({ keepAliveTimeout: 5_000, connect: { timeout: connectTimeoutMs } }) : undefined
  const via = dispatcher ?? own!

  function endpoint(url: URL): Endpoint {
    return { origin: url.origin, path: `${url.pathname}${url.search}` }
  }

  function post(target: Endpoint, payload: string, timeoutMs: number, limit: number): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      let settled = false
      let controller: Dispatcher.DispatchController | undefined
      let status = 0
      let retryAfter: string | undefined
      let size = 0
      const chunks: Buffer[] = []
      const succeed = (answer: Answer) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(answer)
      }
      // Late events (an error after a cut-off) find the exchange settled.
      const fail = (failure: ExchangeFailure) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        controller?.abort(new ExchangeFailed(failure))
        reject(new ExchangeFailed(failure))
      }
      const timer = setTimeout(() => fail({ kind: 'timeout' }), timeoutMs)
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(started) {
          // Its deadline passed while it waited for a connection: throwing here drops it from
          // the queue and leaves the connection to the next request (aborting would close it).
          if (settled) throw new ExchangeFailed({ kind: 'timeout' })
          controller = started
        },
        onResponseStart(_controller, statusCode, headers) {
          status = statusCode
          const header = headers['retry-after']
          if (typeof header === 'string') retryAfter = header
          if (statusCode >= 300 && statusCode < 400) return fail({ kind: 'redirect' })
          if (Number(headers['content-length']) > limit) fail({ kind: 'too-large' })
        },
        onResponseData(_controller, chunk) {
          size += chunk.byteLength
          if (size > limit) return fail({ kind: 'too-large' })
          chunks.push(chunk)
        },
        onResponseEnd() {
          succeed({ status, text: Buffer.concat(chunks, size).toString('utf8'), ...(retryAfter !== undefined && { retryAfter }) })
        },
        onResponseError(_controller, error) {
          fail({ kind: 'network', code: (error as NodeJS.ErrnoException).code })
        },
      }
      const request = {
        origin: target.origin,
        path: target.path,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: payload,
      }
      try {
        via.dispatch(request, handler)
      } catch (error) {
        // A host dispatcher may throw instead of reporting through the handler.
        fail({ kind: 'network', code: (error as NodeJS.ErrnoException | null)?.code })
      }
    })
  }

  return {
    endpoint,
    post,
    // Our own pooled connections only: a host's dispatcher is the host's to close.
    close: () => {
      void own?.destroy()
    },
  }
}
