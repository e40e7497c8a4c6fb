/**
 * Queries for FT.SEARCH and FT.AGGREGATE: a query string plus the PARAMS it refers to, and
 * what the reply will hold (which field carries the KNN distance, which fields are raw vector
 * bytes). `Query.knn` writes the vector-similarity syntax `filter=>[KNN k @field $param]`.
 *
 * @since 0.1.0
 */
import type { RespArg } from "@effect-valkey/core"
import * as Vector from "./Vector.ts"

/**
 * A parameter value: a string, a number, bytes, or a vector (sent as little-endian FLOAT32).
 *
 * @since 0.1.0
 * @category models
 */
export type ParamValue = string | number | Uint8Array | Float32Array | ReadonlyArray<number>

/**
 * A query string with its parameters, as FT.SEARCH takes them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Query {
  /** The query string, e.g. `*=>[KNN 3 @vec $BLOB]`. */
  readonly text: string
  /** `PARAMS` name/value pairs. */
  readonly params: ReadonlyArray<readonly [name: string, value: RespArg]>
  /** Fields whose values are read as bytes, not UTF-8: the vector field of a KNN query. */
  readonly binary: ReadonlyArray<string>
  /** The reply field holding the KNN distance (`__<field>_score`, or the `as` name). */
  readonly scoreField: string | undefined
  /** Why the query is unusable; a command built from it is never sent. */
  readonly invalid: string | undefined
}

/**
 * The value as sent: vectors as FLOAT32 bytes, the rest unchanged.
 *
 * @since 0.1.0
 * @category encoding
 */
export const paramArg = (value: ParamValue): RespArg =>
  typeof value === "string" || typeof value === "number" || value instanceof Uint8Array ? value : Vector.toBytes(value)

const paramList = (params: Readonly<Record<string, ParamValue>> | undefined): Array<readonly [string, RespArg]> =>
  params === undefined ? [] : Object.entries(params).map(([name, value]) => [name, paramArg(value)] as const)

/**
 * A query string, with the parameters it refers to as `$name`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (text: string, params?: Readonly<Record<string, ParamValue>>): Query => ({
  text,
  params: paramList(params),
  binary: [],
  scoreField: undefined,
  invalid: text === "" ? "the query must not be empty" : undefined
})

/**
 * A K-nearest-neighbours query: the vector field, how many neighbours, the vector, and an optional
 * filter.
 *
 * @since 0.1.0
 * @category models
 */
export interface KnnOptions {
  /** The vector attribute to search. */
  readonly field: string
  /** How many nearest neighbours. */
  readonly k: number
  readonly vector: Vector.VectorInput
  /** Pre-filter on other attributes, e.g. `@tag:{red}` or `@price:[10 20]`. Default `*`. */
  readonly filter?: string
  /** Name of the PARAMS entry holding the vector. Default `BLOB`. */
  readonly param?: string
  /** Name of the distance field in the reply (`AS`). Default `__<field>_score`. */
  readonly as?: string
  /** HNSW: vectors examined at query time (`EF_RUNTIME`). */
  readonly efRuntime?: number
  /** More parameters the filter refers to. */
  readonly params?: Readonly<Record<string, ParamValue>>
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * A K-nearest-neighbours query: `filter=>[KNN k @field $param [EF_RUNTIME n] [AS name]]` with
 * the vector in PARAMS. Results carry the distance as `score` and keep the vector field as
 * bytes (`Vector.fromBytes` reads it back).
 *
 * @since 0.1.0
 * @category constructors
 */
export const knn = (options: KnnOptions): Query => {
  const param = options.param ?? "BLOB"
  const invalid = badKnn(options, param)
  let text = `${options.filter ?? "*"}=>[KNN ${options.k} @${options.field} $${param}`
  if (options.efRuntime !== undefined) text += ` EF_RUNTIME ${options.efRuntime}`
  if (options.as !== undefined) text += ` AS ${options.as}`
  text += "]"
  return {
    text,
    params: [[param, Vector.toBytes(options.vector)], ...paramList(options.params)],
    binary: [options.field],
    scoreField: options.as ?? `__${options.field}_score`,
    invalid
  }
}

const badKnn = (options: KnnOptions, param: string): string | undefined => {
  if (!Number.isSafeInteger(options.k) || options.k < 1) return `k must be a positive integer, got ${options.k}`
  if (!NAME.test(options.field)) return `field must be an attribute name, got ${JSON.stringify(options.field)}`
  if (!NAME.test(param)) return `param must be a parameter name, got ${JSON.stringify(param)}`
  if (options.as !== undefined && !NAME.test(options.as)) return `as must be a name, got ${JSON.stringify(options.as)}`
  const length = options.vector.length
  if (length === 0 || (options.vector instanceof Uint8Array && length % 4 !== 0)) {
    return "vector must have at least one element (4 bytes each when given as bytes)"
  }
  if (options.efRuntime !== undefined && !(Number.isSafeInteger(options.efRuntime) && options.efRuntime >= 1)) {
    return `efRuntime must be a positive integer, got ${options.efRuntime}`
  }
  if (options.filter === "") return "filter must not be empty (use * for no filter)"
  return undefined
}
