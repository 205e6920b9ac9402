/**
 * What a check needs from a browser, written once for every engine: Firefox (puppeteer-core over
 * WebDriver BiDi) and WebKit (a W3C WebDriver session of WebKitGTK's MiniBrowser).
 */

/** Keys a check presses, as a user would. */
export type Key = 'Tab' | 'Shift+Tab' | 'Enter' | 'Escape' | 'Space' | 'PageDown'

/** A function run in the page: plain JavaScript, its arguments and result JSON values. */
export type PageFunction<A extends unknown[], R> = (...args: A) => R | Promise<R>

export interface Page {
  goto(url: string): Promise<void>
  reload(): Promise<void>
  /** Runs `fn` in the page's top document. */
  evaluate<A extends unknown[], R>(fn: PageFunction<A, R>, ...args: A): Promise<R>
  /** Runs `fn` in the document of the element's iframe (cross-origin: Chatzy's). */
  evaluateInAgentFrame<A extends unknown[], R>(fn: PageFunction<A, R>, ...args: A): Promise<R>
  /** Moves the mouse to a point of the viewport (CSS px). */
  hover(x: number, y: number): Promise<void>
  click(x: number, y: number): Promise<void>
  /** Presses a key; `inAgentFrame` when the focus is in the element's iframe. */
  press(key: Key, options?: { inAgentFrame?: boolean }): Promise<void>
  type(text: string, options?: { inAgentFrame?: boolean }): Promise<void>
}

export interface ContextOptions {
  /** The viewport's size, as near as the engine allows (WebKitGTK's window is at least 447 px wide). */
  viewport?: { width: number; height: number }
  /** The user's system asks for reduced motion. */
  reducedMotion?: boolean
}

/** A fresh profile: no cookies, no storage; its pages are tabs of one browser window group. */
export interface Context {
  newPage(): Promise<Page>
  close(): Promise<void>
}

export interface Engine {
  /** "Firefox 153.8.0", "WebKitGTK 2.50.6". */
  readonly title: string
  newContext(options?: ContextOptions): Promise<Context>
  close(): Promise<void>
}

/**
 * The expression that runs `fn` in a page and gives back its result as JSON text (the same
 * serialization in both engines). `__name` is the helper tsx's keepNames would call in `fn`.
 */
export function pageScript(fn: PageFunction<unknown[], unknown>, args: unknown[]): string {
  return `(async () => { const __name = (f) => f; const value = await (${fn.toString()})(...${JSON.stringify(args)}); return JSON.stringify({ value }) })()`
}

export function fromPage<R>(json: unknown): R {
  return (JSON.parse(json as string) as { value: R }).value
}
