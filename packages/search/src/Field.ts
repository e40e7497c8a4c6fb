/**
 * Field definitions of an index schema: `TAG`, `NUMERIC`, `TEXT` and `VECTOR` (HNSW or FLAT),
 * each a plain value that knows its `FT.CREATE` arguments and why it would be refused.
 *
 * @since 0.1.0
 */
import type { RespArg } from "@effect-valkey/core"

/**
 * How vector distances are computed.
 *
 * @since 0.1.0
 * @category models
 */
export type DistanceMetric = "L2" | "IP" | "COSINE"

/**
 * Element type of a vector. FLOAT32 is the type of every released module version; FLOAT16 and
 * BFLOAT16 are documented from module 1.3.
 *
 * @since 0.1.0
 * @category models
 */
export type VectorType = "FLOAT32" | "FLOAT16" | "BFLOAT16"

const METRICS: ReadonlySet<string> = new Set<DistanceMetric>(["L2", "IP", "COSINE"])
const TYPES: ReadonlySet<string> = new Set<VectorType>(["FLOAT32", "FLOAT16", "BFLOAT16"])
/** The module's bounds (valkey.io FT.CREATE): DIM 1..32768, M ≤ 512, EF_* ≤ 4096. */
const MAX_DIM = 32768
const MAX_M = 512
const MAX_EF = 4096

/**
 * Options every field has. `path` is the identifier in the key (a hash field name, or a JSON
 * path such as `$.vec`) when it differs from the attribute name, which is then sent as `AS`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Common {
  readonly path?: string
}

/**
 * `SORTABLE` (module 1.2 on; accepted for TAG, NUMERIC and TEXT).
 *
 * @since 0.1.0
 * @category models
 */
export interface Sortable {
  readonly sortable?: boolean
}

/**
 * A TAG field: exact-match values, split on a separator.
 *
 * @since 0.1.0
 * @category models
 */
export interface TagField extends Common, Sortable {
  readonly _tag: "Tag"
  /** One character, such as `,` (the module's default) or `|`. */
  readonly separator?: string
  readonly caseSensitive?: boolean
}

/**
 * A NUMERIC field: numbers, queried by range.
 *
 * @since 0.1.0
 * @category models
 */
export interface NumericField extends Common, Sortable {
  readonly _tag: "Numeric"
}

/**
 * A full-text field (module 1.2 and later).
 *
 * @since 0.1.0
 * @category models
 */
export interface TextField extends Common, Sortable {
  readonly _tag: "Text"
  readonly noStem?: boolean
  readonly suffixTrie?: boolean
}

/**
 * Attributes both vector algorithms have.
 *
 * @since 0.1.0
 * @category models
 */
export interface VectorCommon extends Common {
  readonly dim: number
  readonly metric: DistanceMetric
  /** Default `FLOAT32`. */
  readonly type?: VectorType
  readonly initialCap?: number
}

/**
 * An HNSW vector field: approximate and fast.
 *
 * @since 0.1.0
 * @category models
 */
export interface HnswField extends VectorCommon {
  readonly _tag: "Hnsw"
  readonly m?: number
  readonly efConstruction?: number
  readonly efRuntime?: number
}

/**
 * A FLAT vector field: exact, brute force.
 *
 * @since 0.1.0
 * @category models
 */
export interface FlatField extends VectorCommon {
  readonly _tag: "Flat"
  /** Accepted by the module's FT.CREATE parser and reported by FT.INFO (`block_size`). */
  readonly blockSize?: number
}

/**
 * A vector field, HNSW or FLAT.
 *
 * @since 0.1.0
 * @category models
 */
export type VectorField = HnswField | FlatField

/**
 * Any field of an index schema.
 *
 * @since 0.1.0
 * @category models
 */
export type Field = TagField | NumericField | TextField | VectorField

/**
 * A schema: attribute name → field, in the order they are sent.
 *
 * @since 0.1.0
 * @category models
 */
export type Schema = Readonly<Record<string, Field>>

type Options<F> = Omit<F, "_tag">

