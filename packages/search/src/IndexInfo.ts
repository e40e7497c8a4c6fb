/**
 * FT.INFO's reply as a typed value. The module sends a flat list of names and values in RESP2
 * and in RESP3 alike (no RESP3 map), with nested lists for the definition, the attributes and a
 * vector attribute's index; counts arrive as bulk strings ("4") or integers. Not every name has
 * a value: 1.0.3 writes a case-sensitive TAG attribute as `… SEPARATOR | CASESENSITIVE size 0`.
 * Every name/value is also kept as sent in `fields`, since module versions add fields; a name
 * the decoder does not know never makes the reply fail to decode.
 *
 * @since 0.1.0
 */
import { Command, Reply, type RespValue } from "@effect-valkey/core"

/**
 * A value of FT.INFO as sent: text, an integer, or a list.
 *
 * @since 0.1.0
 * @category models
 */
export type InfoValue = string | number | null | ReadonlyArray<InfoValue>

/**
 * The HNSW or FLAT parameters of a vector attribute.
 *
 * @since 0.1.0
 * @category models
 */
export interface VectorAlgorithmInfo {
  readonly name: string
  readonly m?: number
  readonly efConstruction?: number
  readonly efRuntime?: number
  readonly blockSize?: number
}

/**
 * The vector index settings of an attribute in FT.INFO.
 *
 * @since 0.1.0
 * @category models
 */
export interface VectorIndexInfo {
  readonly capacity: number
  readonly dimensions: number
  readonly distanceMetric: string
  /** Vectors indexed. */
  readonly size: number
  readonly dataType: string
  readonly algorithm: VectorAlgorithmInfo
}

/**
 * One indexed attribute in FT.INFO: where it is read from, the name queries use, its type.
 *
 * @since 0.1.0
 * @category models
 */
export interface AttributeInfo {
  /** Hash field name or JSON path. */
  readonly identifier: string
  /** The name queries use. */
  readonly attribute: string
  /** `TAG`, `NUMERIC`, `TEXT` or `VECTOR`. */
  readonly type: string
  /** Keys with this attribute. */
  readonly size?: number
  readonly separator?: string
  readonly caseSensitive?: boolean
  /** TEXT (module 1.2 on): the field's weight, and whether stemming / a suffix trie are off / on. */
  readonly weight?: number
  readonly noStem?: boolean
  readonly withSuffixTrie?: boolean
  readonly vector?: VectorIndexInfo
  readonly fields: Readonly<Record<string, InfoValue>>
}

/**
 * The reply of FT.INFO: the index's definition and attributes, document counts and backfill state.
 *
 * @since 0.1.0
 * @category models
 */
export interface IndexInfo {
  readonly name: string
  readonly keyType: string
  readonly prefixes: ReadonlyArray<string>
  readonly attributes: ReadonlyArray<AttributeInfo>
  readonly numDocs: number
  readonly numRecords: number
  readonly hashIndexingFailures: number
  readonly backfillInProgress: boolean
  /** From 0 to 1. */
  readonly backfillCompletePercent: number
  readonly mutationQueueSize: number
  /** `ready`, `backfill_in_progress` or `backfill_paused_by_oom`. */
  readonly state: string
  /** Full-text settings (module 1.2 on, absent before). */
  readonly language?: string
  readonly stopWords?: ReadonlyArray<string>
  readonly punctuation?: string
  readonly minStemSize?: number
  readonly withOffsets?: boolean
  /** Every top-level name/value as sent. */
  readonly fields: Readonly<Record<string, InfoValue>>
  /** In a cluster: each primary's own FT.INFO, of which this value is the sum. */
  readonly shards?: ReadonlyArray<IndexInfo>
}

const plain = (value: RespValue): InfoValue => {
  if (value === null || typeof value === "number") return value
  if (typeof value === "bigint") return Number(value)
  if (typeof value === "boolean") return value ? 1 : 0
  if (Array.isArray(value)) return value.map(plain)
  if (value instanceof Map || value instanceof Set) return Array.from(value as Iterable<RespValue>, plain)
  return Reply.text(value)
}

const fail = (message: string): never => {
  throw new Command.DecodeFailure(message)
}

/**
 * Names the module may send with no value after them. valkey-search 1.0.3 writes a TAG
 * attribute's `CASESENSITIVE` alone, and only when it is set (`… SEPARATOR | CASESENSITIVE size
 * 0`); later versions write `CASESENSITIVE 1` / `0`. The others are the flags of FT.CREATE's
 * field syntax, which a later version may report the same way.
 */
