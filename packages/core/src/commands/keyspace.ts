/**
 * Key-space commands beyond `generic.ts`: SORT/SORT_RO, OBJECT ENCODING/FREQ/IDLETIME/REFCOUNT,
 * DUMP/RESTORE, COPY, RENAME/RENAMENX, MOVE, RANDOMKEY, KEYS.
 *
 * @since 0.1.0
 */
import { badInteger, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }
const OBJECT_KEY: Command.CommandOptions = { keys: 2, readonly: true }
const TWO_KEYS: Command.CommandOptions = { keys: [1, 2, 1] }

/**
 * Options of SORT: sort by the values of other keys (`by: "weight_*"`, `"nosort"` to skip
 * sorting), a window of the result, what to give for each element (`get: ["#",
 * "data_*->name"]`), the order, and lexicographic comparison (`alpha`).
 *
 * @since 0.1.0
 * @category models
 */
export interface SortOptions {
  readonly by?: string
  readonly limit?: { readonly offset: number; readonly count: number }
  readonly get?: ReadonlyArray<string>
  readonly order?: "ASC" | "DESC"
  readonly alpha?: boolean
}

const sortArgs = (name: string, key: Key, options: SortOptions | undefined): Array<Key | Value> | string => {
  const args: Array<Key | Value> = [name, key]
  if (options === undefined) return args
  if (options.by !== undefined) args.push("BY", options.by)
  if (options.limit !== undefined) {
    const bad = badInteger(options.limit.offset, "limit offset") ?? badInteger(options.limit.count, "limit count")
    if (bad !== undefined) return bad
    args.push("LIMIT", options.limit.offset, options.limit.count)
  }
  for (const pattern of options.get ?? []) args.push("GET", pattern)
  if (options.order !== undefined) args.push(options.order)
  if (options.alpha === true) args.push("ALPHA")
  return args
}

const sorted = Reply.array(Reply.nullableString)

/**
 * SORT key [BY pattern] [LIMIT offset count] [GET pattern …] [ASC|DESC] [ALPHA]: the sorted
 * elements of a list, set or sorted set (or what the GET patterns give for them; null where a
 * pattern finds nothing).
 *
 * @since 0.1.0
 * @category generic
 */
export const sort = (key: Key, options?: SortOptions): Command.Command<Array<string | null>> => {
  const args = sortArgs("SORT", key, options)
  return typeof args === "string" ? Command.invalid("SORT", args) : Command.make(args, sorted, WRITE_KEY)
}

/**
 * SORT_RO key …: SORT for read-only use (may run on a replica).
 *
 * @since 0.1.0
 * @category generic
 */
export const sortReadOnly = (key: Key, options?: SortOptions): Command.Command<Array<string | null>> => {
  const args = sortArgs("SORT_RO", key, options)
  return typeof args === "string" ? Command.invalid("SORT_RO", args) : Command.make(args, sorted, READ_KEY)
}

/**
 * SORT key … STORE destination: stores the sorted result as a list at `destination`; its
 * length.
 *
 * @since 0.1.0
 * @category generic
 */
export const sortStore = (key: Key, destination: Key, options?: SortOptions): Command.Command<number> => {
  const args = sortArgs("SORT", key, options)
  if (typeof args === "string") return Command.invalid("SORT", args)
  args.push("STORE", destination)
  // The source (index 1) and the destination (the last argument).
  return Command.make(args, Reply.integer, { keys: [1, args.length - 1, args.length - 2] })
}

/**
 * OBJECT ENCODING key: the internal encoding of the value (`listpack`, `hashtable`, `int`,
 * `embstr`, …), or null when the key does not exist.
 *
 * @since 0.1.0
 * @category generic
 */
export const objectEncoding = (key: Key): Command.Command<string | null> =>
  Command.make(["OBJECT", "ENCODING", key], Reply.nullableString, OBJECT_KEY)

/**
 * OBJECT FREQ key: the logarithmic access counter (only with an LFU `maxmemory-policy`,
 * otherwise an `ERR` ReplyError), or null when the key does not exist.
 *
 * @since 0.1.0
 * @category generic
 */
export const objectFreq = (key: Key): Command.Command<number | null> =>
  Command.make(["OBJECT", "FREQ", key], Reply.nullableInteger, OBJECT_KEY)

/**
 * OBJECT IDLETIME key: seconds since the key was last accessed (not with an LFU policy), or
 * null when the key does not exist.
 *
 * @since 0.1.0
 * @category generic
 */
export const objectIdletime = (key: Key): Command.Command<number | null> =>
  Command.make(["OBJECT", "IDLETIME", key], Reply.nullableInteger, OBJECT_KEY)

/**
 * OBJECT REFCOUNT key: the reference count of the value, or null when the key does not exist.
 *
 * @since 0.1.0
 * @category generic
 */
export const objectRefcount = (key: Key): Command.Command<number | null> =>
  Command.make(["OBJECT", "REFCOUNT", key], Reply.nullableInteger, OBJECT_KEY)

