/**
 * An index definition: its name, the keys it covers (`ON HASH | JSON`, `PREFIX`) and its
 * schema, built step by step (`Search.index("idx").on("HASH").prefix("doc:").schema({ … })`)
 * or from one options object. A definition is an immutable value; `Search.create` turns it
 * into the `FT.CREATE` command.
 *
 * @since 0.1.0
 */
import type { RespArg } from "@effect-valkey/core"
import * as Field from "./Field.ts"

/**
 * Which keys an index reads: hashes (the module's default) or JSON documents.
 *
 * @since 0.1.0
 * @category models
 */
export type KeyType = "HASH" | "JSON"

/**
 * Index-wide full-text settings (module 1.2 and later; 1.0.3 refuses them). Module 1.2.1 knows
 * the language `english` only.
 *
 * @since 0.1.0
 * @category models
 */
export interface TextOptions {
  /** `LANGUAGE`: the stemming language. */
  readonly language?: "english"
  /** `STOPWORDS n w…`: words not indexed; `[]` indexes every word (`STOPWORDS 0`). */
  readonly stopWords?: ReadonlyArray<string>
  /** `PUNCTUATION chars`: the characters that split words. */
  readonly punctuation?: string
  /** `MINSTEMSIZE n`: shorter words are not stemmed. */
  readonly minStemSize?: number
  /** `WITHOFFSETS` / `NOOFFSETS`: keep word positions (phrase and SLOP queries need them). */
  readonly offsets?: boolean
}

/**
 * Options of an index: the key type, key prefixes, whether to skip existing keys, the schema
 * and the full-text settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface IndexOptions<S extends Field.Schema = Field.Schema> {
  /** Omitted: the module indexes hashes. */
  readonly on?: KeyType
  /** Only keys starting with one of these prefixes are indexed; omitted: every key of the type. */
  readonly prefix?: string | ReadonlyArray<string>
  /** Skip the backfill of keys that exist already. */
  readonly skipInitialScan?: boolean
  /** Full-text settings (module 1.2 on). */
  readonly text?: TextOptions
  readonly schema: S
}

/**
 * An index as a value: its name, key type, prefixes and schema, from which FT.CREATE is built
 * and search results are typed.
 *
 * @since 0.1.0
 * @category models
 */
export class IndexDefinition<S extends Field.Schema = Field.Schema> {
  /** The index name. */
  readonly name: string
  /** `HASH` or `JSON`; `undefined`: the module's default (hashes). */
  readonly keyType: KeyType | undefined
  /** Only keys starting with one of these are indexed; empty: every key of the type. */
  readonly prefixes: ReadonlyArray<string>
  /** Whether keys that exist already are left out of the index (SKIPINITIALSCAN). */
  readonly skipsInitialScan: boolean
  /** The schema: one field per indexed attribute. */
  readonly fields: S
  /** Index-wide full-text settings; `undefined`: the module's defaults. */
  readonly textOptions: TextOptions | undefined
  constructor(
    name: string,
    keyType: KeyType | undefined,
    prefixes: ReadonlyArray<string>,
    skipsInitialScan: boolean,
    fields: S,
    textOptions?: TextOptions
  ) {
    this.name = name
    this.keyType = keyType
    this.prefixes = prefixes
    this.skipsInitialScan = skipsInitialScan
    this.fields = fields
    this.textOptions = textOptions
  }

  /** `ON HASH | ON JSON`. */
  on(keyType: KeyType): IndexDefinition<S> {
    return new IndexDefinition(this.name, keyType, this.prefixes, this.skipsInitialScan, this.fields, this.textOptions)
  }

  /** Adds key prefixes (`PREFIX n p1 p2 …`). */
  prefix(...prefixes: ReadonlyArray<string>): IndexDefinition<S> {
    return new IndexDefinition(
      this.name,
      this.keyType,
      [...this.prefixes, ...prefixes],
      this.skipsInitialScan,
      this.fields,
      this.textOptions
    )
  }

