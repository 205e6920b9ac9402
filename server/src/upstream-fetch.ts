import { ExchangeFailed, type Answer, type Endpoint, type ExchangeFailure, type UpstreamTransport } from './upstream-exchange.js'

/**
 * POSTs JSON to Chatzy with the runtime's own `fetch` (Workers, Bun, Deno, Node), for the
 * fetch adapter, which may load no undici. The same contract as `upstream-http.ts`: within
 * `timeoutMs` in all, answers over `limit` bytes cut off unread, redirects refused (the API
 * key must go to `apiUrl` and nowhere else). The runtime pools connections itself.
 */
export function upstreamFetch(): UpstreamTransport {
  function endpoint(url: URL): Endpoint {
    return { origin: url.origin, path: `${url.pathname}${url.search}` }
  }

  async function post(target: Endpoint, payload: string, timeoutMs: number, limit: number): Promise<Answer> {
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    const failed = (failure: ExchangeFailure) => new ExchangeFailed(failure)
    try {
      let response: Response
      try {
        response = await fetch(`${target.origin}${target.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: payload,
          redirect: 'manual',
          signal: controller.signal,
        })
      } catch (error) {
        throw timedOut ? failed({ kind: 'timeout' }) : failed({ kind: 'network', code: codeOf(error) })
      }
      const { status } = response
      const retryAfter = response.headers.get('retry-after') ?? undefined
      // `redirect: 'manual'` answers a redirect as is (or, in a browser-like fetch, as an opaque 0).
      if ((status >= 300 && status < 400) || response.type === 'opaqueredirect') {
        void response.body?.cancel().catch(() => {})
        throw failed({ kind: 'redirect' })
      }
      if (Number(response.headers.get('content-length')) > limit) {
        void response.body?.cancel().catch(() => {})
        throw failed({ kind: 'too-large' })
      }
      const text = await readLimited(response, limit, () => timedOut)
      return { status, text, ...(retryAfter !== undefined && { retryAfter }) }
    } finally {
      clearTimeout(timer)
    }
  }

  return { endpoint, post, close: () => {} }
}

/** The answer's body as text, cut off past `limit` bytes without reading the rest. */
async function readLimited(response: Response, limit: number, timedOut: () => boolean): Promise<string> {
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > limit) {
        void reader.cancel().catch(() => {})
        throw new ExchangeFailed({ kind: 'too-large' })
      }
      text += decoder.decode(value, { stream: true })
    }
  } catch (error) {
    if (error instanceof ExchangeFailed) throw error
    throw new ExchangeFailed(timedOut() ? { kind: 'timeout' } : { kind: 'network', code: codeOf(error) })
  }
  return text + decoder.decode()
}

/** A network error's system code (ECONNREFUSED, UND_ERR_SOCKET…), which says nothing of the request. */
function codeOf(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause
  const code = cause?.code ?? (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}