/**
 * DUMP key: the value serialized for RESTORE, or null when the key does not exist.
 *
 * @since 0.1.0
 * @category generic
 */
export const dump = (key: Key): Command.Command<Uint8Array | null> =>
  Command.bytes(Command.make(["DUMP", key], Reply.nullableString, READ_KEY))

/**
 * Options of RESTORE: overwrite an existing key, read `ttl` as a unix time in ms (ABSTTL),
 * and set the key's idle time in seconds or its LFU frequency (one of the two).
 *
 * @since 0.1.0
 * @category models
 */
export interface RestoreOptions {
  readonly replace?: boolean
  readonly absttl?: boolean
  readonly idletime?: number
  readonly frequency?: number
}

/**
 * RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]:
 * creates a key from a DUMP payload, expiring in `ttl` ms (0 = never). A `BUSYKEY`
 * ReplyError when the key exists and `replace` is not set.
 *
 * @since 0.1.0
 * @category generic
 */
export const restore = (
  key: Key,
  ttl: number,
  serialized: Uint8Array,
  options?: RestoreOptions
): Command.Command<"OK"> => {
  const badTtl = badInteger(ttl, "ttl", 0)
  if (badTtl !== undefined) return Command.invalid("RESTORE", badTtl)
  const args: Array<Key | Value> = ["RESTORE", key, ttl, serialized]
  if (options?.replace === true) args.push("REPLACE")
  if (options?.absttl === true) args.push("ABSTTL")
  if (options?.idletime !== undefined && options.frequency !== undefined) {
    return Command.invalid("RESTORE", "choose one of idletime, frequency")
  }
  if (options?.idletime !== undefined) {
    const bad = badInteger(options.idletime, "idletime", 0)
    if (bad !== undefined) return Command.invalid("RESTORE", bad)
    args.push("IDLETIME", options.idletime)
  }
  if (options?.frequency !== undefined) {
    const bad = badInteger(options.frequency, "frequency", 0)
    if (bad !== undefined) return Command.invalid("RESTORE", bad)
    if (options.frequency > 255) return Command.invalid("RESTORE", "frequency must be at most 255")
    args.push("FREQ", options.frequency)
  }
  return Command.make(args, Reply.ok, WRITE_KEY)
}

/**
 * COPY source destination [DB destination-db] [REPLACE]: true when the value was copied
 * (false when `destination` exists and `replace` is not set).
 *
 * @since 0.1.0
 * @category generic
 */
export const copy = (
  source: Key,
  destination: Key,
  options?: { readonly destinationDb?: number; readonly replace?: boolean }
): Command.Command<boolean> => {
  const args: Array<Key | Value> = ["COPY", source, destination]
  if (options?.destinationDb !== undefined) {
    const bad = badInteger(options.destinationDb, "destinationDb", 0)
    if (bad !== undefined) return Command.invalid("COPY", bad)
    args.push("DB", options.destinationDb)
  }
  if (options?.replace === true) args.push("REPLACE")
  return Command.make(args, Reply.boolean, TWO_KEYS)
}

/**
 * RENAME key newkey: `OK` (an `ERR` ReplyError when `key` does not exist); overwrites
 * `newkey`.
 *
 * @since 0.1.0
 * @category generic
 */
export const rename = (key: Key, newKey: Key): Command.Command<"OK"> =>
  Command.make(["RENAME", key, newKey], Reply.ok, TWO_KEYS)

/**
 * RENAMENX key newkey: true when renamed, false when `newkey` exists.
 *
 * @since 0.1.0
 * @category generic
 */
export const renamenx = (key: Key, newKey: Key): Command.Command<boolean> =>
  Command.make(["RENAMENX", key, newKey], Reply.boolean, TWO_KEYS)

/**
 * MOVE key db: true when the key was moved to database `db` (false when it does not exist
 * here or already exists there).
 *
 * @since 0.1.0
 * @category generic
 */
export const move = (key: Key, db: number): Command.Command<boolean> => {
  const bad = badInteger(db, "db", 0)
  return bad !== undefined ? Command.invalid("MOVE", bad) : Command.make(["MOVE", key, db], Reply.boolean, WRITE_KEY)
}

/**
 * RANDOMKEY: a random key, or null when the database is empty.
 *
 * @since 0.1.0
 * @category generic
 */
export const randomKey = (): Command.Command<string | null> =>
  Command.make(["RANDOMKEY"], Reply.nullableString, { readonly: true, request: "random" })

/**
 * KEYS pattern: every key matching a glob-style pattern. It walks the whole key space in one
 * go: prefer the `Scan` service on large databases.
 *
 * @since 0.1.0
 * @category generic
 */
export const keys = (pattern: string): Command.Command<Array<string>> =>
  Command.make(["KEYS", pattern], Reply.array(Reply.string), {
    readonly: true,
    request: "all_shards",
    response: "combine_arrays"
  })