/**
 * `TAG [SEPARATOR sep] [CASESENSITIVE]`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tag = (options: Options<TagField> = {}): TagField => ({ _tag: "Tag", ...options })

/**
 * `NUMERIC`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const numeric = (options: Options<NumericField> = {}): NumericField => ({ _tag: "Numeric", ...options })

/**
 * `TEXT [NOSTEM] [WITHSUFFIXTRIE | NOSUFFIXTRIE]`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (options: Options<TextField> = {}): TextField => ({ _tag: "Text", ...options })

/**
 * Vector fields: `Field.vector.hnsw({ dim, metric, m, … })`, `Field.vector.flat({ dim, metric })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const vector = {
  /** `VECTOR HNSW n TYPE t DIM d DISTANCE_METRIC m [INITIAL_CAP] [M] [EF_CONSTRUCTION] [EF_RUNTIME]`. */
  hnsw: (options: Options<HnswField>): HnswField => ({ _tag: "Hnsw", ...options }),
  /** `VECTOR FLAT n TYPE t DIM d DISTANCE_METRIC m [INITIAL_CAP] [BLOCK_SIZE]`. */
  flat: (options: Options<FlatField>): FlatField => ({ _tag: "Flat", ...options })
} as const

const badCount = (n: number | undefined, what: string, min: number, max: number): string | undefined =>
  n === undefined || (Number.isSafeInteger(n) && n >= min && n <= max)
    ? undefined
    : `${what} must be an integer from ${min} to ${max}, got ${n}`

/**
 * Appends `identifier [AS name] TYPE …` for one field to `out`, or returns why it is refused.
 *
 * @since 0.1.0
 * @category encoding
 */
export const pushArgs = (out: Array<RespArg>, name: string, field: Field): string | undefined => {
  if (name === "") return "a field name must not be empty"
  if (field.path !== undefined && field.path !== name) {
    if (field.path === "") return `field ${name}: path must not be empty`
    out.push(field.path, "AS", name)
  } else {
    out.push(name)
  }
  switch (field._tag) {
    case "Numeric":
      out.push("NUMERIC")
      if (field.sortable === true) out.push("SORTABLE")
      return undefined
    case "Tag": {
      out.push("TAG")
      if (field.separator !== undefined) {
        // One character; the documented list is not exhaustive (the module took `|`).
        if ([...field.separator].length !== 1) {
          return `field ${name}: separator must be one character, got ${JSON.stringify(field.separator)}`
        }
        out.push("SEPARATOR", field.separator)
      }
      if (field.caseSensitive === true) out.push("CASESENSITIVE")
      if (field.sortable === true) out.push("SORTABLE")
      return undefined
    }
    case "Text":
      out.push("TEXT")
      if (field.noStem === true) out.push("NOSTEM")
      if (field.suffixTrie !== undefined) out.push(field.suffixTrie ? "WITHSUFFIXTRIE" : "NOSUFFIXTRIE")
      if (field.sortable === true) out.push("SORTABLE")
      return undefined
    case "Hnsw":
    case "Flat":
      return pushVector(out, name, field)
  }
}

const pushVector = (out: Array<RespArg>, name: string, field: VectorField): string | undefined => {
  const type = field.type ?? "FLOAT32"
  if (!TYPES.has(type)) return `field ${name}: type must be FLOAT32, FLOAT16 or BFLOAT16, got ${String(type)}`
  if (!METRICS.has(field.metric)) return `field ${name}: metric must be L2, IP or COSINE, got ${String(field.metric)}`
  const bad =
    badCount(field.dim, `field ${name}: dim`, 1, MAX_DIM) ??
    badCount(field.initialCap, `field ${name}: initialCap`, 1, 2 ** 32)
  if (bad !== undefined) return bad
  const attributes: Array<RespArg> = ["TYPE", type, "DIM", field.dim, "DISTANCE_METRIC", field.metric]
  if (field.initialCap !== undefined) attributes.push("INITIAL_CAP", field.initialCap)
  if (field._tag === "Hnsw") {
    const badHnsw =
      badCount(field.m, `field ${name}: m`, 1, MAX_M) ??
      badCount(field.efConstruction, `field ${name}: efConstruction`, 1, MAX_EF) ??
      badCount(field.efRuntime, `field ${name}: efRuntime`, 1, MAX_EF)
    if (badHnsw !== undefined) return badHnsw
    if (field.m !== undefined) attributes.push("M", field.m)
    if (field.efConstruction !== undefined) attributes.push("EF_CONSTRUCTION", field.efConstruction)
    if (field.efRuntime !== undefined) attributes.push("EF_RUNTIME", field.efRuntime)
    out.push("VECTOR", "HNSW", attributes.length, ...attributes)
  } else {
    const badFlat = badCount(field.blockSize, `field ${name}: blockSize`, 1, 2 ** 32)
    if (badFlat !== undefined) return badFlat
    if (field.blockSize !== undefined) attributes.push("BLOCK_SIZE", field.blockSize)
    out.push("VECTOR", "FLAT", attributes.length, ...attributes)
  }
  return undefined
}
