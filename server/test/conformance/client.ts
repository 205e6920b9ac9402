/** A browser's calls to the routes over a real socket, with the session cookie kept as a browser keeps it. */
export interface Answer {
  status: number
  headers: Headers
  /** The parsed JSON body, or undefined for none. */
  json: Record<string, unknown> | undefined
  text: string
  /** The Set-Cookie lines, each on its own. */
  cookies: string[]
}

export interface CallOptions {
  user?: string
  body?: unknown
  /** Sent as is instead of `body`'s JSON. */
  raw?: string
  headers?: Record<string, string>
  /** Leave the browser's usual `Content-Type` and `X-Chatzy-Agent` out. */
  bare?: boolean
}

export function browser(url: string) {
  const jar = new Map<string, string>()

  async function call(method: 'POST' | 'DELETE' | 'GET', path: string, options: CallOptions = {}, at = url): Promise<Answer> {
    const headers: Record<string, string> = options.bare ? {} : { 'content-type': 'application/json', 'x-chatzy-agent': '1' }
    if (options.user !== undefined) headers['x-test-user'] = options.user
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    Object.assign(headers, options.headers)
    const body = options.raw ?? (options.body === undefined ? (method === 'DELETE' ? undefined : '{}') : JSON.stringify(options.body))
    const response = await fetch(`${at}${path}`, { method, headers, ...(body !== undefined && { body }) })
    const cookies = response.headers.getSetCookie()
    for (const line of cookies) {
      const [pair] = line.split(';')
      const at = pair!.indexOf('=')
      const name = pair!.slice(0, at)
      const value = pair!.slice(at + 1)
      if (value === '' || /max-age=0/i.test(line)) jar.delete(name)
      else jar.set(name, value)
    }
    const text = await response.text()
    let json: Record<string, unknown> | undefined
    try {
      json = text === '' ? undefined : JSON.parse(text) as Record<string, unknown>
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, json, text, cookies }
  }

  return {
    call,
    jar,
    startSession: (user: string, body: unknown = {}, options: CallOptions = {}) => call('POST', '/chatzy/session', { user, body, ...options }),
    refresh: (user: string | undefined, body: unknown = {}, options: CallOptions = {}) => call('POST', '/chatzy/refresh', { ...(user !== undefined && { user }), body, ...options }),
    endSession: (options: CallOptions = {}) => call('DELETE', '/chatzy/session', options),
  }
}

export type Browser = ReturnType<typeof browser>
