/**
 * The commands of the valkey-json module as command values: each function builds a
 * `Command.Command<A>` that runs with `valkey.run(...)` on the standalone client, in
 * `valkey.batch([...])`, and on the cluster (JSON.MGET and JSON.MSET are split by slot there).
 *
 * Paths: a path starting with `$` is a JSONPath and the reply holds one entry per match; any
 * other path (`.a`, `.`) is a legacy path and the reply is a single value. The result types
 * follow the path literal (see `JsonPath`). Omitted paths mean the legacy root `.`, as on the
 * server.
 *
 * Values: the values a command writes (JSON.SET, JSON.ARRAPPEND, …) are JavaScript values sent
 * as `JSON.stringify` text; `Json.raw(text)` sends JSON text as it is. A value that has no JSON
 * text (`undefined`, a function, a `bigint`, a cycle) makes the command invalid: it fails with
 * `InvalidArgumentError` and nothing is sent. With a Schema (`set`, `mset`, `get`, `mget`), values
 * go through the Schema's JSON codec both ways (see `DocumentSchema`), so `Date`, `bigint`,
 * `Option` and branded values round-trip.
 *
 * What the module answers when something is missing, and what that becomes here:
 * - missing key: `null` from the reads (`get`, `type`, `strLen`, `arrLen`, `objLen`, `objKeys`,
 *   `resp`, the `debug*` commands, and per key in `mget`); the writes on a path (and `clear`,
 *   `arrPop`) fail with the module's `ReplyError` (`NONEXISTENT`), `set` on a path other than
 *   the root with `SYNTAXERR`;
 * - missing path: a JSONPath matches nothing (`[]`); a legacy path fails with `ReplyError`
 *   (`NONEXISTENT`), except in `type` (`null`) and `del`/`forget` (0);
 * - wrong type at the path: `null` in that match's entry for a JSONPath, `ReplyError`
 *   (`WRONGTYPE`) for a legacy path; a key that holds no JSON document fails with `ReplyError`
 *   (`WRONGTYPE`) either way.
 *
 * @since 0.1.0
 */
import { Command, type Key, Reply } from "@effect-valkey/core"
import {
  badFinite,
  badInteger,
  byPath,
  DEBUG_KEY,
  debugNumbers,
  describe,
  fail,
  integers,
  isRecord,
  json,
  jsonArray,
  jsonText,
  keyLists,
  nullableIntegers,
  nullableJson,
  nullableKeyList,
  nullableResp,
  nullableTypeName,
  numberReply,
  numbersReply,
  popped,
  pushValues,
  READ_KEY,
  ROOT,
  respMatches,
  schemaDecoder,
  schemaText,
  toggled,
  toggledMatches,
  typeNames,
  Unusable,
  WRITE_KEY
} from "./internal/codec.ts"
import { anyJsonPath, type ByPath, type ByPaths, isJsonPath } from "./JsonPath.ts"
import type { DocumentSchema, JsonType, JsonValue, RespJson } from "./JsonValue.ts"

export type {
  /**
   * A Schema for a document (or the part of it at a path), used through its JSON codec.
   *
   * @since 0.1.0
   * @category models
   */
  DocumentSchema,
  /**
   * The type names JSON.TYPE answers.
   *
   * @since 0.1.0
   * @category models
   */
  JsonType,
  /**
   * A JSON value as `JSON.parse` gives it.
   *
   * @since 0.1.0
   * @category models
   */
  JsonValue,
  /**
   * A value in the form JSON.RESP answers, read back into JavaScript.
   *
   * @since 0.1.0
   * @category models
   */
  RespJson
} from "./JsonValue.ts"
export {
  /**
   * JSON text sent as it is, instead of the `JSON.stringify` text of a value.
   *
   * @since 0.1.0
   * @category models
   */
  RawJson,
  /**
   * Wraps JSON text so a command sends it unchanged (the module parses it and answers
   * `SYNTAXERR` when it is not JSON).
   *
   * @since 0.1.0
   * @category constructors
   */
  raw
} from "./JsonValue.ts"

// --- options ---------------------------------------------------------------------------------

/**
 * Options of JSON.SET: `condition` `"NX"` sets only when the path does not exist yet, `"XX"` only
 * when it does.
 *
 * @since 0.1.0
 * @category models
 */
