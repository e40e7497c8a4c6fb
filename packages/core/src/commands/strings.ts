/**
 * String commands: GET, SET and its options, MGET/MSET, the INCR family, APPEND, GETDEL, ….
 *
 * @since 0.1.0
 */
import {
  badInteger,
  badNumber,
  type Entries,
  type ExpiryOptions,
  type Key,
  pushEntries,
  pushExpiry,
  type Value
} from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

/** A read a client-side cache may answer (see `CommandOptions.cacheable`). */
const CACHED_READ: Command.CommandOptions = { keys: 1, readonly: true, cacheable: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }

/**
 * Options of SET. `expire` is one of: seconds (`ex`), milliseconds (`px`), a unix time in
 * seconds (`exat`) or milliseconds (`pxat`), or `keepTtl`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SetOptions extends ExpiryOptions {
  /** Only set if the key does not exist (`"NX"`) or does (`"XX"`). */
  readonly condition?: "NX" | "XX"
  /**
   * Only set if the key holds exactly this value (`IFEQ`, Valkey 8.1+); not with `condition`.
   * An absent key is not set.
   */
  readonly ifEq?: Value
  readonly keepTtl?: boolean
}

/** SET's arguments, or why the options are unusable. */
const setArgs = (key: Key, value: Value, options: SetOptions | undefined): Array<Key | Value> | string => {
  const args: Array<Key | Value> = ["SET", key, value]
  if (options === undefined) return args
  if (options.condition !== undefined) args.push(options.condition)
  if (options.ifEq !== undefined) {
    if (options.condition !== undefined) return "choose one of condition and ifEq"
    args.push("IFEQ", options.ifEq)
  }
  return pushExpiry(args, options, { name: "keepTtl", word: "KEEPTTL", set: options.keepTtl }) ?? args
}

/**
 * GET key: the value, or null when the key does not exist.
 *
 * @since 0.1.0
 * @category strings
 */
export const get = (key: Key): Command.Command<string | null> =>
  Command.make(["GET", key], Reply.nullableString, CACHED_READ)

/**
 * SET key value [NX|XX|IFEQ value] [EX|PX|EXAT|PXAT|KEEPTTL]: "OK", or null when the
 * condition prevented it.
 *
 * @since 0.1.0
 * @category strings
 */
export const set = (key: Key, value: Value, options?: SetOptions): Command.Command<"OK" | null> => {
  if (options === undefined) return Command.make(["SET", key, value], Reply.okOrNull, WRITE_KEY)
  const args = setArgs(key, value, options)
  return typeof args === "string" ? Command.invalid("SET", args) : Command.make(args, Reply.okOrNull, WRITE_KEY)
}

/**
 * SET … GET: sets the value and returns the previous one (null when there was none, or when
 * NX/XX prevented the write and the key was absent).
 *
 * @since 0.1.0
 * @category strings
 */
export const setGet = (key: Key, value: Value, options?: SetOptions): Command.Command<string | null> => {
  const args = setArgs(key, value, options)
  if (typeof args === "string") return Command.invalid("SET", args)
  args.push("GET")
  return Command.make(args, Reply.nullableString, WRITE_KEY)
}

/**
 * DELIFEQ key value (Valkey 9.0+): deletes the key only if it holds exactly `value`; true when
 * it was deleted. The release half of a lock taken with `set(key, token, { condition: "NX" })`.
 *
 * @since 0.2.0
 * @category strings
 */
export const delIfEq = (key: Key, value: Value): Command.Command<boolean> =>
  Command.make(["DELIFEQ", key, value], Reply.boolean, WRITE_KEY)

/**
 * MGET key [key …]: values in the order of the keys, null for missing ones.
 *
 * @since 0.1.0
 * @category strings
 */
export const mget = (keys: ReadonlyArray<Key>): Command.Command<Array<string | null>> =>
  keys.length === 0
    ? Command.invalid("MGET", "needs at least one key")
    : Command.make(["MGET", ...keys], Reply.array(Reply.nullableString), {
        keys: [1, keys.length, 1],
        readonly: true,
        request: "multi_shard",
        cacheable: true
      })

/**
 * MSET key value [key value …].
 *
 * @since 0.1.0
 * @category strings
 */
export const mset = (entries: Entries): Command.Command<"OK"> => {
  const args: Array<Key | Value> = ["MSET"]
  const n = pushEntries(args, entries)
  return n === 0
    ? Command.invalid("MSET", "needs at least one key")
    : Command.make(args, Reply.ok, { keys: [1, args.length - 2, 2], request: "multi_shard", response: "all_succeeded" })
}

/**
 * MSETNX key value [key value …]: true when all were set, false when any key existed.
 *
 * @since 0.1.0
 * @category strings
 */
