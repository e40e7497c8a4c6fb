/**
 * FT.AGGREGATE's pipeline as data: what to LOAD, then stages (APPLY, FILTER, GROUPBY with
 * REDUCE, LIMIT, SORTBY) run in order, as the module's documentation describes them.
 *
 * @since 0.1.0
 */
import type { RespArg } from "@effect-valkey/core"

/**
 * A reducer of GROUPBY: `REDUCE fn n arg… [AS name]`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reducer {
  /** `COUNT`, `COUNT_DISTINCT`, `COUNT_DISTINCTISH`, `SUM`, `MIN`, `MAX`, `AVG`, `STDDEV`, `FIRST_VALUE`, `RANDOM_SAMPLE`, … */
  readonly fn: string
  readonly args?: ReadonlyArray<string | number>
  readonly as?: string
}

/**
 * One processing stage.
 *
 * @since 0.1.0
 * @category models
 */
export type Stage =
  | { readonly apply: string; readonly as: string }
  | { readonly filter: string }
  | { readonly groupBy: ReadonlyArray<string>; readonly reduce?: ReadonlyArray<Reducer> }
  | { readonly limit: { readonly offset: number; readonly count: number } }
  | {
      readonly sortBy: ReadonlyArray<string | { readonly by: string; readonly order: "ASC" | "DESC" }>
      readonly max?: number
    }

/**
 * `APPLY expression AS name`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const apply = (expression: string, as: string): Stage => ({ apply: expression, as })

/**
 * `FILTER expression`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const filter = (expression: string): Stage => ({ filter: expression })

/**
 * `GROUPBY n @field… [REDUCE …]…`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const groupBy = (fields: ReadonlyArray<string>, reduce: ReadonlyArray<Reducer> = []): Stage => ({
  groupBy: fields,
  reduce
})

/**
 * `LIMIT offset count`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const limit = (offset: number, count: number): Stage => ({ limit: { offset, count } })

/**
 * `SORTBY n expr [ASC|DESC]… [MAX n]`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sortBy = (
  by: ReadonlyArray<string | { readonly by: string; readonly order: "ASC" | "DESC" }>,
  max?: number
): Stage => (max === undefined ? { sortBy: by } : { sortBy: by, max })

const badCount = (n: number, what: string, min: number): string | undefined =>
  Number.isSafeInteger(n) && n >= min ? undefined : `${what} must be an integer >= ${min}, got ${n}`

/**
 * Appends the arguments of the stages to `out`, or returns why one is unusable.
 *
 * @since 0.1.0
 * @category encoding
 */
export const pushStages = (out: Array<RespArg>, stages: ReadonlyArray<Stage>): string | undefined => {
  for (const stage of stages) {
    if ("apply" in stage) {
      out.push("APPLY", stage.apply, "AS", stage.as)
    } else if ("filter" in stage) {
      out.push("FILTER", stage.filter)
    } else if ("groupBy" in stage) {
      out.push("GROUPBY", stage.groupBy.length, ...stage.groupBy)
      for (const reducer of stage.reduce ?? []) {
        const args = reducer.args ?? []
        out.push("REDUCE", reducer.fn, args.length, ...args)
        if (reducer.as !== undefined) out.push("AS", reducer.as)
      }
    } else if ("limit" in stage) {
      const bad = badCount(stage.limit.offset, "limit offset", 0) ?? badCount(stage.limit.count, "limit count", 0)
      if (bad !== undefined) return bad
      out.push("LIMIT", stage.limit.offset, stage.limit.count)
    } else {
      const keys: Array<string> = []
      for (const key of stage.sortBy) {
        if (typeof key === "string") keys.push(key)
        else keys.push(key.by, key.order)
      }
      out.push("SORTBY", keys.length, ...keys)
      if (stage.max !== undefined) {
        const bad = badCount(stage.max, "sortBy max", 1)
        if (bad !== undefined) return bad
        out.push("MAX", stage.max)
      }
    }
  }
  return undefined
}