const FLAGS = new Set([
  "casesensitive",
  "sortable",
  "unf",
  "nostem",
  "no_stem",
  "noindex",
  "withsuffixtrie",
  "with_suffix_trie",
  "nosuffixtrie"
])

/** The names this decoder reads (lower case): what a value can hardly be, after a name it does not know. */
const KNOWN = new Set([
  "index_name",
  "index_definition",
  "key_type",
  "prefixes",
  "attributes",
  "num_docs",
  "num_records",
  "hash_indexing_failures",
  "backfill_in_progress",
  "backfill_complete_percent",
  "mutation_queue_size",
  "state",
  "language",
  "stop_words",
  "punctuation",
  "min_stem_size",
  "with_offsets",
  "identifier",
  "attribute",
  "type",
  "size",
  "separator",
  "weight",
  "index",
  "capacity",
  "dimensions",
  "distance_metric",
  "data_type",
  "algorithm",
  "name",
  "m",
  "ef_construction",
  "ef_runtime",
  "block_size",
  ...FLAGS
])

/** A name this decoder knows, as the next element: the element before it stood alone. */
const isKnownName = (value: RespValue | undefined): boolean =>
  (typeof value === "string" || value instanceof Uint8Array) && KNOWN.has(Reply.text(value).toLowerCase())

const isFlagValue = (value: RespValue | undefined): boolean => {
  if (typeof value === "boolean") return true
  if (typeof value === "number" || typeof value === "bigint")
    return value === 0 || value === 1 || value === 0n || value === 1n
  if (typeof value === "string" || value instanceof Uint8Array) {
    const text = Reply.text(value)
    return text === "0" || text === "1"
  }
  return false
}

/**
 * The name/value pairs of a flat list (or a RESP3 map), tolerant of bare flags: a flag name not
 * followed by a 0/1 stands alone and counts as set (value 1), and so does a name left without a
 * value at the end of the list, and a name this decoder does not know followed by one it knows
 * (a newer module's flag, e.g. `INDEXEMPTY size 0`). A reply therefore never fails to decode
 * for an odd count, and the pairs after a new flag stay aligned.
 */
const pairsOf = (value: RespValue): Array<readonly [string, RespValue]> => {
  if (!Array.isArray(value)) return Reply.pairs(value).map(([k, v]) => [Reply.text(k), v] as const)
  const out: Array<readonly [string, RespValue]> = []
  let i = 0
  while (i < value.length) {
    const name = Reply.text(value[i])
    const lower = name.toLowerCase()
    if (
      i + 1 >= value.length ||
      (FLAGS.has(lower) && !isFlagValue(value[i + 1])) ||
      (!KNOWN.has(lower) && isKnownName(value[i + 1]))
    ) {
      out.push([name, 1])
      i += 1
    } else {
      out.push([name, value[i + 1]])
      i += 2
    }
  }
  return out
}

/** Name/value pairs, names lower-cased for lookup. */
const entries = (value: RespValue): Map<string, RespValue> => {
  const out = new Map<string, RespValue>()
  for (const [k, v] of pairsOf(value)) out.set(k.toLowerCase(), v)
  return out
}

const record = (value: RespValue): Record<string, InfoValue> => {
  const out: Record<string, InfoValue> = {}
  for (const [k, v] of pairsOf(value)) out[k] = plain(v)
  return out
}

const required = (map: Map<string, RespValue>, name: string): RespValue => {
  const value = map.get(name)
  return value === undefined ? fail(`FT.INFO: no ${name}`) : value
}

const number = (value: RespValue): number => Reply.double(value)

const optionalNumber = (map: Map<string, RespValue>, name: string): number | undefined => {
  const value = map.get(name)
  return value === undefined || value === null ? undefined : number(value)
}

const optionalBoolean = (map: Map<string, RespValue>, name: string): boolean | undefined => {
  const value = map.get(name)
  return value === undefined || value === null ? undefined : Reply.boolean(value)
}