  /** `SKIPINITIALSCAN`: keys that exist already are not backfilled. */
  skipInitialScan(): IndexDefinition<S> {
    return new IndexDefinition(this.name, this.keyType, this.prefixes, true, this.fields, this.textOptions)
  }

  /** Full-text settings (module 1.2 on), merged into those given before. */
  text(options: TextOptions): IndexDefinition<S> {
    return new IndexDefinition(this.name, this.keyType, this.prefixes, this.skipsInitialScan, this.fields, {
      ...this.textOptions,
      ...options
    })
  }

  /** Sets the schema: attribute name → field, sent in this order. */
  schema<T extends Field.Schema>(fields: T): IndexDefinition<T> {
    return new IndexDefinition(this.name, this.keyType, this.prefixes, this.skipsInitialScan, fields, this.textOptions)
  }
}

/**
 * A definition to build on, or a complete one from options.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  (name: string): IndexDefinition<{}>
  <S extends Field.Schema>(name: string, options: IndexOptions<S>): IndexDefinition<S>
} = (name: string, options?: IndexOptions): IndexDefinition<never> => {
  const prefix = options?.prefix
  return new IndexDefinition(
    name,
    options?.on,
    prefix === undefined ? [] : typeof prefix === "string" ? [prefix] : prefix,
    options?.skipInitialScan ?? false,
    (options?.schema ?? {}) as never,
    options?.text
  )
}

const KEY_TYPES: ReadonlySet<string> = new Set<KeyType>(["HASH", "JSON"])

/**
 * The `FT.CREATE` arguments of a definition, or why the module would refuse it (so it is never
 * sent): an empty name or schema, an unknown key type, a bad field.
 *
 * @since 0.1.0
 * @category encoding
 */
export const createArgs = (definition: IndexDefinition): Array<RespArg> | string => {
  if (definition.name === "") return "the index name must not be empty"
  const args: Array<RespArg> = ["FT.CREATE", definition.name]
  if (definition.keyType !== undefined) {
    if (!KEY_TYPES.has(definition.keyType)) return `on must be HASH or JSON, got ${String(definition.keyType)}`
    args.push("ON", definition.keyType)
  }
  if (definition.prefixes.length > 0) args.push("PREFIX", definition.prefixes.length, ...definition.prefixes)
  const badText = pushText(args, definition.textOptions)
  if (badText !== undefined) return badText
  if (definition.skipsInitialScan) args.push("SKIPINITIALSCAN")
  args.push("SCHEMA")
  const names = Object.keys(definition.fields)
  if (names.length === 0) return "the schema needs at least one field"
  for (const name of names) {
    const bad = Field.pushArgs(args, name, definition.fields[name]!)
    if (bad !== undefined) return bad
  }
  return args
}

const pushText = (args: Array<RespArg>, text: TextOptions | undefined): string | undefined => {
  if (text === undefined) return undefined
  if (text.language !== undefined) {
    if (text.language !== "english") return `language must be english, got ${String(text.language)}`
    args.push("LANGUAGE", text.language)
  }
  if (text.punctuation !== undefined) {
    if (text.punctuation === "") return "punctuation must not be empty"
    args.push("PUNCTUATION", text.punctuation)
  }
  if (text.stopWords !== undefined) {
    if (text.stopWords.some((word) => word === "")) return "a stop word must not be empty"
    args.push("STOPWORDS", text.stopWords.length, ...text.stopWords)
  }
  if (text.minStemSize !== undefined) {
    if (!Number.isSafeInteger(text.minStemSize) || text.minStemSize < 1) {
      return `minStemSize must be a positive integer, got ${text.minStemSize}`
    }
    args.push("MINSTEMSIZE", text.minStemSize)
  }
  if (text.offsets !== undefined) args.push(text.offsets ? "WITHOFFSETS" : "NOOFFSETS")
  return undefined
}
