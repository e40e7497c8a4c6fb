/**
 * Sorted set commands: ZADD (every option, and its INCR form), ZINCRBY, ZSCORE, ZMSCORE, ZCARD,
 * ZCOUNT, ZLEXCOUNT, ZRANK/ZREVRANK, ZRANGE in all its forms and ZRANGESTORE, ZREM and the
 * ZREMRANGEBY family, ZPOPMIN/ZPOPMAX, ZMPOP, ZRANDMEMBER, the ZUNION/ZINTER/ZDIFF algebra with
 * its STORE variants and ZINTERCARD, and the blocking BZPOPMIN, BZPOPMAX, BZMPOP.
 *
 * Scores are JS numbers (±Infinity included) whichever protocol the connection speaks: RESP2
 * sends them as strings, RESP3 as doubles, and WITHSCORES replies come flat under RESP2 and as
 * pairs under RESP3; every command here decodes both to the same value.
 *
 * @since 0.1.0
 */
import { badInteger, badScore, badTimeout, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import { numberArgument } from "../resp/encoder.ts"

const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
/** A read a client-side cache may answer (see `CommandOptions.cacheable`). */
const CACHED_READ: Command.CommandOptions = { keys: 1, readonly: true, cacheable: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }

/**
 * A member with its score, as sorted set replies give them.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScoredMember {
  readonly member: string
  readonly score: number
}

/**
 * A member with its score popped by BZPOPMIN/BZPOPMAX, and the key it came from.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyedScoredMember {
  readonly key: string
  readonly member: string
  readonly score: number
}

/**
 * Members popped by ZMPOP/BZMPOP, and the key they came from.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyedScoredMembers {
  readonly key: string
  readonly elements: Array<ScoredMember>
}

/**
 * Members to add with their scores: a list of `{ member, score }` (the only form for binary
 * members), or a record from member to score.
 *
 * @since 0.1.0
 * @category models
 */
export type ScoredMembers =
  | ReadonlyArray<{ readonly member: Value; readonly score: number }>
  | Readonly<Record<string, number>>

/**
 * Options of ZADD: add only new members (`"NX"`) or only update existing ones (`"XX"`); update
 * only when the new score is greater (`"GT"`) or less (`"LT"`); count changed members rather
 * than added ones (`changed`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ZAddOptions {
  readonly condition?: "NX" | "XX"
  readonly comparison?: "GT" | "LT"
  readonly changed?: boolean
}

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

/**
 * The source keys of ZUNION/ZINTER: plain keys, or `[key, weight]` pairs (WEIGHTS).
 *
 * @since 0.1.0
 * @category models
 */
export type WeightedKeys = ReadonlyArray<Key> | ReadonlyArray<readonly [Key, number]>

/**
 * How ZUNION/ZINTER combine the scores of a member present in several sets (default SUM).
 *
 * @since 0.1.0
 * @category models
 */
export interface AggregateOptions {
  readonly aggregate?: "SUM" | "MIN" | "MAX"
}

// ---------------------------------------------------------------------------------------------
// Decoders

const scoredMembers: Command.Decoder<Array<ScoredMember>> = (reply) =>
  Reply.pairs(reply).map(([member, score]) => ({ member: Reply.string(member), score: Reply.double(score) }))

const rankWithScore: Command.Decoder<{ rank: number; score: number } | null> = (reply) => {
  if (reply === null) return null
  const [rank, score] = Reply.tuple(Reply.integer, Reply.double)(reply)
  return { rank, score }
}

const keyedScoredMember: Command.Decoder<KeyedScoredMember | null> = (reply) => {
  if (reply === null) return null
  const [key, member, score] = Reply.tuple(Reply.string, Reply.string, Reply.double)(reply)
  return { key, member, score }
}

const keyedScoredMembers: Command.Decoder<KeyedScoredMembers | null> = (reply) => {
  if (reply === null) return null
  const [key, elements] = Reply.tuple(Reply.string, scoredMembers)(reply)
  return { key, elements }
}

const strings = Reply.array(Reply.string)

// ---------------------------------------------------------------------------------------------
// Arguments

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

const zaddArgs = (key: Key, options: ZAddOptions | undefined): Array<Key | Value> | string => {
  const args: Array<Key | Value> = ["ZADD", key]
  if (options === undefined) return args
  const { changed, comparison, condition } = options
  if (condition !== undefined) {
    if (condition !== "NX" && condition !== "XX") return `condition must be NX or XX, got ${String(condition)}`
    if (condition === "NX" && comparison !== undefined)
      return `condition NX and comparison ${comparison} exclude each other`
    args.push(condition)
  }
  if (comparison !== undefined) {
    if (comparison !== "GT" && comparison !== "LT") return `comparison must be GT or LT, got ${String(comparison)}`
    args.push(comparison)
  }
  if (changed === true) args.push("CH")
  return args
}

/** Appends `score member` pairs; says why not when a score is NaN or there are none. */
const pushScored = (args: Array<Key | Value>, members: ScoredMembers): string | undefined => {
  const before = args.length
  if (Array.isArray(members)) {
    for (const { member, score } of members as ReadonlyArray<{ member: Value; score: number }>) {
      const bad = badScore(score, `score of ${String(member)}`)
      if (bad !== undefined) return bad
      args.push(score, member)
    }
  } else {
    for (const member in members) {
      const score = (members as Record<string, number>)[member]!
      const bad = badScore(score, `score of ${member}`)
      if (bad !== undefined) return bad
      args.push(score, member)
    }
  }
  return args.length === before ? "needs at least one member" : undefined
}

/** Appends `numkeys key … [WEIGHTS w …]`; says why not for no keys or a NaN weight. */
const pushWeighted = (args: Array<Key | Value>, keys: WeightedKeys): string | undefined => {
  if (keys.length === 0) return "needs at least one key"
  args.push(keys.length)
  if (!Array.isArray(keys[0])) {
    for (const key of keys as ReadonlyArray<Key>) {
      if (Array.isArray(key)) return "give every key a weight, or none"
      args.push(key)
    }
    return undefined
  }
  const weights: Array<number> = []
  for (const pair of keys as ReadonlyArray<readonly [Key, number]>) {
    if (!Array.isArray(pair)) return "give every key a weight, or none"
    const bad = badScore(pair[1], "weight")
    if (bad !== undefined) return bad
    args.push(pair[0])
    weights.push(pair[1])
  }
  args.push("WEIGHTS", ...weights)
  return undefined
}

const pushAggregate = (args: Array<Key | Value>, options: AggregateOptions | undefined): string | undefined => {
  const aggregate = options?.aggregate
  if (aggregate === undefined) return undefined
  if (aggregate !== "SUM" && aggregate !== "MIN" && aggregate !== "MAX") {
    return `aggregate must be SUM, MIN or MAX, got ${String(aggregate)}`
  }
  args.push("AGGREGATE", aggregate)
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Commands

/**
 * ZADD key [NX|XX] [GT|LT] [CH] score member [score member …]: how many members were added
 * (with `changed`: added or updated).
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zadd = (key: Key, members: ScoredMembers, options?: ZAddOptions): Command.Command<number> => {
  const args = zaddArgs(key, options)
  if (typeof args === "string") return Command.invalid("ZADD", args)
  const bad = pushScored(args, members)
  return bad !== undefined ? Command.invalid("ZADD", bad) : Command.make(args, Reply.integer, WRITE_KEY)
}

/**
 * ZADD key [NX|XX] [GT|LT] INCR increment member: the member's new score, or null when a
 * condition stopped the update.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zaddIncr = (
  key: Key,
  member: Value,
  increment: number,
  options?: Omit<ZAddOptions, "changed">
): Command.Command<number | null> => {
  const args = zaddArgs(key, options === undefined ? undefined : { ...options, changed: false })
  if (typeof args === "string") return Command.invalid("ZADD", args)
  const bad = badScore(increment, "increment")
  if (bad !== undefined) return Command.invalid("ZADD", bad)
  args.push("INCR", increment, member)
  return Command.make(args, Reply.nullableDouble, WRITE_KEY)
}

/**
 * ZINCRBY key increment member: the member's new score.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zincrBy = (key: Key, increment: number, member: Value): Command.Command<number> => {
  const bad = badScore(increment, "increment")
  return bad !== undefined
    ? Command.invalid("ZINCRBY", bad)
    : Command.make(["ZINCRBY", key, increment, member], Reply.double, WRITE_KEY)
}

/**
 * ZSCORE key member: the score, or null when the member or the key does not exist.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zscore = (key: Key, member: Value): Command.Command<number | null> =>
  Command.make(["ZSCORE", key, member], Reply.nullableDouble, CACHED_READ)

/**
 * ZMSCORE key member [member …]: the scores in the order of the members, null for missing ones.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zmscore = (key: Key, members: ReadonlyArray<Value>): Command.Command<Array<number | null>> =>
  members.length === 0
    ? Command.invalid("ZMSCORE", "needs at least one member")
    : Command.make(["ZMSCORE", key, ...members], Reply.array(Reply.nullableDouble), CACHED_READ)

/**
 * ZCARD key: the number of members.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zcard = (key: Key): Command.Command<number> => Command.make(["ZCARD", key], Reply.integer, CACHED_READ)

/**
 * ZCOUNT key min max: how many members have a score within the bounds.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zcount = (key: Key, min: ScoreBoundary, max: ScoreBoundary): Command.Command<number> => {
  const lo = scoreBoundary(min, "min")
  const hi = scoreBoundary(max, "max")
  if (isBad(lo)) return Command.invalid("ZCOUNT", lo.bad)
  if (isBad(hi)) return Command.invalid("ZCOUNT", hi.bad)
  return Command.make(["ZCOUNT", key, lo, hi], Reply.integer, CACHED_READ)
}

/**
 * ZLEXCOUNT key min max: how many members lie within the lexicographic bounds (meaningful when
 * all scores are equal).
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zlexcount = (key: Key, min: LexBoundary, max: LexBoundary): Command.Command<number> => {
  const lo = lexBoundary(min, "min")
  const hi = lexBoundary(max, "max")
  if (isBad(lo)) return Command.invalid("ZLEXCOUNT", lo.bad)
  if (isBad(hi)) return Command.invalid("ZLEXCOUNT", hi.bad)
  return Command.make(["ZLEXCOUNT", key, lo, hi], Reply.integer, CACHED_READ)
}

/**
 * ZRANK key member: the rank by ascending score (0-based), or null.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrank = (key: Key, member: Value): Command.Command<number | null> =>
  Command.make(["ZRANK", key, member], Reply.nullableInteger, CACHED_READ)

/**
 * ZRANK key member WITHSCORE: `{ rank, score }`, or null.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrankWithScore = (key: Key, member: Value): Command.Command<{ rank: number; score: number } | null> =>
  Command.make(["ZRANK", key, member, "WITHSCORE"], rankWithScore, CACHED_READ)

/**
 * ZREVRANK key member: the rank by descending score (0-based), or null.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrevrank = (key: Key, member: Value): Command.Command<number | null> =>
  Command.make(["ZREVRANK", key, member], Reply.nullableInteger, CACHED_READ)

/**
 * ZREVRANK key member WITHSCORE: `{ rank, score }`, or null.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrevrankWithScore = (key: Key, member: Value): Command.Command<{ rank: number; score: number } | null> =>
  Command.make(["ZREVRANK", key, member, "WITHSCORE"], rankWithScore, CACHED_READ)

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
 * ZREM key member [member …]: how many members were removed.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrem = (key: Key, members: ReadonlyArray<Value>): Command.Command<number> =>
  members.length === 0
    ? Command.invalid("ZREM", "needs at least one member")
    : Command.make(["ZREM", key, ...members], Reply.integer, WRITE_KEY)

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
export const zremRangeByScore = (key: Key, min: ScoreBoundary, max: ScoreBoundary): Command.Command<number> => {
  const lo = scoreBoundary(min, "min")
  const hi = scoreBoundary(max, "max")
  if (isBad(lo)) return Command.invalid("ZREMRANGEBYSCORE", lo.bad)
  if (isBad(hi)) return Command.invalid("ZREMRANGEBYSCORE", hi.bad)
  return Command.make(["ZREMRANGEBYSCORE", key, lo, hi], Reply.integer, WRITE_KEY)
}

/**
 * ZREMRANGEBYLEX key min max: removes the members within the lexicographic bounds; how many.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zremRangeByLex = (key: Key, min: LexBoundary, max: LexBoundary): Command.Command<number> => {
  const lo = lexBoundary(min, "min")
  const hi = lexBoundary(max, "max")
  if (isBad(lo)) return Command.invalid("ZREMRANGEBYLEX", lo.bad)
  if (isBad(hi)) return Command.invalid("ZREMRANGEBYLEX", hi.bad)
  return Command.make(["ZREMRANGEBYLEX", key, lo, hi], Reply.integer, WRITE_KEY)
}

const pop =
  (name: string) =>
  (key: Key, count?: number): Command.Command<Array<ScoredMember>> => {
    if (count === undefined) return Command.make([name, key], scoredMembers, WRITE_KEY)
    const bad = badInteger(count, "count", 1)
    return bad !== undefined ? Command.invalid(name, bad) : Command.make([name, key, count], scoredMembers, WRITE_KEY)
  }

/**
 * ZPOPMIN key [count]: removes and returns up to `count` (default 1) lowest-scored members.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zpopmin = pop("ZPOPMIN")

/**
 * ZPOPMAX key [count]: removes and returns up to `count` (default 1) highest-scored members.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zpopmax = pop("ZPOPMAX")

const blockingPop =
  (name: string) =>
  (keys: ReadonlyArray<Key>, timeout: number): Command.Command<KeyedScoredMember | null> => {
    const bad = keys.length === 0 ? "needs at least one key" : badTimeout(timeout)
    return bad !== undefined
      ? Command.invalid(name, bad)
      : Command.make([name, ...keys, timeout], keyedScoredMember, {
          keys: [1, keys.length, 1],
          blockMillis: timeout * 1000
        })
  }

/**
 * BZPOPMIN key [key …] timeout: the lowest-scored member of the first non-empty set as
 * `{ key, member, score }`, waiting up to `timeout` seconds (0 = forever); null on timeout.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const bzpopmin = blockingPop("BZPOPMIN")

/**
 * BZPOPMAX key [key …] timeout: the highest-scored member of the first non-empty set as
 * `{ key, member, score }`, waiting up to `timeout` seconds (0 = forever); null on timeout.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const bzpopmax = blockingPop("BZPOPMAX")

const mpopBad = (keys: ReadonlyArray<Key>, modifier: "MIN" | "MAX", count: number | undefined): string | undefined =>
  keys.length === 0
    ? "needs at least one key"
    : modifier !== "MIN" && modifier !== "MAX"
      ? `modifier must be MIN or MAX, got ${String(modifier)}`
      : count === undefined
        ? undefined
        : badInteger(count, "count", 1)

/**
 * ZMPOP numkeys key [key …] MIN|MAX [COUNT count]: pops up to `count` (default 1) members from
 * the first non-empty set; `{ key, elements }`, or null when all are empty.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zmpop = (
  keys: ReadonlyArray<Key>,
  modifier: "MIN" | "MAX",
  count?: number
): Command.Command<KeyedScoredMembers | null> => {
  const bad = mpopBad(keys, modifier, count)
  if (bad !== undefined) return Command.invalid("ZMPOP", bad)
  const args: Array<Key | Value> = ["ZMPOP", keys.length, ...keys, modifier]
  if (count !== undefined) args.push("COUNT", count)
  return Command.make(args, keyedScoredMembers, { keys: [2, 1 + keys.length, 1] })
}

/**
 * BZMPOP timeout numkeys key [key …] MIN|MAX [COUNT count]: ZMPOP that waits up to `timeout`
 * seconds (0 = forever); `{ key, elements }`, or null on timeout.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const bzmpop = (
  keys: ReadonlyArray<Key>,
  modifier: "MIN" | "MAX",
  timeout: number,
  count?: number
): Command.Command<KeyedScoredMembers | null> => {
  const bad = mpopBad(keys, modifier, count) ?? badTimeout(timeout)
  if (bad !== undefined) return Command.invalid("BZMPOP", bad)
  const args: Array<Key | Value> = ["BZMPOP", timeout, keys.length, ...keys, modifier]
  if (count !== undefined) args.push("COUNT", count)
  return Command.make(args, keyedScoredMembers, { keys: [3, 2 + keys.length, 1], blockMillis: timeout * 1000 })
}

/**
 * ZRANDMEMBER key: a random member, or null when the key does not exist.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrandmember = (key: Key): Command.Command<string | null> =>
  Command.make(["ZRANDMEMBER", key], Reply.nullableString, READ_KEY)

/**
 * ZRANDMEMBER key count: up to `count` distinct random members; exactly `-count`, possibly
 * repeated, when `count` is negative.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrandmemberWithCount = (key: Key, count: number): Command.Command<Array<string>> => {
  const bad = badInteger(count, "count")
  return bad !== undefined
    ? Command.invalid("ZRANDMEMBER", bad)
    : Command.make(["ZRANDMEMBER", key, count], strings, READ_KEY)
}

/**
 * ZRANDMEMBER key count WITHSCORES: like `zrandmemberWithCount`, with scores.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zrandmemberWithCountWithScores = (key: Key, count: number): Command.Command<Array<ScoredMember>> => {
  const bad = badInteger(count, "count")
  return bad !== undefined
    ? Command.invalid("ZRANDMEMBER", bad)
    : Command.make(["ZRANDMEMBER", key, count, "WITHSCORES"], scoredMembers, READ_KEY)
}

const combine = <A>(
  name: string,
  keys: WeightedKeys,
  options: AggregateOptions | undefined,
  withScores: boolean,
  decode: Command.Decoder<A>
): Command.Command<A> => {
  const args: Array<Key | Value> = [name]
  const bad = pushWeighted(args, keys) ?? pushAggregate(args, options)
  if (bad !== undefined) return Command.invalid(name, bad)
  if (withScores) args.push("WITHSCORES")
  return Command.make(args, decode, { keys: [2, 1 + keys.length, 1], readonly: true })
}

/**
 * ZUNION numkeys key [key …] [WEIGHTS weight …] [AGGREGATE SUM|MIN|MAX]: the members of any
 * set, by ascending combined score.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zunion = (keys: WeightedKeys, options?: AggregateOptions): Command.Command<Array<string>> =>
  combine("ZUNION", keys, options, false, strings)

/**
 * ZUNION … WITHSCORES: the members of any set with their combined scores.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zunionWithScores = (
  keys: WeightedKeys,
  options?: AggregateOptions
): Command.Command<Array<ScoredMember>> => combine("ZUNION", keys, options, true, scoredMembers)

/**
 * ZINTER numkeys key [key …] [WEIGHTS weight …] [AGGREGATE SUM|MIN|MAX]: the members of every
 * set, by ascending combined score.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zinter = (keys: WeightedKeys, options?: AggregateOptions): Command.Command<Array<string>> =>
  combine("ZINTER", keys, options, false, strings)

/**
 * ZINTER … WITHSCORES: the members of every set with their combined scores.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zinterWithScores = (
  keys: WeightedKeys,
  options?: AggregateOptions
): Command.Command<Array<ScoredMember>> => combine("ZINTER", keys, options, true, scoredMembers)

/**
 * ZDIFF numkeys key [key …]: the members of the first set that are in none of the others.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zdiff = (keys: ReadonlyArray<Key>): Command.Command<Array<string>> =>
  combine("ZDIFF", keys, undefined, false, strings)

/**
 * ZDIFF numkeys key [key …] WITHSCORES: the difference with the scores of the first set.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zdiffWithScores = (keys: ReadonlyArray<Key>): Command.Command<Array<ScoredMember>> =>
  combine("ZDIFF", keys, undefined, true, scoredMembers)

// The source keys follow `numkeys`, so only the destination is declared, as COMMAND INFO does;
// in a cluster the server rejects sources in another slot.
const storeCombined = (
  name: string,
  destination: Key,
  keys: WeightedKeys,
  options: AggregateOptions | undefined
): Command.Command<number> => {
  const args: Array<Key | Value> = [name, destination]
  const bad = pushWeighted(args, keys) ?? pushAggregate(args, options)
  return bad !== undefined ? Command.invalid(name, bad) : Command.make(args, Reply.integer, WRITE_KEY)
}

/**
 * ZUNIONSTORE destination numkeys key [key …] [WEIGHTS weight …] [AGGREGATE SUM|MIN|MAX]:
 * stores the union in `destination`; its size.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zunionstore = (
  destination: Key,
  keys: WeightedKeys,
  options?: AggregateOptions
): Command.Command<number> => storeCombined("ZUNIONSTORE", destination, keys, options)

/**
 * ZINTERSTORE destination numkeys key [key …] [WEIGHTS weight …] [AGGREGATE SUM|MIN|MAX]:
 * stores the intersection in `destination`; its size.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zinterstore = (
  destination: Key,
  keys: WeightedKeys,
  options?: AggregateOptions
): Command.Command<number> => storeCombined("ZINTERSTORE", destination, keys, options)

/**
 * ZDIFFSTORE destination numkeys key [key …]: stores the difference in `destination`; its size.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zdiffstore = (destination: Key, keys: ReadonlyArray<Key>): Command.Command<number> =>
  storeCombined("ZDIFFSTORE", destination, keys, undefined)

/**
 * ZINTERCARD numkeys key [key …] [LIMIT limit]: the size of the intersection, counting stopped
 * at `limit` when given (0 = no limit).
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const zinterCard = (keys: ReadonlyArray<Key>, limit?: number): Command.Command<number> => {
  const bad =
    keys.length === 0 ? "needs at least one key" : limit === undefined ? undefined : badInteger(limit, "limit", 0)
  if (bad !== undefined) return Command.invalid("ZINTERCARD", bad)
  const args: Array<Key | Value> = ["ZINTERCARD", keys.length, ...keys]
  if (limit !== undefined) args.push("LIMIT", limit)
  return Command.make(args, Reply.integer, { keys: [2, 1 + keys.length, 1], readonly: true })
}