export interface SetOptions {
  readonly condition?: "NX" | "XX"
}

/**
 * Options of JSON.SET with a Schema: the value is encoded through its JSON codec before
 * `JSON.stringify`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SetSchemaOptions<A> extends SetOptions {
  readonly schema: DocumentSchema<A>
}

/**
 * Formatting options of JSON.GET: the strings used to indent nested levels, end lines and
 * follow a colon. `noEscape` sends NOESCAPE, which the module accepts for compatibility and
 * ignores.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetOptions {
  readonly indent?: string
  readonly newline?: string
  readonly space?: string
  readonly noEscape?: boolean
}

/**
 * Options of JSON.GET with a Schema that decodes each value found.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetSchemaOptions<A> extends GetOptions {
  readonly schema: DocumentSchema<A>
}

/**
 * Options of JSON.MGET with a Schema that decodes each document found.
 *
 * @since 0.1.0
 * @category models
 */
export interface MGetSchemaOptions<A> {
  readonly schema: DocumentSchema<A>
}

/**
 * The range JSON.ARRINDEX searches: from `start` (inclusive) to `end` (exclusive; 0 or -1 mean
 * the end of the array). `end` needs `start`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ArrIndexOptions {
  readonly start?: number
  readonly end?: number
}

// --- JSON.SET / JSON.GET / JSON.MGET / JSON.MSET -----------------------------------------------

/**
 * JSON.SET key path json [NX|XX]: `"OK"`, or `null` when NX/XX prevented the write. `value` is
 * sent as its `JSON.stringify` text (`Json.raw(text)` for JSON text as it is); with `schema` it
 * is encoded through the Schema's JSON codec first, and a value that does not match fails with
 * `InvalidArgumentError` before anything is sent. Setting a path other than the root needs the document to
 * exist (`ReplyError` otherwise); a key holding something else fails with `WRONGTYPE`.
 *
 * @since 0.1.0
 * @category documents
 */
export const set: {
  <A>(key: Key, path: string, value: NoInfer<A>, options: SetSchemaOptions<A>): Command.Command<"OK" | null>
  (key: Key, path: string, value: unknown, options?: SetOptions): Command.Command<"OK" | null>
} = (
  key: Key,
  path: string,
  value: unknown,
  options?: SetOptions & { readonly schema?: DocumentSchema<unknown> }
): Command.Command<"OK" | null> => {
  const text = options?.schema !== undefined ? schemaText(options.schema, value) : jsonText(value)
  if (text instanceof Unusable) return Command.invalid("JSON.SET", text.reason)
  const args: Array<Key> = ["JSON.SET", key, path, text]
  if (options?.condition !== undefined) args.push(options.condition)
  return Command.make(args, Reply.okOrNull, WRITE_KEY)
}

/** JSON.GET's arguments up to the paths. */
const getArgs = (key: Key, options: GetOptions | undefined): Array<Key> => {
  const args: Array<Key> = ["JSON.GET", key]
  if (options === undefined) return args
  if (options.indent !== undefined) args.push("INDENT", options.indent)
  if (options.newline !== undefined) args.push("NEWLINE", options.newline)
  if (options.space !== undefined) args.push("SPACE", options.space)
  if (options.noEscape === true) args.push("NOESCAPE")
  return args
}

const getLegacyPlain = Reply.nullable(json)
const getJsonPathPlain = Reply.nullable(jsonArray)

/**
 * JSON.GET key [INDENT s] [NEWLINE s] [SPACE s] [NOESCAPE] [path]: the value at a legacy path
 * (default: the root `.`, the whole document), or the array of values a JSONPath matches (`[]`
 * when it matches nothing); `null` when the key does not exist. A legacy path that does not
 * exist fails with `ReplyError` (`NONEXISTENT`). With `schema`, each value is decoded through
 * the Schema's JSON codec (the form `set` writes), and a mismatch fails the command with `DecodeError`.
 *
 * @since 0.1.0
 * @category documents
 */