const algorithm = (value: RespValue): VectorAlgorithmInfo => {
  const map = entries(value)
  const out: { -readonly [K in keyof VectorAlgorithmInfo]: VectorAlgorithmInfo[K] } = {
    name: Reply.text(required(map, "name"))
  }
  const m = optionalNumber(map, "m")
  const efConstruction = optionalNumber(map, "ef_construction")
  const efRuntime = optionalNumber(map, "ef_runtime")
  const blockSize = optionalNumber(map, "block_size")
  if (m !== undefined) out.m = m
  if (efConstruction !== undefined) out.efConstruction = efConstruction
  if (efRuntime !== undefined) out.efRuntime = efRuntime
  if (blockSize !== undefined) out.blockSize = blockSize
  return out
}

const vectorIndex = (value: RespValue): VectorIndexInfo => {
  const map = entries(value)
  return {
    capacity: number(required(map, "capacity")),
    dimensions: number(required(map, "dimensions")),
    distanceMetric: Reply.text(required(map, "distance_metric")),
    size: number(required(map, "size")),
    dataType: Reply.text(required(map, "data_type")),
    algorithm: algorithm(required(map, "algorithm"))
  }
}

const attribute = (value: RespValue): AttributeInfo => {
  const map = entries(value)
  const out: { -readonly [K in keyof AttributeInfo]: AttributeInfo[K] } = {
    identifier: Reply.text(required(map, "identifier")),
    attribute: Reply.text(required(map, "attribute")),
    type: Reply.text(required(map, "type")),
    fields: record(value)
  }
  const size = optionalNumber(map, "size")
  if (size !== undefined) out.size = size
  const separator = map.get("separator")
  if (separator !== undefined && separator !== null) out.separator = Reply.text(separator)
  const caseSensitive = map.get("casesensitive")
  if (caseSensitive !== undefined && caseSensitive !== null) out.caseSensitive = Reply.boolean(caseSensitive)
  // 1.0.3 names the flag only when it is set: a TAG attribute without it folds case.
  else if (out.type.toUpperCase() === "TAG") out.caseSensitive = false
  const weight = optionalNumber(map, "weight")
  if (weight !== undefined) out.weight = weight
  const noStem = optionalBoolean(map, "no_stem") ?? optionalBoolean(map, "nostem")
  if (noStem !== undefined) out.noStem = noStem
  const suffixTrie = optionalBoolean(map, "with_suffix_trie") ?? optionalBoolean(map, "withsuffixtrie")
  if (suffixTrie !== undefined) out.withSuffixTrie = suffixTrie
  const index = map.get("index")
  if (index !== undefined && index !== null && out.type.toUpperCase() === "VECTOR") out.vector = vectorIndex(index)
  return out
}

/**
 * The decoder of FT.INFO (the default, LOCAL form).
 *
 * @since 0.1.0
 * @category decoders
 */
export const decoder: Command.Decoder<IndexInfo> = (reply) => {
  const map = entries(reply)
  const definition = entries(required(map, "index_definition"))
  const attributes = required(map, "attributes")
  if (!Array.isArray(attributes)) return fail("FT.INFO: attributes is not a list")
  const backfill = map.get("backfill_in_progress")
  const out: { -readonly [K in keyof IndexInfo]: IndexInfo[K] } = {
    name: Reply.text(required(map, "index_name")),
    keyType: Reply.text(required(definition, "key_type")),
    prefixes: Reply.array(Reply.text)(definition.get("prefixes") ?? []),
    attributes: attributes.map(attribute),
    numDocs: number(required(map, "num_docs")),
    numRecords: number(required(map, "num_records")),
    hashIndexingFailures: optionalNumber(map, "hash_indexing_failures") ?? 0,
    backfillInProgress: backfill === undefined || backfill === null ? false : Reply.boolean(backfill),
    backfillCompletePercent: optionalNumber(map, "backfill_complete_percent") ?? 1,
    mutationQueueSize: optionalNumber(map, "mutation_queue_size") ?? 0,
    state: Reply.text(required(map, "state")),
    fields: record(reply)
  }
  const language = map.get("language")
  if (typeof language === "string" || language instanceof Uint8Array) out.language = Reply.text(language)
  const stopWords = map.get("stop_words")
  if (Array.isArray(stopWords)) out.stopWords = stopWords.map(Reply.text)
  const punctuation = map.get("punctuation")
  if (typeof punctuation === "string" || punctuation instanceof Uint8Array) out.punctuation = Reply.text(punctuation)
  const minStemSize = optionalNumber(map, "min_stem_size")
  if (minStemSize !== undefined) out.minStemSize = minStemSize
  const withOffsets = optionalBoolean(map, "with_offsets")
  if (withOffsets !== undefined) out.withOffsets = withOffsets
  return out
}
