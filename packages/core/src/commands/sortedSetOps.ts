/**
 * Sorted set operations: ZUNION, ZINTER and ZDIFF (with scores), their STORE forms and
 * ZINTERCARD.
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
import { scoredMembers, strings } from "./sortedSetParts.ts"
import type { ScoredMember } from "./sortedSets.ts"

const WRITE_KEY: Command.CommandOptions = { keys: 1 }

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
