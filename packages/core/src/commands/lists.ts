/**
 * List commands: LPUSH/RPUSH, LPOP/RPOP, LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS,
 * LMOVE, LMPOP, and the blocking BLPOP, BRPOP, BLMOVE, BLMPOP, BRPOPLPUSH.
 *
 * Blocking commands carry `blockMillis` (their timeout; 0 = forever) so the client waits for
 * the server's block time plus a margin instead of failing them at the request timeout.
 *
 * @since 0.1.0
 */
import { badInteger, badTimeout, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import { blockingPop, multiPop } from "./popParts.ts"

const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
/** A read a client-side cache may answer (see `CommandOptions.cacheable`). */
const CACHED_READ: Command.CommandOptions = { keys: 1, readonly: true, cacheable: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }
const TWO_KEYS: Command.CommandOptions = { keys: [1, 2, 1] }

/**
 * The end of a list: its head (`"LEFT"`) or its tail (`"RIGHT"`).
 *
 * @since 0.1.0
 * @category models
 */
export type ListDirection = "LEFT" | "RIGHT"

/**
 * Options of LPOS: which match to start from (`rank`, 1-based, negative counts from the
 * tail) and how many elements to scan at most (`maxLength`, 0 = all).
 *
 * @since 0.1.0
 * @category models
 */
export interface LposOptions {
  readonly rank?: number
  readonly maxLength?: number
}

/**
 * An element popped by BLPOP/BRPOP, with the key it came from.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyedElement {
  readonly key: string
  readonly element: string
}

/**
 * Elements popped by LMPOP/BLMPOP, with the key they came from.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyedElements {
  readonly key: string
  readonly elements: Array<string>
}

const strings = Reply.array(Reply.string)
const nullableStrings = Reply.nullableArray(Reply.string)

const keyedElement: Command.Decoder<KeyedElement | null> = (reply) => {
  if (reply === null) return null
  const [key, element] = Reply.tuple(Reply.string, Reply.string)(reply)
  return { key, element }
}

const keyedElements: Command.Decoder<KeyedElements | null> = (reply) => {
  if (reply === null) return null
  const [key, elements] = Reply.tuple(Reply.string, strings)(reply)
  return { key, elements }
}

const push =
  (name: string) =>
  (key: Key, elements: ReadonlyArray<Value>): Command.Command<number> =>
    elements.length === 0
      ? Command.invalid(name, "needs at least one element")
      : Command.make([name, key, ...elements], Reply.integer, WRITE_KEY)

/**
 * LPUSH key element [element …]: inserts at the head (the last element ends up first); the
 * new length.
 *
 * @since 0.1.0
 * @category lists
 */
export const lpush = push("LPUSH")

/**
 * LPUSHX key element [element …]: LPUSH only when the list exists; the new length (0 when
 * it does not).
 *
 * @since 0.1.0
 * @category lists
 */
export const lpushx = push("LPUSHX")

/**
 * RPUSH key element [element …]: appends at the tail; the new length.
 *
 * @since 0.1.0
 * @category lists
 */
export const rpush = push("RPUSH")

/**
 * RPUSHX key element [element …]: RPUSH only when the list exists; the new length (0 when
 * it does not).
 *
 * @since 0.1.0
 * @category lists
 */
export const rpushx = push("RPUSHX")

/**
 * LPOP key: the first element, or null when the list does not exist.
 *
 * @since 0.1.0
 * @category lists
 */
export const lpop = (key: Key): Command.Command<string | null> =>
  Command.make(["LPOP", key], Reply.nullableString, WRITE_KEY)

/**
 * RPOP key: the last element, or null when the list does not exist.
 *
 * @since 0.1.0
 * @category lists
 */
export const rpop = (key: Key): Command.Command<string | null> =>
  Command.make(["RPOP", key], Reply.nullableString, WRITE_KEY)

const popCount =
  (name: string) =>
  (key: Key, count: number): Command.Command<Array<string> | null> => {
    const bad = badInteger(count, "count", 0)
    return bad !== undefined ? Command.invalid(name, bad) : Command.make([name, key, count], nullableStrings, WRITE_KEY)
  }

/**
 * LPOP key count: up to `count` elements from the head, or null when the list does not exist.
 *
 * @since 0.1.0
 * @category lists
 */
export const lpopCount = popCount("LPOP")

/**
 * RPOP key count: up to `count` elements from the tail (last first), or null when the list
 * does not exist.
 *
 * @since 0.1.0
 * @category lists
 */
export const rpopCount = popCount("RPOP")

/**
 * LRANGE key start stop: the elements from `start` to `stop` inclusive (negative indexes
 * count from the tail).
 *
 * @since 0.1.0
 * @category lists
 */
export const lrange = (key: Key, start: number, stop: number): Command.Command<Array<string>> => {
  const bad = badInteger(start, "start") ?? badInteger(stop, "stop")
  return bad !== undefined
    ? Command.invalid("LRANGE", bad)
    : Command.make(["LRANGE", key, start, stop], strings, CACHED_READ)
}

/**
 * LLEN key: the length (0 when the list does not exist).
 *
 * @since 0.1.0
 * @category lists
 */
export const llen = (key: Key): Command.Command<number> => Command.make(["LLEN", key], Reply.integer, CACHED_READ)

/**
 * LINDEX key index: the element at `index` (negative counts from the tail), or null.
 *
 * @since 0.1.0
 * @category lists
 */
export const lindex = (key: Key, index: number): Command.Command<string | null> => {
  const bad = badInteger(index, "index")
  return bad !== undefined
    ? Command.invalid("LINDEX", bad)
    : Command.make(["LINDEX", key, index], Reply.nullableString, CACHED_READ)
}

/**
 * LSET key index element: "OK" (a missing key or an index out of range is a `ReplyError`).
 *
 * @since 0.1.0
 * @category lists
 */
export const lset = (key: Key, index: number, element: Value): Command.Command<"OK"> => {
  const bad = badInteger(index, "index")
  return bad !== undefined
    ? Command.invalid("LSET", bad)
    : Command.make(["LSET", key, index, element], Reply.ok, WRITE_KEY)
}

/**
 * LINSERT key BEFORE|AFTER pivot element: the new length, -1 when `pivot` was not found, 0
 * when the list does not exist.
 *
 * @since 0.1.0
 * @category lists
 */
export const linsert = (
  key: Key,
  position: "BEFORE" | "AFTER",
  pivot: Value,
  element: Value
): Command.Command<number> =>
  position !== "BEFORE" && position !== "AFTER"
    ? Command.invalid("LINSERT", `position must be BEFORE or AFTER, got ${String(position)}`)
    : Command.make(["LINSERT", key, position, pivot, element], Reply.integer, WRITE_KEY)

/**
 * LREM key count element: removes `count` occurrences (from the head when positive, from the
 * tail when negative, all when 0); how many were removed.
 *
 * @since 0.1.0
 * @category lists
 */
export const lrem = (key: Key, count: number, element: Value): Command.Command<number> => {
  const bad = badInteger(count, "count")
  return bad !== undefined
    ? Command.invalid("LREM", bad)
    : Command.make(["LREM", key, count, element], Reply.integer, WRITE_KEY)
}

/**
 * LTRIM key start stop: keeps only the elements from `start` to `stop` inclusive; "OK".
 *
 * @since 0.1.0
 * @category lists
 */
export const ltrim = (key: Key, start: number, stop: number): Command.Command<"OK"> => {
  const bad = badInteger(start, "start") ?? badInteger(stop, "stop")
  return bad !== undefined
    ? Command.invalid("LTRIM", bad)
    : Command.make(["LTRIM", key, start, stop], Reply.ok, WRITE_KEY)
}

const lposArgs = (key: Key, element: Value, options: LposOptions | undefined): Array<Key | Value> | string => {
  const args: Array<Key | Value> = ["LPOS", key, element]
  if (options?.rank !== undefined) {
    const bad = badInteger(options.rank, "rank")
    if (bad !== undefined) return bad
    if (options.rank === 0) return "rank must not be 0 (1 is the first match, -1 the last)"
    args.push("RANK", options.rank)
  }
  if (options?.maxLength !== undefined) {
    const bad = badInteger(options.maxLength, "maxLength", 0)
    if (bad !== undefined) return bad
    args.push("MAXLEN", options.maxLength)
  }
  return args
}

/**
 * LPOS key element [RANK rank] [MAXLEN len]: the index of the matching element, or null.
 *
 * @since 0.1.0
 * @category lists
 */
export const lpos = (key: Key, element: Value, options?: LposOptions): Command.Command<number | null> => {
  const args = lposArgs(key, element, options)
  return typeof args === "string" ? Command.invalid("LPOS", args) : Command.make(args, Reply.nullableInteger, READ_KEY)
}

/**
 * LPOS key element COUNT count [RANK rank] [MAXLEN len]: the indexes of up to `count`
 * matches (0 = all), empty when there is none.
 *
 * @since 0.1.0
 * @category lists
 */
export const lposCount = (
  key: Key,
  element: Value,
  count: number,
  options?: LposOptions
): Command.Command<Array<number>> => {
  const args = lposArgs(key, element, options)
  if (typeof args === "string") return Command.invalid("LPOS", args)
  const bad = badInteger(count, "count", 0)
  if (bad !== undefined) return Command.invalid("LPOS", bad)
  args.push("COUNT", count)
  return Command.make(args, Reply.array(Reply.integer), READ_KEY)
}

const badDirection = (what: string, direction: ListDirection): string | undefined =>
  direction === "LEFT" || direction === "RIGHT" ? undefined : `${what} must be LEFT or RIGHT, got ${String(direction)}`

/**
 * LMOVE source destination LEFT|RIGHT LEFT|RIGHT: pops from one end of `source`, pushes to
 * one end of `destination`; the element, or null when `source` does not exist.
 *
 * @since 0.1.0
 * @category lists
 */
export const lmove = (
  source: Key,
  destination: Key,
  from: ListDirection,
  to: ListDirection
): Command.Command<string | null> => {
  const bad = badDirection("from", from) ?? badDirection("to", to)
  return bad !== undefined
    ? Command.invalid("LMOVE", bad)
    : Command.make(["LMOVE", source, destination, from, to], Reply.nullableString, TWO_KEYS)
}

/**
 * BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: LMOVE that waits up to `timeout`
 * seconds (0 = forever) for `source`; the element, or null on timeout.
 *
 * @since 0.1.0
 * @category lists
 */
export const blmove = (
  source: Key,
  destination: Key,
  from: ListDirection,
  to: ListDirection,
  timeout: number
): Command.Command<string | null> => {
  const bad = badDirection("from", from) ?? badDirection("to", to) ?? badTimeout(timeout)
  return bad !== undefined
    ? Command.invalid("BLMOVE", bad)
    : Command.make(["BLMOVE", source, destination, from, to, timeout], Reply.nullableString, {
        keys: [1, 2, 1],
        blockMillis: timeout * 1000
      })
}

/**
 * RPOPLPUSH source destination: pops the tail of `source` and pushes it at the head of
 * `destination`; the element, or null. (LMOVE source destination RIGHT LEFT.)
 *
 * @since 0.1.0
 * @category lists
 */
export const rpoplpush = (source: Key, destination: Key): Command.Command<string | null> =>
  Command.make(["RPOPLPUSH", source, destination], Reply.nullableString, TWO_KEYS)

/**
 * BRPOPLPUSH source destination timeout: RPOPLPUSH that waits up to `timeout` seconds
 * (0 = forever); the element, or null on timeout.
 *
 * @since 0.1.0
 * @category lists
 */
export const brpoplpush = (source: Key, destination: Key, timeout: number): Command.Command<string | null> => {
  const bad = badTimeout(timeout)
  return bad !== undefined
    ? Command.invalid("BRPOPLPUSH", bad)
    : Command.make(["BRPOPLPUSH", source, destination, timeout], Reply.nullableString, {
        keys: [1, 2, 1],
        blockMillis: timeout * 1000
      })
}

/**
 * LMPOP numkeys key [key …] LEFT|RIGHT [COUNT count]: pops up to `count` (default 1)
 * elements from the first non-empty list; `{ key, elements }`, or null when all are empty.
 *
 * @since 0.1.0
 * @category lists
 */
export const lmpop = (
  keys: ReadonlyArray<Key>,
  direction: ListDirection,
  count?: number
): Command.Command<KeyedElements | null> =>
  multiPop("LMPOP", keys, direction, badDirection("direction", direction), count, undefined, keyedElements)

/**
 * BLMPOP timeout numkeys key [key …] LEFT|RIGHT [COUNT count]: LMPOP that waits up to
 * `timeout` seconds (0 = forever); `{ key, elements }`, or null on timeout.
 *
 * @since 0.1.0
 * @category lists
 */
export const blmpop = (
  keys: ReadonlyArray<Key>,
  direction: ListDirection,
  timeout: number,
  count?: number
): Command.Command<KeyedElements | null> =>
  multiPop("BLMPOP", keys, direction, badDirection("direction", direction), count, timeout, keyedElements)

/**
 * BLPOP key [key …] timeout: the head of the first non-empty list as `{ key, element }`,
 * waiting up to `timeout` seconds (0 = forever); null on timeout.
 *
 * @since 0.1.0
 * @category lists
 */
export const blpop = blockingPop("BLPOP", keyedElement)

/**
 * BRPOP key [key …] timeout: the tail of the first non-empty list as `{ key, element }`,
 * waiting up to `timeout` seconds (0 = forever); null on timeout.
 *
 * @since 0.1.0
 * @category lists
 */
export const brpop = blockingPop("BRPOP", keyedElement)
