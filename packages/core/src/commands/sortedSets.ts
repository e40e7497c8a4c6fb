/**
 * Sorted set members and scores: ZADD (every option, and its INCR form), ZINCRBY, ZSCORE,
 * ZMSCORE, ZCARD, ZRANK/ZREVRANK (with their scores), ZREM and ZRANDMEMBER. Ranges are in
 * `sortedSetRanges`, pops in `sortedSetPops`, ZUNION/ZINTER/ZDIFF in `sortedSetOps`.
 *
 * Scores are JS numbers (±Infinity included) whichever protocol the connection speaks: RESP2
 * sends them as strings, RESP3 as doubles, and WITHSCORES replies come flat under RESP2 and as
 * pairs under RESP3; every command here decodes both to the same value.
 *
 * @since 0.1.0
 */
import { badInteger, badScore, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import { scoredMembers, strings } from "./sortedSetParts.ts"

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

const rankWithScore: Command.Decoder<{ rank: number; score: number } | null> = (reply) => {
  if (reply === null) return null
  const [rank, score] = Reply.tuple(Reply.integer, Reply.double)(reply)
  return { rank, score }
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
