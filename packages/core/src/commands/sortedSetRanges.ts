/**
 * Sorted set ranges: ZRANGE in all its forms (by rank, score or lex, reversed, limited, with
 * scores), ZRANGESTORE, ZCOUNT, ZLEXCOUNT and the ZREMRANGEBYRANK/SCORE/LEX removals.
 *
 * Scores are JS numbers (±Infinity included) whichever protocol the connection speaks: RESP2
 * sends them as strings, RESP3 as doubles, and WITHSCORES replies come flat under RESP2 and as
 * pairs under RESP3; every command here decodes both to the same value.
 *
 * @since 0.2.0
 */
import { badInteger, badScore, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import { numberArgument } from "../resp/encoder.ts"
import { scoredMembers, strings } from "./sortedSetParts.ts"
import type { ScoredMember } from "./sortedSets.ts"

/** A read a client-side cache may answer (see `CommandOptions.cacheable`). */
const CACHED_READ: Command.CommandOptions = { keys: 1, readonly: true, cacheable: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }

/**
 * A score bound: a number (inclusive; `Infinity` and `-Infinity` for the open ends), or
 * `{ value, exclusive: true }`.
 *
 * @since 0.1.0
 * @category models
 */
export type ScoreBoundary = number | { readonly value: number; readonly exclusive?: boolean }

/**
 * A lexicographic bound: `"-"` and `"+"` for the open ends, or a member, inclusive unless
 * `exclusive` is set.
 *
 * @since 0.1.0
 * @category models
 */
export type LexBoundary = "-" | "+" | { readonly value: Value; readonly exclusive?: boolean }

/**
 * LIMIT of a score or lex range: skip `offset` members, return at most `count` (negative = all).
 *
 * @since 0.1.0
 * @category models
 */
export interface RangeLimit {
  readonly offset: number
  readonly count: number
}

/**
 * The range of ZRANGE: by rank (`start`/`stop` inclusive, negative counting from the end), by
 * score or by member (`min`/`max`, always the lower bound first, also with `reverse`).
 *
 * @since 0.1.0
 * @category models
 */
export type ZRange =
  | { readonly type: "byIndex"; readonly start: number; readonly stop: number }
  | {
      readonly type: "byScore"
      readonly min: ScoreBoundary
      readonly max: ScoreBoundary
      readonly limit?: RangeLimit
    }
  | {
      readonly type: "byLex"
      readonly min: LexBoundary
      readonly max: LexBoundary
      readonly limit?: RangeLimit
    }

/**
 * Options of ZRANGE: `reverse` orders from the highest score (REV).
 *
 * @since 0.1.0
 * @category models
 */
export interface ZRangeOptions {
  readonly reverse?: boolean
}

const scoreBoundary = (bound: ScoreBoundary, what: string): Value | { readonly bad: string } => {
  if (typeof bound === "number") {
    const bad = badScore(bound, what)
    return bad !== undefined ? { bad } : bound
  }
  const bad = badScore(bound.value, what)
  if (bad !== undefined) return { bad }
  return bound.exclusive === true ? `(${numberArgument(bound.value)}` : bound.value
}

const utf8 = new TextEncoder()

const lexBoundary = (bound: LexBoundary, what: string): Value | { readonly bad: string } => {
  if (bound === "-" || bound === "+") return bound
  if (typeof bound !== "object" || bound === null) return { bad: `${what} must be "-", "+" or { value }` }
  const prefix = bound.exclusive === true ? "(" : "["
  const value = bound.value
  if (!(value instanceof Uint8Array)) return `${prefix}${typeof value === "number" ? numberArgument(value) : value}`
  const out = new Uint8Array(value.length + 1)
  out[0] = utf8.encode(prefix)[0]!
  out.set(value, 1)
  return out
}

const isBad = (value: Value | { readonly bad: string }): value is { readonly bad: string } =>
  typeof value === "object" && !(value instanceof Uint8Array)

/** Appends the range part of ZRANGE/ZRANGESTORE to `args`, or says why it cannot. */
const pushRange = (args: Array<Key | Value>, range: ZRange, options: ZRangeOptions | undefined): string | undefined => {
  const reverse = options?.reverse === true
  switch (range.type) {
    case "byIndex": {
      const bad = badInteger(range.start, "start") ?? badInteger(range.stop, "stop")
      if (bad !== undefined) return bad
      args.push(range.start, range.stop)
      break
    }
    case "byScore":
    case "byLex": {
      const min = range.type === "byScore" ? scoreBoundary(range.min, "min") : lexBoundary(range.min, "min")
      if (isBad(min)) return min.bad
      const max = range.type === "byScore" ? scoreBoundary(range.max, "max") : lexBoundary(range.max, "max")
      if (isBad(max)) return max.bad
      // With REV the server wants the upper bound first; callers always give min then max.
      if (reverse) args.push(max, min)
      else args.push(min, max)
      args.push(range.type === "byScore" ? "BYSCORE" : "BYLEX")
      break
    }
    default:
      return `range type must be byIndex, byScore or byLex, got ${String((range as { type: unknown }).type)}`
  }
  if (reverse) args.push("REV")
  if (range.type !== "byIndex" && range.limit !== undefined) {
    const bad = badInteger(range.limit.offset, "limit.offset", 0) ?? badInteger(range.limit.count, "limit.count")
    if (bad !== undefined) return bad
    args.push("LIMIT", range.limit.offset, range.limit.count)
  }
  return undefined
}

/** `name key min max` with its bounds checked: ZCOUNT, ZLEXCOUNT, ZREMRANGEBYSCORE/LEX. */
const bounded =
  <B>(
    name: string,
    boundary: (bound: B, what: string) => Value | { readonly bad: string },
    options: Command.CommandOptions
  ) =>
  (key: Key, min: B, max: B): Command.Command<number> => {
    const lo = boundary(min, "min")
    if (isBad(lo)) return Command.invalid(name, lo.bad)
    const hi = boundary(max, "max")
    if (isBad(hi)) return Command.invalid(name, hi.bad)
    return Command.make([name, key, lo, hi], Reply.integer, options)
  }

/**
 * ZCOUNT key min max: how many members have a score within the bounds.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zcount = bounded("ZCOUNT", scoreBoundary, CACHED_READ)

/**
 * ZLEXCOUNT key min max: how many members lie within the lexicographic bounds (meaningful when
 * all scores are equal).
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zlexcount = bounded("ZLEXCOUNT", lexBoundary, CACHED_READ)

/**
 * ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]: the members in the range.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrange = (key: Key, range: ZRange, options?: ZRangeOptions): Command.Command<Array<string>> => {
  const args: Array<Key | Value> = ["ZRANGE", key]
  const bad = pushRange(args, range, options)
  return bad !== undefined ? Command.invalid("ZRANGE", bad) : Command.make(args, strings, CACHED_READ)
}

/**
 * ZRANGE … WITHSCORES: the members in the range with their scores (not for `byLex`).
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrangeWithScores = (
  key: Key,
  range: Exclude<ZRange, { readonly type: "byLex" }>,
  options?: ZRangeOptions
): Command.Command<Array<ScoredMember>> => {
  const args: Array<Key | Value> = ["ZRANGE", key]
  const bad =
    (range as ZRange).type === "byLex" ? "WITHSCORES cannot be used with byLex" : pushRange(args, range, options)
  if (bad !== undefined) return Command.invalid("ZRANGE", bad)
  args.push("WITHSCORES")
  return Command.make(args, scoredMembers, CACHED_READ)
}

/**
 * ZRANGESTORE destination source start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]: stores
 * the range in `destination`; its size.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrangeStore = (
  destination: Key,
  source: Key,
  range: ZRange,
  options?: ZRangeOptions
): Command.Command<number> => {
  const args: Array<Key | Value> = ["ZRANGESTORE", destination, source]
  const bad = pushRange(args, range, options)
  return bad !== undefined
    ? Command.invalid("ZRANGESTORE", bad)
    : Command.make(args, Reply.integer, { keys: [1, 2, 1] })
}

/**
 * ZREMRANGEBYRANK key start stop: removes the members ranked `start` to `stop` inclusive; how
 * many were removed.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zremRangeByRank = (key: Key, start: number, stop: number): Command.Command<number> => {
  const bad = badInteger(start, "start") ?? badInteger(stop, "stop")
  return bad !== undefined
    ? Command.invalid("ZREMRANGEBYRANK", bad)
    : Command.make(["ZREMRANGEBYRANK", key, start, stop], Reply.integer, WRITE_KEY)
}

/**
 * ZREMRANGEBYSCORE key min max: removes the members scored within the bounds; how many.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zremRangeByScore = bounded("ZREMRANGEBYSCORE", scoreBoundary, WRITE_KEY)

/**
 * ZREMRANGEBYLEX key min max: removes the members within the lexicographic bounds; how many.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zremRangeByLex = bounded("ZREMRANGEBYLEX", lexBoundary, WRITE_KEY)