export const msetnx = (entries: Entries): Command.Command<boolean> => {
  const args: Array<Key | Value> = ["MSETNX"]
  const n = pushEntries(args, entries)
  return n === 0
    ? Command.invalid("MSETNX", "needs at least one key")
    : Command.make(args, Reply.boolean, { keys: [1, args.length - 2, 2] })
}

/**
 * INCR key.
 *
 * @since 0.1.0
 * @category strings
 */
export const incr = (key: Key): Command.Command<number> => Command.make(["INCR", key], Reply.integer, WRITE_KEY)

/**
 * DECR key.
 *
 * @since 0.1.0
 * @category strings
 */
export const decr = (key: Key): Command.Command<number> => Command.make(["DECR", key], Reply.integer, WRITE_KEY)

/**
 * INCRBY key increment.
 *
 * @since 0.1.0
 * @category strings
 */
export const incrBy = (key: Key, increment: number): Command.Command<number> => {
  const bad = badInteger(increment, "increment")
  return bad !== undefined
    ? Command.invalid("INCRBY", bad)
    : Command.make(["INCRBY", key, increment], Reply.integer, WRITE_KEY)
}

/**
 * DECRBY key decrement.
 *
 * @since 0.1.0
 * @category strings
 */
export const decrBy = (key: Key, decrement: number): Command.Command<number> => {
  const bad = badInteger(decrement, "decrement")
  return bad !== undefined
    ? Command.invalid("DECRBY", bad)
    : Command.make(["DECRBY", key, decrement], Reply.integer, WRITE_KEY)
}

/**
 * INCRBYFLOAT key increment: the new value.
 *
 * @since 0.1.0
 * @category strings
 */
export const incrByFloat = (key: Key, increment: number): Command.Command<number> => {
  const bad = badNumber(increment, "increment") ?? (Number.isFinite(increment) ? undefined : "increment must be finite")
  return bad !== undefined
    ? Command.invalid("INCRBYFLOAT", bad)
    : Command.make(["INCRBYFLOAT", key, increment], Reply.double, WRITE_KEY)
}

/**
 * APPEND key value: the new length.
 *
 * @since 0.1.0
 * @category strings
 */
export const append = (key: Key, value: Value): Command.Command<number> =>
  Command.make(["APPEND", key, value], Reply.integer, WRITE_KEY)

/**
 * STRLEN key.
 *
 * @since 0.1.0
 * @category strings
 */
export const strlen = (key: Key): Command.Command<number> => Command.make(["STRLEN", key], Reply.integer, CACHED_READ)

/**
 * GETDEL key: the value, deleting the key.
 *
 * @since 0.1.0
 * @category strings
 */
export const getDel = (key: Key): Command.Command<string | null> =>
  Command.make(["GETDEL", key], Reply.nullableString, WRITE_KEY)

/**
 * GETRANGE key start end.
 *
 * @since 0.1.0
 * @category strings
 */
export const getRange = (key: Key, start: number, end: number): Command.Command<string> => {
  const bad = badInteger(start, "start") ?? badInteger(end, "end")
  return bad !== undefined
    ? Command.invalid("GETRANGE", bad)
    : Command.make(["GETRANGE", key, start, end], Reply.string, CACHED_READ)
}

/**
 * SETRANGE key offset value: the new length.
 *
 * @since 0.1.0
 * @category strings
 */
export const setRange = (key: Key, offset: number, value: Value): Command.Command<number> => {
  const bad = badInteger(offset, "offset", 0)
  return bad !== undefined
    ? Command.invalid("SETRANGE", bad)
    : Command.make(["SETRANGE", key, offset, value], Reply.integer, WRITE_KEY)
}

/**
 * Options of GETEX: set a new expiry in seconds (`ex`), milliseconds (`px`), as a unix time in
 * seconds (`exat`) or milliseconds (`pxat`), or remove it (`persist`). At most one.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetExOptions {
  readonly ex?: number
  readonly px?: number
  readonly exat?: number
  readonly pxat?: number
  readonly persist?: boolean
}

/**
 * GETEX key [EX s|PX ms|EXAT t|PXAT t|PERSIST]: the value (null when the key does not exist),
 * changing its expiry.
 *
 * @since 0.1.0
 * @category strings
 */
export const getEx = (key: Key, options?: GetExOptions): Command.Command<string | null> => {
  const args: Array<Key | Value> = ["GETEX", key]
  if (options !== undefined) {
    for (const unit of ["ex", "px", "exat", "pxat"] as const) {
      const n = options[unit]
      if (n === undefined) continue
      const bad = badInteger(n, unit, 1)
      if (bad !== undefined) return Command.invalid("GETEX", bad)
      args.push(unit.toUpperCase(), n)
    }
    if (options.persist === true) args.push("PERSIST")
    if (args.length > 4) {
      return Command.invalid("GETEX", "choose one of ex, px, exat, pxat, persist")
    }
  }
  return Command.make(args, Reply.nullableString, WRITE_KEY)
}

