/**
 * The two path syntaxes of valkey-json, told apart by their first character exactly as the
 * module tells them apart: a path starting with `$` is JSONPath ("enhanced" syntax) and its
 * replies hold one entry per match; any other path (`.a`, `a.b`, `[0]`, `.`) is the legacy
 * ("restricted") syntax and its replies hold a single value. The types follow the same rule on
 * string literals, so `Json.numIncrBy(key, "$.a", 1)` is a `Command<Array<number | null>>` and
 * `Json.numIncrBy(key, ".a", 1)` a `Command<number>`; a path typed only as `string` gives the
 * union of both.
 *
 * @since 0.1.0
 */

/**
 * A JSONPath: starts with `$`; a command on it answers one entry per matched value.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonPath = `$${string}`

/**
 * Any path: a `JsonPath` or a legacy path.
 *
 * @since 0.1.0
 * @category models
 */
export type Path = string

/**
 * `J` for a JSONPath literal, `L` for a legacy path literal, `J | L` for a path whose text the
 * compiler does not know.
 *
 * @since 0.1.0
 * @category models
 */
export type ByPath<P extends string, J, L> = string extends P ? J | L : P extends JsonPath ? J : L

/**
 * `J` when any of the paths is a JSONPath (the module then answers every path in JSONPath
 * form), `L` when all are legacy paths.
 *
 * @since 0.1.0
 * @category models
 */
export type ByPaths<Ps extends ReadonlyArray<string>, J, L> = [Extract<Ps[number], JsonPath>] extends [never]
  ? string extends Ps[number]
    ? J | L
    : L
  : J

/**
 * The root of the document in legacy syntax (the module's default path): replies are single
 * values.
 *
 * @since 0.1.0
 * @category constants
 */
export const root = "." as const

/**
 * The root of the document as a JSONPath: replies are arrays with one entry.
 *
 * @since 0.1.0
 * @category constants
 */
export const jsonRoot = "$" as const

/**
 * Whether the module reads `path` as a JSONPath (it starts with `$`).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isJsonPath = (path: string): path is JsonPath => path.charCodeAt(0) === 36 /* $ */

/**
 * Whether any of the paths is a JSONPath, which makes the module answer all of them in
 * JSONPath form.
 *
 * @since 0.1.0
 * @category predicates
 */
export const anyJsonPath = (paths: ReadonlyArray<string>): boolean => paths.some(isJsonPath)

/**
 * A JSONPath literal, checked by the compiler to start with `$` (identity at run time).
 *
 * @since 0.1.0
 * @category constructors
 */
export const jsonPath = <const P extends JsonPath>(path: P): P => path

/**
 * A legacy path literal, checked by the compiler not to start with `$` (identity at run time).
 *
 * @since 0.1.0
 * @category constructors
 */
export const legacy = <const P extends string>(path: P extends JsonPath ? never : P): P => path as P