export const get: {
  <A, const P extends string>(
    key: Key,
    path: P,
    options: GetSchemaOptions<A>
  ): Command.Command<ByPath<P, Array<A>, A> | null>
  <const P extends string = ".">(
    key: Key,
    path?: P,
    options?: GetOptions
  ): Command.Command<ByPath<P, Array<JsonValue>, JsonValue> | null>
} = (
  key: Key,
  path?: string,
  options?: GetOptions & { readonly schema?: DocumentSchema<unknown> }
): Command.Command<never> => {
  const args = getArgs(key, options)
  if (path !== undefined) args.push(path)
  const jsonPath = path !== undefined && isJsonPath(path)
  const schema = options?.schema
  if (schema === undefined) {
    return Command.make(args, jsonPath ? getJsonPathPlain : getLegacyPlain, READ_KEY) as Command.Command<never>
  }
  const decode = schemaDecoder(schema)
  return Command.make(
    args,
    jsonPath ? Reply.nullable((reply) => jsonArray(reply).map(decode)) : Reply.nullable((reply) => decode(json(reply))),
    READ_KEY
  ) as Command.Command<never>
}

/**
 * JSON.GET key … path path …: the values at several paths, as a record keyed by path. When any
 * path is a JSONPath, the module answers every path in JSONPath form (an array of matches each,
 * `[]` for none); when all are legacy paths, each entry is the value there. `null` when the key
 * does not exist.
 *
 * @since 0.1.0
 * @category documents
 */
export const getPaths = <const Ps extends ReadonlyArray<string>>(
  key: Key,
  paths: Ps,
  options?: GetOptions
): Command.Command<{ [K in Ps[number]]: ByPaths<Ps, Array<JsonValue>, JsonValue> } | null> => {
  if (paths.length === 0) return Command.invalid("JSON.GET", "needs at least one path")
  const args = getArgs(key, options)
  for (const path of paths) args.push(path)
  const jsonPath = anyJsonPath(paths)
  if (paths.length === 1) {
    // One path is answered as the bare value (or array of matches), not as an object.
    const only = paths[0]!
    const value = jsonPath ? jsonArray : json
    return Command.make(
      args,
      Reply.nullable((reply) => ({ [only]: value(reply) }) as never),
      READ_KEY
    )
  }
  return Command.make(
    args,
    Reply.nullable((reply) => {
      const value = json(reply)
      if (!isRecord(value)) return fail(`expected a JSON object keyed by path, got ${describe(value)}`)
      if (jsonPath) {
        for (const path of paths) {
          if (!Array.isArray(value[path])) return fail(`expected an array of matches for ${path}`)
        }
      }
      return value as never
    }),
    READ_KEY
  )
}

/**
 * JSON.GET as text: the reply as the module formats it (with INDENT/NEWLINE/SPACE when given),
 * unparsed; `null` when the key does not exist. With no path the whole document.
 *
 * @since 0.1.0
 * @category documents
 */
export const getText = (
  key: Key,
  paths: string | ReadonlyArray<string> = [],
  options?: GetOptions
): Command.Command<string | null> => {
  const args = getArgs(key, options)
  if (typeof paths === "string") args.push(paths)
  else for (const path of paths) args.push(path)
  return Command.make(args, Reply.nullableString, READ_KEY)
}

/**
 * JSON.MGET key [key …] path: for each key in order, the value at a legacy path or the array of
 * values a JSONPath matches, `null` for a key that does not exist. A key that holds something
 * other than a JSON document fails the whole command with `ReplyError` (`WRONGTYPE`); in a
 * cluster the keys are split by slot, the values put back in key order, and a failed part
 * (that `WRONGTYPE`, or a node that cannot be reached) makes a `MultiSlotError` that still
 * holds the values of the parts that succeeded. With `schema` each
 * value is decoded through the Schema's JSON codec; a mismatch fails the command with
 * `DecodeError`.
 *
 * @since 0.1.0
 * @category documents
 */
