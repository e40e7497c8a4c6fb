/**
 * Sorted set pops: ZPOPMIN/ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX and BZMPOP
 * (which wait their timeout on a connection of the blocking pool).
 *
 * Scores are JS numbers (±Infinity included) whichever protocol the connection speaks: RESP2
 * sends them as strings, RESP3 as doubles, and WITHSCORES replies come flat under RESP2 and as
 * pairs under RESP3; every command here decodes both to the same value.
 *
 * @since 0.2.0
 */
import { badInteger, type Key } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import { blockingPop, multiPop } from "./popParts.ts"
import { scoredMembers } from "./sortedSetParts.ts"
import type { ScoredMember } from "./sortedSets.ts"

const WRITE_KEY: Command.CommandOptions = { keys: 1 }

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

/**
 * BZPOPMIN key [key …] timeout: the lowest-scored member of the first non-empty set as
 * `{ key, member, score }`, waiting up to `timeout` seconds (0 = forever); null on timeout.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const bzpopmin = blockingPop("BZPOPMIN", keyedScoredMember)

/**
 * BZPOPMAX key [key …] timeout: the highest-scored member of the first non-empty set as
 * `{ key, member, score }`, waiting up to `timeout` seconds (0 = forever); null on timeout.
 *
 * @since 0.1.0
 * @category sorted sets
 */
export const bzpopmax = blockingPop("BZPOPMAX", keyedScoredMember)

const badModifier = (modifier: "MIN" | "MAX"): string | undefined =>
  modifier !== "MIN" && modifier !== "MAX" ? `modifier must be MIN or MAX, got ${String(modifier)}` : undefined

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
): Command.Command<KeyedScoredMembers | null> =>
  multiPop("ZMPOP", keys, modifier, badModifier(modifier), count, undefined, keyedScoredMembers)

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
): Command.Command<KeyedScoredMembers | null> =>
  multiPop("BZMPOP", keys, modifier, badModifier(modifier), count, timeout, keyedScoredMembers)