/**
 * SETNX key value: true when the key was set (it did not exist).
 *
 * @since 0.1.0
 * @category strings
 */
export const setnx = (key: Key, value: Value): Command.Command<boolean> =>
  Command.make(["SETNX", key, value], Reply.boolean, WRITE_KEY)

/**
 * SETEX key seconds value: sets the value with an expiry in seconds; "OK".
 *
 * @since 0.1.0
 * @category strings
 */
export const setex = (key: Key, seconds: number, value: Value): Command.Command<"OK"> => {
  const bad = badInteger(seconds, "seconds", 1)
  return bad !== undefined
    ? Command.invalid("SETEX", bad)
    : Command.make(["SETEX", key, seconds, value], Reply.ok, WRITE_KEY)
}

/**
 * PSETEX key milliseconds value: sets the value with an expiry in milliseconds; "OK".
 *
 * @since 0.1.0
 * @category strings
 */
export const psetex = (key: Key, milliseconds: number, value: Value): Command.Command<"OK"> => {
  const bad = badInteger(milliseconds, "milliseconds", 1)
  return bad !== undefined
    ? Command.invalid("PSETEX", bad)
    : Command.make(["PSETEX", key, milliseconds, value], Reply.ok, WRITE_KEY)
}

/**
 * One common run of LCS IDX: its inclusive position in each string, and its length.
 *
 * @since 0.1.0
 * @category models
 */
export interface LcsMatch {
  readonly key1: { readonly start: number; readonly end: number }
  readonly key2: { readonly start: number; readonly end: number }
  readonly length: number
}

/**
 * The reply of LCS IDX: the matching runs (last in the strings first) and the length of the
 * longest common subsequence.
 *
 * @since 0.1.0
 * @category models
 */
export interface LcsIndexes {
  readonly matches: Array<LcsMatch>
  readonly length: number
}

const lcsRange: Command.Decoder<{ start: number; end: number }> = (reply) => {
  const [start, end] = Reply.tuple(Reply.integer, Reply.integer)(reply)
  return { start, end }
}

const lcsMatch: Command.Decoder<LcsMatch> = (reply) => {
  const [key1, key2, length] = Reply.tuple(lcsRange, lcsRange, Reply.integer)(reply)
  return { key1, key2, length }
}

const lcsMatches = Reply.array(lcsMatch)

// RESP3 sends a map, RESP2 the flat list ["matches", […], "len", n].
const lcsIndexes: Command.Decoder<LcsIndexes> = (reply) => {
  let matches: Array<LcsMatch> = []
  let length = 0
  for (const [k, v] of Reply.pairs(reply)) {
    const field = Reply.text(k)
    if (field === "matches") matches = lcsMatches(v)
    else if (field === "len") length = Reply.integer(v)
  }
  return { matches, length }
}

/**
 * LCS key1 key2: the longest common subsequence of the two strings (missing keys are empty).
 *
 * @since 0.1.0
 * @category strings
 */
export const lcs = (key1: Key, key2: Key): Command.Command<string> =>
  Command.make(["LCS", key1, key2], Reply.string, { keys: [1, 2, 1], readonly: true })

/**
 * LCS key1 key2 LEN: the length of the longest common subsequence.
 *
 * @since 0.1.0
 * @category strings
 */
export const lcsLen = (key1: Key, key2: Key): Command.Command<number> =>
  Command.make(["LCS", key1, key2, "LEN"], Reply.integer, { keys: [1, 2, 1], readonly: true })

/**
 * LCS key1 key2 IDX [MINMATCHLEN n] WITHMATCHLEN: where the common runs are in each string,
 * ignoring runs shorter than `minMatchLength`.
 *
 * @since 0.1.0
 * @category strings
 */
export const lcsIdx = (
  key1: Key,
  key2: Key,
  options?: { readonly minMatchLength?: number }
): Command.Command<LcsIndexes> => {
  const args: Array<Key | Value> = ["LCS", key1, key2, "IDX"]
  const min = options?.minMatchLength
  if (min !== undefined) {
    const bad = badInteger(min, "minMatchLength", 0)
    if (bad !== undefined) return Command.invalid("LCS", bad)
    args.push("MINMATCHLEN", min)
  }
  args.push("WITHMATCHLEN")
  return Command.make(args, lcsIndexes, { keys: [1, 2, 1], readonly: true })
}