export const mget: {
  <A, const P extends string>(
    keys: ReadonlyArray<Key>,
    path: P,
    options: MGetSchemaOptions<A>
  ): Command.Command<Array<ByPath<P, Array<A>, A> | null>>
  <const P extends string>(
    keys: ReadonlyArray<Key>,
    path: P
  ): Command.Command<Array<ByPath<P, Array<JsonValue>, JsonValue> | null>>
} = (
  keys: ReadonlyArray<Key>,
  path: string,
  options?: { readonly schema?: DocumentSchema<unknown> }
): Command.Command<never> => {
  if (keys.length === 0) return Command.invalid("JSON.MGET", "needs at least one key")
  const jsonPath = isJsonPath(path)
  const schema = options?.schema
  let item: Command.Decoder<unknown>
  if (schema === undefined) item = jsonPath ? getJsonPathPlain : getLegacyPlain
  else {
    const decode = schemaDecoder(schema)
    item = jsonPath
      ? Reply.nullable((reply) => jsonArray(reply).map(decode))
      : Reply.nullable((reply) => decode(json(reply)))
  }
  return Command.make(["JSON.MGET", ...keys, path], Reply.array(item), {
    keys: [1, keys.length, 1],
    readonly: true,
    request: "multi_shard"
  }) as Command.Command<never>
}

/**
 * One write of JSON.MSET: a key, a path in it, and the value (`JSON.stringify`d, or a `RawJson`).
 *
 * @since 0.1.0
 * @category models
 */
export type MSetEntry = readonly [key: Key, path: string, value: unknown]

/**
 * Options of JSON.MSET with a Schema: every value is encoded through it before `JSON.stringify`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MSetSchemaOptions<A> {
  readonly schema: DocumentSchema<A>
}

/**
 * JSON.MSET key path json [key path json …]: `"OK"`. Atomic on one node; in a cluster the
 * entries are split by slot, each part atomic on its own, and a failed part is reported in a
 * `MultiSlotError`. With `schema` every value is encoded through the Schema's JSON codec, as in
 * `set`; a value that does not match fails the command with `InvalidArgumentError` before
 * anything is sent.
 *
 * @since 0.1.0
 * @category documents
 */
export const mset: {
  <A>(
    entries: ReadonlyArray<readonly [key: Key, path: string, value: NoInfer<A>]>,
    options: MSetSchemaOptions<A>
  ): Command.Command<"OK">
  (entries: ReadonlyArray<MSetEntry>): Command.Command<"OK">
} = (entries: ReadonlyArray<MSetEntry>, options?: MSetSchemaOptions<unknown>): Command.Command<"OK"> => {
  if (entries.length === 0) return Command.invalid("JSON.MSET", "needs at least one entry")
  const schema = options?.schema
  const args: Array<Key> = ["JSON.MSET"]
  for (const [key, path, value] of entries) {
    const text = schema !== undefined ? schemaText(schema, value) : jsonText(value)
    if (text instanceof Unusable) return Command.invalid("JSON.MSET", text.reason)
    args.push(key, path, text)
  }
  return Command.make(args, Reply.ok, {
    keys: [1, args.length - 3, 3],
    request: "multi_shard",
    response: "all_succeeded"
  })
}

// --- deleting, types, clearing -----------------------------------------------------------------

/**
 * JSON.DEL key [path]: how many values were deleted (0 when the key or path does not exist).
 * Without a path (or with the root) the whole key is deleted.
 *
 * @since 0.1.0
 * @category documents
 */
export const del = (key: Key, path?: string): Command.Command<number> =>
  Command.make(path === undefined ? ["JSON.DEL", key] : ["JSON.DEL", key, path], Reply.integer, WRITE_KEY)

/**
 * JSON.FORGET key [path]: the same as JSON.DEL.
 *
 * @since 0.1.0
 * @category documents
 */
export const forget = (key: Key, path?: string): Command.Command<number> =>
  Command.make(path === undefined ? ["JSON.FORGET", key] : ["JSON.FORGET", key, path], Reply.integer, WRITE_KEY)

/**
 * JSON.TYPE key [path]: the type name of each match (JSONPath, `[]` when nothing matches) or of
 * the value (legacy path, `null` when the path does not exist), `null` when the key does not
 * exist. A type name the module adds later comes through as it is.
 *
 * @since 0.1.0
 * @category documents
 */
export const type = <const P extends string = ".">(
  key: Key,
  path?: P
): Command.Command<ByPath<P, Array<JsonType>, JsonType> | null> =>
  Command.make(
    path === undefined ? ["JSON.TYPE", key] : ["JSON.TYPE", key, path],
    byPath(path ?? ROOT, typeNames, nullableTypeName),
    READ_KEY
  )

