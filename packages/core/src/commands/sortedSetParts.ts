/**
 * What the sorted-set families share (not a family: no `Valkey` methods come from here): a
 * member with its score and the decoders of member lists.
 *
 * Scores are JS numbers (±Infinity included) whichever protocol the connection speaks: RESP2
 * sends them as strings, RESP3 as doubles, and WITHSCORES replies come flat under RESP2 and as
 * pairs under RESP3; every command here decodes both to the same value.
 *
 * @since 0.2.0
 */
import type * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { ScoredMember } from "./sortedSets.ts"

/**
 * Members with their scores, from a WITHSCORES reply of either protocol.
 *
 * @since 0.2.0
 * @category decoders
 */
export const scoredMembers: Command.Decoder<Array<ScoredMember>> = (reply) =>
  Reply.pairs(reply).map(([member, score]) => ({ member: Reply.string(member), score: Reply.double(score) }))

/**
 * A list of members.
 *
 * @since 0.2.0
 * @category decoders
 */
export const strings = Reply.array(Reply.string)
