/**
 * Hash commands: HSET, HGET, HGETALL, HMGET, HDEL, HEXISTS, HLEN, HKEYS, HVALS, HINCRBY, ….
 *
 * @since 0.1.0
 */
import { badInteger, badNumber, type Entries, type Key, pushEntries, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
/** A read a client-side cache may answer (see `CommandOptions.cacheable`). */
const CACHED_READ: Command.CommandOptions = { keys: 1, readonly: true, cacheable: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }

/**
 * HSET key field value [field value …]: how many fields were added (not updated).
 *
 * @since 0.1.0
 * @category hashes
 */
export const hset = (key: Key, entries: Entries): Command.Command<number> => {
  const args: Array<Key | Value> = ["HSET", key]
  return pushEntries(args, entries) === 0
    ? Command.invalid("HSET", "needs at least one field")
    : Command.make(args, Reply.integer, WRITE_KEY)
}

/**
 * HSETNX key field value: true when the field was set (it did not exist).
 *
 * @since 0.1.0
 * @category hashes
 */
export const hsetnx = (key: Key, field: Key, value: Value): Command.Command<boolean> =>
  Command.make(["HSETNX", key, field, value], Reply.boolean, WRITE_KEY)

/**
 * HGET key field: the value, or null.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hget = (key: Key, field: Key): Command.Command<string | null> =>
  Command.make(["HGET", key, field], Reply.nullableString, CACHED_READ)

/**
 * HGETALL key: every field and value as a record (empty when the key does not exist).
 *
 * @since 0.1.0
 * @category hashes
 */
export const hgetall = (key: Key): Command.Command<Record<string, string>> =>
  Command.make(["HGETALL", key], Reply.record(Reply.string), CACHED_READ)

/**
 * HMGET key field [field …]: values in the order of the fields, null for missing ones.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hmget = (key: Key, fields: ReadonlyArray<Key>): Command.Command<Array<string | null>> =>
  fields.length === 0
    ? Command.invalid("HMGET", "needs at least one field")
    : Command.make(["HMGET", key, ...fields], Reply.array(Reply.nullableString), CACHED_READ)

/**
 * HDEL key field [field …]: how many fields were removed.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hdel = (key: Key, fields: ReadonlyArray<Key>): Command.Command<number> =>
  fields.length === 0
    ? Command.invalid("HDEL", "needs at least one field")
    : Command.make(["HDEL", key, ...fields], Reply.integer, WRITE_KEY)

/**
 * HEXISTS key field.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hexists = (key: Key, field: Key): Command.Command<boolean> =>
  Command.make(["HEXISTS", key, field], Reply.boolean, CACHED_READ)

/**
 * HLEN key: the number of fields.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hlen = (key: Key): Command.Command<number> => Command.make(["HLEN", key], Reply.integer, CACHED_READ)

/**
 * HKEYS key.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hkeys = (key: Key): Command.Command<Array<string>> =>
  Command.make(["HKEYS", key], Reply.array(Reply.string), CACHED_READ)

/**
 * HVALS key.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hvals = (key: Key): Command.Command<Array<string>> =>
  Command.make(["HVALS", key], Reply.array(Reply.string), CACHED_READ)

/**
 * HINCRBY key field increment: the new value.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hincrBy = (key: Key, field: Key, increment: number): Command.Command<number> => {
  const bad = badInteger(increment, "increment")
  return bad !== undefined
    ? Command.invalid("HINCRBY", bad)
    : Command.make(["HINCRBY", key, field, increment], Reply.integer, WRITE_KEY)
}

/**
 * HINCRBYFLOAT key field increment: the new value.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hincrByFloat = (key: Key, field: Key, increment: number): Command.Command<number> => {
  const bad = badNumber(increment, "increment") ?? (Number.isFinite(increment) ? undefined : "increment must be finite")
  return bad !== undefined
    ? Command.invalid("HINCRBYFLOAT", bad)
    : Command.make(["HINCRBYFLOAT", key, field, increment], Reply.double, WRITE_KEY)
}

/**
 * HSTRLEN key field.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hstrlen = (key: Key, field: Key): Command.Command<number> =>
  Command.make(["HSTRLEN", key, field], Reply.integer, CACHED_READ)

/**
 * HRANDFIELD key: a random field, or null when the hash does not exist.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hrandfield = (key: Key): Command.Command<string | null> =>
  Command.make(["HRANDFIELD", key], Reply.nullableString, READ_KEY)

/**
 * HRANDFIELD key count: up to `count` distinct random fields; exactly `-count`, possibly
 * repeated, when `count` is negative.
 *
 * @since 0.1.0
 * @category hashes
 */
export const hrandfieldCount = (key: Key, count: number): Command.Command<Array<string>> => {
  const bad = badInteger(count, "count")
  return bad !== undefined
    ? Command.invalid("HRANDFIELD", bad)
    : Command.make(["HRANDFIELD", key, count], Reply.array(Reply.string), READ_KEY)
}

const fieldValues: Command.Decoder<Array<[string, string]>> = (reply) =>
  Reply.pairs(reply).map(([field, value]) => [Reply.string(field), Reply.string(value)])

/**
 * HRANDFIELD key count WITHVALUES: like `hrandfieldCount`, as `[field, value]` pairs (a
 * list, since a negative count may repeat fields).
 *
 * @since 0.1.0
 * @category hashes
 */
export const hrandfieldWithValues = (key: Key, count: number): Command.Command<Array<[string, string]>> => {
  const bad = badInteger(count, "count")
  return bad !== undefined
    ? Command.invalid("HRANDFIELD", bad)
    : Command.make(["HRANDFIELD", key, count, "WITHVALUES"], fieldValues, READ_KEY)
}