/**
 * JSON.CLEAR key [path]: how many containers were emptied and numbers set to 0.
 *
 * @since 0.1.0
 * @category documents
 */
export const clear = (key: Key, path?: string): Command.Command<number> =>
  Command.make(path === undefined ? ["JSON.CLEAR", key] : ["JSON.CLEAR", key, path], Reply.integer, WRITE_KEY)

/**
 * JSON.TOGGLE key [path]: the new value of each boolean matched (`null` for a match that is not a
 * boolean) for a JSONPath, or the new value for a legacy path (`WRONGTYPE` if it is not a
 * boolean).
 *
 * @since 0.1.0
 * @category booleans
 */
export const toggle = <const P extends string = ".">(
  key: Key,
  path?: P
): Command.Command<ByPath<P, Array<boolean | null>, boolean>> =>
  Command.make(
    path === undefined ? ["JSON.TOGGLE", key] : ["JSON.TOGGLE", key, path],
    byPath(path ?? ROOT, toggledMatches, toggled),
    WRITE_KEY
  )

// --- numbers -----------------------------------------------------------------------------------

const arithmetic =
  (name: "JSON.NUMINCRBY" | "JSON.NUMMULTBY", what: string) =>
  <const P extends string>(key: Key, path: P, n: number): Command.Command<ByPath<P, Array<number | null>, number>> => {
    const bad = badFinite(n, what)
    return bad !== undefined
      ? Command.invalid(name, bad)
      : Command.make([name, key, path, n], byPath(path, numbersReply, numberReply), WRITE_KEY)
  }

/**
 * JSON.NUMINCRBY key path number: the new value of each number matched (`null` for a match that
 * is not a number) for a JSONPath, or the new value for a legacy path.
 *
 * @since 0.1.0
 * @category numbers
 */
export const numIncrBy = arithmetic("JSON.NUMINCRBY", "increment")

/**
 * JSON.NUMMULTBY key path number: like `numIncrBy`, multiplying.
 *
 * @since 0.1.0
 * @category numbers
 */
export const numMultBy = arithmetic("JSON.NUMMULTBY", "multiplier")

// --- strings -----------------------------------------------------------------------------------

/**
 * JSON.STRAPPEND key path json-string: appends `value` to each string matched; the new lengths
 * (`null` for a match that is not a string) for a JSONPath, the new length for a legacy path.
 *
 * @since 0.1.0
 * @category strings
 */
export const strAppend = <const P extends string>(
  key: Key,
  path: P,
  value: string
): Command.Command<ByPath<P, Array<number | null>, number>> =>
  typeof value !== "string"
    ? Command.invalid("JSON.STRAPPEND", `value must be a string, got ${typeof value}`)
    : Command.make(
        ["JSON.STRAPPEND", key, path, JSON.stringify(value)],
        byPath(path, integers, Reply.integer),
        WRITE_KEY
      )

/**
 * JSON.STRLEN key [path]: the length of each string matched (`null` for a match that is not a
 * string) for a JSONPath, or of the string at a legacy path; `null` when the key does not exist.
 *
 * @since 0.1.0
 * @category strings
 */
export const strLen = <const P extends string = ".">(
  key: Key,
  path?: P
): Command.Command<ByPath<P, Array<number | null>, number> | null> =>
  Command.make(
    path === undefined ? ["JSON.STRLEN", key] : ["JSON.STRLEN", key, path],
    byPath(path ?? ROOT, nullableIntegers, Reply.nullableInteger),
    READ_KEY
  )

// --- arrays ------------------------------------------------------------------------------------

/**
 * JSON.ARRAPPEND key path json [json …]: appends the values to each array matched; the new
 * lengths (`null` for a match that is not an array) for a JSONPath, the new length for a legacy
 * path.
 *
 * @since 0.1.0
 * @category arrays
 */
export const arrAppend = <const P extends string>(
  key: Key,
  path: P,
  values: ReadonlyArray<unknown>
): Command.Command<ByPath<P, Array<number | null>, number>> => {
  if (values.length === 0) return Command.invalid("JSON.ARRAPPEND", "needs at least one value")
  const args: Array<Key | number> = ["JSON.ARRAPPEND", key, path]
  const bad = pushValues(args, values)
  return bad !== undefined
    ? Command.invalid("JSON.ARRAPPEND", bad.reason)
    : Command.make(args, byPath(path, integers, Reply.integer), WRITE_KEY)
}

