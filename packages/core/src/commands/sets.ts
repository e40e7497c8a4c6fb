/**
 * Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE,
 * and the SINTER/SUNION/SDIFF algebra with its STORE variants and SINTERCARD. Sets of members
 * come back as JS `Set`s.
 *
 * @since 0.1.0
 */
import { badInteger, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
/** A read a client-side cache may answer (see `CommandOptions.cacheable`). */
const CACHED_READ: Command.CommandOptions = { keys: 1, readonly: true, cacheable: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }

const stringSet = Reply.set(Reply.string)

const members =
  (name: string) =>
  (key: Key, members: ReadonlyArray<Value>): Command.Command<number> =>
    members.length === 0
      ? Command.invalid(name, "needs at least one member")
      : Command.make([name, key, ...members], Reply.integer, WRITE_KEY)

/**
 * SADD key member [member …]: how many members were added (not already present).
 *
 * @since 0.1.0
 * @category sets
 */
export const sadd = members("SADD")

/**
 * SREM key member [member …]: how many members were removed.
 *
 * @since 0.1.0
 * @category sets
 */
export const srem = members("SREM")

/**
 * SMEMBERS key: every member (an empty set when the key does not exist).
 *
 * @since 0.1.0
 * @category sets
 */
export const smembers = (key: Key): Command.Command<Set<string>> =>
  Command.make(["SMEMBERS", key], stringSet, CACHED_READ)

/**
 * SISMEMBER key member.
 *
 * @since 0.1.0
 * @category sets
 */
export const sismember = (key: Key, member: Value): Command.Command<boolean> =>
  Command.make(["SISMEMBER", key, member], Reply.boolean, CACHED_READ)

/**
 * SMISMEMBER key member [member …]: whether each member is in the set, in order.
 *
 * @since 0.1.0
 * @category sets
 */
export const smismember = (key: Key, members: ReadonlyArray<Value>): Command.Command<Array<boolean>> =>
  members.length === 0
    ? Command.invalid("SMISMEMBER", "needs at least one member")
    : Command.make(["SMISMEMBER", key, ...members], Reply.array(Reply.boolean), CACHED_READ)

/**
 * SCARD key: the number of members.
 *
 * @since 0.1.0
 * @category sets
 */
export const scard = (key: Key): Command.Command<number> => Command.make(["SCARD", key], Reply.integer, CACHED_READ)

/**
 * SPOP key: removes and returns a random member, or null when the set does not exist.
 *
 * @since 0.1.0
 * @category sets
 */
export const spop = (key: Key): Command.Command<string | null> =>
  Command.make(["SPOP", key], Reply.nullableString, WRITE_KEY)

/**
 * SPOP key count: removes and returns up to `count` distinct random members.
 *
 * @since 0.1.0
 * @category sets
 */
export const spopCount = (key: Key, count: number): Command.Command<Set<string>> => {
  const bad = badInteger(count, "count", 0)
  return bad !== undefined ? Command.invalid("SPOP", bad) : Command.make(["SPOP", key, count], stringSet, WRITE_KEY)
}

/**
 * SRANDMEMBER key: a random member, or null when the set does not exist.
 *
 * @since 0.1.0
 * @category sets
 */
export const srandmember = (key: Key): Command.Command<string | null> =>
  Command.make(["SRANDMEMBER", key], Reply.nullableString, READ_KEY)

/**
 * SRANDMEMBER key count: up to `count` distinct random members when `count` is positive;
 * exactly `-count` members, possibly repeated, when it is negative.
 *
 * @since 0.1.0
 * @category sets
 */
export const srandmemberCount = (key: Key, count: number): Command.Command<Array<string>> => {
  const bad = badInteger(count, "count")
  return bad !== undefined
    ? Command.invalid("SRANDMEMBER", bad)
    : Command.make(["SRANDMEMBER", key, count], Reply.array(Reply.string), READ_KEY)
}

/**
 * SMOVE source destination member: true when the member was moved.
 *
 * @since 0.1.0
 * @category sets
 */
export const smove = (source: Key, destination: Key, member: Value): Command.Command<boolean> =>
  Command.make(["SMOVE", source, destination, member], Reply.boolean, { keys: [1, 2, 1] })

const algebra =
  (name: string) =>
  (keys: ReadonlyArray<Key>): Command.Command<Set<string>> =>
    keys.length === 0
      ? Command.invalid(name, "needs at least one key")
      : Command.make([name, ...keys], stringSet, { keys: [1, keys.length, 1], readonly: true })

const store =
  (name: string) =>
  (destination: Key, keys: ReadonlyArray<Key>): Command.Command<number> =>
    keys.length === 0
      ? Command.invalid(name, "needs at least one source key")
      : Command.make([name, destination, ...keys], Reply.integer, { keys: [1, 1 + keys.length, 1] })

/**
 * SINTER key [key …]: the members present in every set.
 *
 * @since 0.1.0
 * @category sets
 */
export const sinter = algebra("SINTER")

/**
 * SUNION key [key …]: the members present in any set.
 *
 * @since 0.1.0
 * @category sets
 */
export const sunion = algebra("SUNION")

/**
 * SDIFF key [key …]: the members of the first set that are in none of the others.
 *
 * @since 0.1.0
 * @category sets
 */
export const sdiff = algebra("SDIFF")

/**
 * SINTERSTORE destination key [key …]: stores SINTER in `destination`; its size.
 *
 * @since 0.1.0
 * @category sets
 */
export const sinterstore = store("SINTERSTORE")

/**
 * SUNIONSTORE destination key [key …]: stores SUNION in `destination`; its size.
 *
 * @since 0.1.0
 * @category sets
 */
export const sunionstore = store("SUNIONSTORE")

/**
 * SDIFFSTORE destination key [key …]: stores SDIFF in `destination`; its size.
 *
 * @since 0.1.0
 * @category sets
 */
export const sdiffstore = store("SDIFFSTORE")

/**
 * SINTERCARD numkeys key [key …] [LIMIT limit]: the size of the intersection, counting
 * stopped at `limit` when given (0 = no limit).
 *
 * @since 0.1.0
 * @category sets
 */
export const sinterCard = (keys: ReadonlyArray<Key>, limit?: number): Command.Command<number> => {
  const bad =
    keys.length === 0 ? "needs at least one key" : limit === undefined ? undefined : badInteger(limit, "limit", 0)
  if (bad !== undefined) return Command.invalid("SINTERCARD", bad)
  const args: Array<Key | Value> = ["SINTERCARD", keys.length, ...keys]
  if (limit !== undefined) args.push("LIMIT", limit)
  return Command.make(args, Reply.integer, { keys: [2, 1 + keys.length, 1], readonly: true })
}
