/** One `CHATZY_*` error: @fastify/error's `FastifyError`, with its code and status as literal types. */
export interface ChatzyError<C extends string = string, S extends number = number> extends Error {
  code: C
  name: string
  statusCode: S
}

/**
 * The constructor of one `CHATZY_*` error: `new NoSession()`, `error instanceof NoSession`,
 * `.code`. The shape of @fastify/error's `FastifyErrorConstructor`, declared here so that the
 * core's types need no Fastify package.
 */
export interface ChatzyErrorConstructor<C extends string, S extends number> {
  new (...args: [unknown?, ...unknown[]]): ChatzyError<C, S>
  (...args: [unknown?, ...unknown[]]): ChatzyError<C, S>
  readonly prototype: ChatzyError<C, S>
}

/** The marks @fastify/error puts on its errors, so that Fastify (and `instanceof`) know ours as its own. */
const GENERIC = Symbol.for('fastify-error-generic')

/**
 * `@fastify/error`'s `createError`, the same errors (name `FastifyError`, `code`, `statusCode`,
 * `%s` in the message filled from the arguments, `{ cause }` as the last one), written for every
 * runtime: @fastify/error is CommonJS that requires `node:http` and `node:util`, which a Worker's
 * bundle cannot load.
 */
export function chatzyError<C extends string, S extends number>(code: C, message: string, statusCode: S): ChatzyErrorConstructor<C, S> {
  const specific = Symbol.for(`fastify-error ${code}`)

  function ChatzyError(this: Record<string | symbol, unknown> | undefined, ...args: unknown[]): unknown {
    if (!new.target) return new (ChatzyError as unknown as new (...a: unknown[]) => unknown)(...args)
    const self = this!
    self.code = code
    self.name = 'FastifyError'
    self.statusCode = statusCode
    const last = args[args.length - 1]
    if (typeof last === 'object' && last !== null && 'cause' in last) self.cause = (args.pop() as { cause: unknown }).cause
    self.message = message.replace(/%s/g, () => (args.length > 0 ? String(args.shift()) : '%s'))
    if (Error.stackTraceLimit) (Error as { captureStackTrace?: (target: object, at: unknown) => void }).captureStackTrace?.(self, ChatzyError)
    return undefined
  }

  ChatzyError.prototype = Object.create(Error.prototype, {
    constructor: { value: ChatzyError, enumerable: false, writable: true, configurable: true },
    [GENERIC]: { value: true },
    [specific]: { value: true },
    toString: {
      value(this: { name: string; code: string; message: string }) {
        return `${this.name} [${this.code}]: ${this.message}`
      },
      enumerable: false,
      writable: true,
      configurable: true,
    },
  })
  Object.defineProperty(ChatzyError, Symbol.hasInstance, {
    value: (instance: unknown) => typeof instance === 'object' && instance !== null && (instance as Record<symbol, unknown>)[specific] === true,
  })
  return ChatzyError as unknown as ChatzyErrorConstructor<C, S>
}