/**
 * JSON.ARRINDEX key path json [start [end]]: the index of the first element equal to `value` in
 * each array matched (-1 when absent, `null` for a match that is not an array) for a JSONPath,
 * or in the array at a legacy path.
 *
 * @since 0.1.0
 * @category arrays
 */
export const arrIndex = <const P extends string>(
  key: Key,
  path: P,
  value: unknown,
  options?: ArrIndexOptions
): Command.Command<ByPath<P, Array<number | null>, number>> => {
  const text = jsonText(value)
  if (text instanceof Unusable) return Command.invalid("JSON.ARRINDEX", text.reason)
  const args: Array<Key | number> = ["JSON.ARRINDEX", key, path, text]
  if (options !== undefined) {
    if (options.end !== undefined && options.start === undefined) {
      return Command.invalid("JSON.ARRINDEX", "end needs start")
    }
    for (const what of ["start", "end"] as const) {
      const n = options[what]
      if (n === undefined) continue
      const bad = badInteger(n, what)
      if (bad !== undefined) return Command.invalid("JSON.ARRINDEX", bad)
      args.push(n)
    }
  }
  return Command.make(args, byPath(path, integers, Reply.integer), READ_KEY)
}

/**
 * JSON.ARRINSERT key path index json [json …]: inserts the values before `index` (negative counts
 * from the end) in each array matched; the new lengths (`null` for a match that is not an array)
 * for a JSONPath, the new length for a legacy path.
 *
 * @since 0.1.0
 * @category arrays
 */
export const arrInsert = <const P extends string>(
  key: Key,
  path: P,
  index: number,
  values: ReadonlyArray<unknown>
): Command.Command<ByPath<P, Array<number | null>, number>> => {
  const badIndex = badInteger(index, "index")
  if (badIndex !== undefined) return Command.invalid("JSON.ARRINSERT", badIndex)
  if (values.length === 0) return Command.invalid("JSON.ARRINSERT", "needs at least one value")
  const args: Array<Key | number> = ["JSON.ARRINSERT", key, path, index]
  const bad = pushValues(args, values)
  return bad !== undefined
    ? Command.invalid("JSON.ARRINSERT", bad.reason)
    : Command.make(args, byPath(path, integers, Reply.integer), WRITE_KEY)
}

/**
 * JSON.ARRLEN key [path]: the length of each array matched (`null` for a match that is not an
 * array) for a JSONPath, or of the array at a legacy path; `null` when the key does not exist.
 *
 * @since 0.1.0
 * @category arrays
 */
export const arrLen = <const P extends string = ".">(
  key: Key,
  path?: P
): Command.Command<ByPath<P, Array<number | null>, number> | null> =>
  Command.make(
    path === undefined ? ["JSON.ARRLEN", key] : ["JSON.ARRLEN", key, path],
    byPath(path ?? ROOT, nullableIntegers, Reply.nullableInteger),
    READ_KEY
  )

/**
 * JSON.ARRPOP key [path [index]]: removes and returns the element at `index` (default -1, the
 * last) of each array matched (`null` for an empty array or a match that is not an array) for a
 * JSONPath, or of the array at a legacy path (`null` when it is empty). The popped values are
 * parsed JSON, so a popped JSON `null` is `null` too.
 *
 * @since 0.1.0
 * @category arrays
 */
export const arrPop = <const P extends string = ".">(
  key: Key,
  path?: P,
  index?: number
): Command.Command<ByPath<P, Array<JsonValue | null>, JsonValue | null>> => {
  const args: Array<Key | number> = ["JSON.ARRPOP", key]
  if (path !== undefined) args.push(path)
  if (index !== undefined) {
    const bad = badInteger(index, "index")
    if (bad !== undefined) return Command.invalid("JSON.ARRPOP", bad)
    if (path === undefined) args.push(ROOT)
    args.push(index)
  }
  return Command.make(args, byPath(path ?? ROOT, popped, nullableJson), WRITE_KEY)
}

