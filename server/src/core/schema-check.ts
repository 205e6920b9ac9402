import type { Static, TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { Value } from '@sinclair/typebox/value'

export interface SchemaCheck<T extends TSchema> {
  Check(value: unknown): value is Static<T>
  /** The first error, as `path message` (`/expires_at Expected integer`), or undefined. */
  firstError(value: unknown): { path: string; message: string } | undefined
}

/**
 * A TypeBox schema's checker, compiled on first use where the runtime allows code generation,
 * and interpreted (`Value.Check`, the same verdicts) where it is refused: Cloudflare Workers
 * and Vercel Edge refuse `new Function`, which `TypeCompiler` needs. Lazily, so that merely
 * importing a module on those runtimes never fails.
 */
export function schemaCheck<T extends TSchema>(schema: T): SchemaCheck<T> {
  let check: ((value: unknown) => boolean) | undefined
  const compiled = (): ((value: unknown) => boolean) => {
    if (check !== undefined) return check
    try {
      const compiledCheck = TypeCompiler.Compile(schema)
      check = (value) => compiledCheck.Check(value)
    } catch {
      check = (value) => Value.Check(schema, value)
    }
    return check
  }
  return {
    Check: (value: unknown): value is Static<T> => compiled()(value),
    firstError(value) {
      const first = Value.Errors(schema, value).First()
      return first === undefined ? undefined : { path: first.path, message: first.message }
    },
  }
}
