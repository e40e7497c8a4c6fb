/**
 * Hash-field expiration (Valkey 9.0+): fields of a hash with their own time to live. HSETEX and
 * HGETEX set or read fields and their expiry in one call; HEXPIRE, HPEXPIRE, HEXPIREAT and
 * HPEXPIREAT set it, HPERSIST removes it, HTTL, HPTTL, HEXPIRETIME and HPEXPIRETIME read it.
 * Every per-field reply is in the order of the fields asked for.
 *
 * @since 0.2.0
 */
import { badInteger, type Entries, type ExpiryOptions, type Key, pushEntries, pushExpiry, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { ExpireCondition } from "./generic.ts"

const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }

const integers = Reply.array(Reply.integer)

/** `FIELDS numfields field …` appended to `args`, or why not (no field). */
const pushFields = (args: Array<Key | Value>, fields: ReadonlyArray<Key>): string | undefined => {
  if (fields.length === 0) return "needs at least one field"
  args.push("FIELDS", fields.length, ...fields)
  return undefined
}

/**
 * Options of HSETEX: a condition on the key (`NX`: only when the hash does not exist, `XX`:
 * only when it does), on the fields (`FNX`: only when none of them exists, `FXX`: only when all
 * do), and the fields' expiry, or `keepTtl` to keep the expiry they have.
 *
 * @since 0.2.0
 * @category models
 */
export interface HsetexOptions extends ExpiryOptions {
  readonly condition?: "NX" | "XX"
  readonly fieldCondition?: "FNX" | "FXX"
  readonly keepTtl?: boolean
}

/**
 * HSETEX key [NX|XX] [FNX|FXX] [EX|PX|EXAT|PXAT|KEEPTTL] FIELDS n field value …: sets the
 * fields and their expiry; true when all were set, false when a condition stopped the call
 * (then none is).
 *
 * @since 0.2.0
 * @category hashes
 */
export const hsetex = (key: Key, entries: Entries, options: HsetexOptions = {}): Command.Command<boolean> => {
  const args: Array<Key | Value> = ["HSETEX", key]
  if (options.condition !== undefined) args.push(options.condition)
  if (options.fieldCondition !== undefined) args.push(options.fieldCondition)
  const bad = pushExpiry(args, options, { name: "keepTtl", word: "KEEPTTL", set: options.keepTtl })
  if (bad !== undefined) return Command.invalid("HSETEX", bad)
  const fields: Array<Key | Value> = []
  const n = pushEntries(fields, entries)
  if (n === 0) return Command.invalid("HSETEX", "needs at least one field")
  args.push("FIELDS", n, ...fields)
  return Command.make(args, Reply.boolean, WRITE_KEY)
}

/**
 * Options of HGETEX: a new expiry for the fields read, or `persist` to remove theirs.
 *
 * @since 0.2.0
 * @category models
 */
export interface HgetexOptions extends ExpiryOptions {
  readonly persist?: boolean
}

/**
 * HGETEX key [EX|PX|EXAT|PXAT|PERSIST] FIELDS n field …: the values (null for missing fields),
 * changing the expiry of the fields that exist.
 *
 * @since 0.2.0
 * @category hashes
 */
export const hgetex = (
  key: Key,
  fields: ReadonlyArray<Key>,
  options: HgetexOptions = {}
): Command.Command<Array<string | null>> => {
  const args: Array<Key | Value> = ["HGETEX", key]
  const bad =
    pushExpiry(args, options, { name: "persist", word: "PERSIST", set: options.persist }) ?? pushFields(args, fields)
  // A write for the server even without an expiry: never sent to a replica.
  return bad !== undefined
    ? Command.invalid("HGETEX", bad)
    : Command.make(args, Reply.array(Reply.nullableString), WRITE_KEY)
}

/**
 * What HEXPIRE and its kin did to each field: `-2` no such field (or key), `0` the condition
 * stopped it, `1` the expiry was set, `2` the field was deleted (a time in the past, or 0).
 *
 * @since 0.2.0
 * @category models
 */
export type HashFieldExpireResult = -2 | 0 | 1 | 2

const expireFields =
  (name: string, minimum: number) =>
  (
    key: Key,
    time: number,
    fields: ReadonlyArray<Key>,
    condition?: ExpireCondition
  ): Command.Command<Array<HashFieldExpireResult>> => {
    const args: Array<Key | Value> = [name, key, time]
    if (condition !== undefined) args.push(condition)
    const bad = badInteger(time, "time", minimum) ?? pushFields(args, fields)
    return bad !== undefined
      ? Command.invalid(name, bad)
      : Command.make(args, integers as Command.Decoder<Array<HashFieldExpireResult>>, WRITE_KEY)
  }

/**
 * HEXPIRE key seconds [NX|XX|GT|LT] FIELDS n field …: sets the fields' time to live.
 *
 * @since 0.2.0
 * @category hashes
 */
export const hexpire = expireFields("HEXPIRE", 0)

/**
 * HPEXPIRE key milliseconds [NX|XX|GT|LT] FIELDS n field ….
 *
 * @since 0.2.0
 * @category hashes
 */
export const hpexpire = expireFields("HPEXPIRE", 0)

/**
 * HEXPIREAT key unix-seconds [NX|XX|GT|LT] FIELDS n field ….
 *
 * @since 0.2.0
 * @category hashes
 */
export const hexpireAt = expireFields("HEXPIREAT", 0)

/**
 * HPEXPIREAT key unix-milliseconds [NX|XX|GT|LT] FIELDS n field ….
 *
 * @since 0.2.0
 * @category hashes
 */
export const hpexpireAt = expireFields("HPEXPIREAT", 0)

const readFields =
  (name: string) =>
  (key: Key, fields: ReadonlyArray<Key>): Command.Command<Array<number>> => {
    const args: Array<Key | Value> = [name, key]
    const bad = pushFields(args, fields)
    return bad !== undefined ? Command.invalid(name, bad) : Command.make(args, integers, READ_KEY)
  }

/**
 * HTTL key FIELDS n field …: each field's seconds to live; -1 without expiry, -2 when there is
 * no such field (or key).
 *
 * @since 0.2.0
 * @category hashes
 */
export const httl = readFields("HTTL")

/**
 * HPTTL key FIELDS n field …: like `httl`, in milliseconds.
 *
 * @since 0.2.0
 * @category hashes
 */
export const hpttl = readFields("HPTTL")

/**
 * HEXPIRETIME key FIELDS n field …: each field's expiry as a unix time in seconds; -1 without
 * expiry, -2 when there is no such field.
 *
 * @since 0.2.0
 * @category hashes
 */
export const hexpireTime = readFields("HEXPIRETIME")

/**
 * HPEXPIRETIME key FIELDS n field …: like `hexpireTime`, in milliseconds.
 *
 * @since 0.2.0
 * @category hashes
 */
export const hpexpireTime = readFields("HPEXPIRETIME")

/**
 * HPERSIST key FIELDS n field …: removes the fields' expiry; per field `1` removed, `-1` it had
 * none, `-2` no such field.
 *
 * @since 0.2.0
 * @category hashes
 */
export const hpersist = (key: Key, fields: ReadonlyArray<Key>): Command.Command<Array<-2 | -1 | 1>> => {
  const args: Array<Key | Value> = ["HPERSIST", key]
  const bad = pushFields(args, fields)
  return bad !== undefined
    ? Command.invalid("HPERSIST", bad)
    : Command.make(args, integers as Command.Decoder<Array<-2 | -1 | 1>>, WRITE_KEY)
}