/**
 * JSON.ARRTRIM key path start end: keeps the elements from `start` to `end` (both inclusive) of
 * each array matched; the new lengths (`null` for a match that is not an array) for a JSONPath,
 * the new length for a legacy path.
 *
 * @since 0.1.0
 * @category arrays
 */
export const arrTrim = <const P extends string>(
  key: Key,
  path: P,
  start: number,
  end: number
): Command.Command<ByPath<P, Array<number | null>, number>> => {
  const bad = badInteger(start, "start") ?? badInteger(end, "end")
  return bad !== undefined
    ? Command.invalid("JSON.ARRTRIM", bad)
    : Command.make(["JSON.ARRTRIM", key, path, start, end], byPath(path, integers, Reply.integer), WRITE_KEY)
}

// --- objects -----------------------------------------------------------------------------------

/**
 * JSON.OBJKEYS key [path]: the keys of each object matched for a JSONPath, or of the object at a
 * legacy path; `null` when the key does not exist. For a JSONPath match that is not an object,
 * valkey-json 1.0.2 answers an empty list (as for an empty object), not `null`.
 *
 * @since 0.1.0
 * @category objects
 */
export const objKeys = <const P extends string = ".">(
  key: Key,
  path?: P
): Command.Command<ByPath<P, Array<Array<string> | null>, Array<string>> | null> =>
  Command.make(
    path === undefined ? ["JSON.OBJKEYS", key] : ["JSON.OBJKEYS", key, path],
    byPath(path ?? ROOT, keyLists, nullableKeyList),
    READ_KEY
  )

/**
 * JSON.OBJLEN key [path]: the number of keys of each object matched (`null` for a match that is
 * not an object) for a JSONPath, or of the object at a legacy path; `null` when the key does not
 * exist.
 *
 * @since 0.1.0
 * @category objects
 */
export const objLen = <const P extends string = ".">(
  key: Key,
  path?: P
): Command.Command<ByPath<P, Array<number | null>, number> | null> =>
  Command.make(
    path === undefined ? ["JSON.OBJLEN", key] : ["JSON.OBJLEN", key, path],
    byPath(path ?? ROOT, nullableIntegers, Reply.nullableInteger),
    READ_KEY
  )

// --- RESP form and debugging ---------------------------------------------------------------------

/**
 * JSON.RESP key [path]: the value in the module's RESP form, read back (see `RespJson`): one
 * entry per match for a JSONPath, the value for a legacy path; `null` when the key does not
 * exist (valkey-json answers nil for both path syntaxes then).
 *
 * @since 0.1.0
 * @category debugging
 */
export const resp = <const P extends string = ".">(
  key: Key,
  path?: P
): Command.Command<ByPath<P, Array<RespJson>, RespJson> | null> =>
  Command.make(
    path === undefined ? ["JSON.RESP", key] : ["JSON.RESP", key, path],
    byPath(path ?? ROOT, respMatches, nullableResp),
    READ_KEY
  )

const debugPath =
  (sub: "MEMORY" | "FIELDS") =>
  <const P extends string = ".">(key: Key, path?: P): Command.Command<ByPath<P, Array<number>, number> | null> =>
    Command.make(
      path === undefined ? ["JSON.DEBUG", sub, key] : ["JSON.DEBUG", sub, key, path],
      byPath(path ?? ROOT, debugNumbers, Reply.nullableInteger),
      DEBUG_KEY
    )

/**
 * JSON.DEBUG MEMORY key [path]: bytes used by each value matched (JSONPath) or by the value at a
 * legacy path (default: the whole document); `null` when the key does not exist.
 *
 * @since 0.1.0
 * @category debugging
 */
export const debugMemory = debugPath("MEMORY")

/**
 * JSON.DEBUG FIELDS key [path]: the number of fields in each value matched (JSONPath) or in the
 * value at a legacy path (default: the whole document); `null` when the key does not exist.
 *
 * @since 0.1.0
 * @category debugging
 */
export const debugFields = debugPath("FIELDS")

/**
 * JSON.DEBUG DEPTH key: the maximum path depth of the document; `null` when the key does not
 * exist.
 *
 * @since 0.1.0
 * @category debugging
 */
export const debugDepth = (key: Key): Command.Command<number | null> =>
  Command.make(["JSON.DEBUG", "DEPTH", key], Reply.nullableInteger, DEBUG_KEY)
