/**
 * Generic key commands: DEL, UNLINK, EXISTS, TOUCH, the EXPIRE family, TTL, PERSIST, TYPE.
 *
 * @since 0.1.0
 */
import { badInteger, type Key } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }

const countKeys = (name: string, keys: ReadonlyArray<Key>, readonly: boolean): Command.Command<number> =>
  keys.length === 0
    ? Command.invalid(name, "needs at least one key")
    : Command.make([name, ...keys], Reply.integer, {
        keys: [1, keys.length, 1],
        readonly,
        request: "multi_shard",
        response: "agg_sum"
      })

/**
 * DEL key [key …]: how many keys were removed.
 *
 * @since 0.1.0
 * @category generic
 */
export const del = (keys: ReadonlyArray<Key>): Command.Command<number> => countKeys("DEL", keys, false)

/**
 * UNLINK key [key …]: like DEL, reclaiming memory in the background.
 *
 * @since 0.1.0
 * @category generic
 */
export const unlink = (keys: ReadonlyArray<Key>): Command.Command<number> => countKeys("UNLINK", keys, false)

/**
 * EXISTS key [key …]: how many of the keys exist (a key named twice counts twice).
 *
 * @since 0.1.0
 * @category generic
 */
export const exists = (keys: ReadonlyArray<Key>): Command.Command<number> => countKeys("EXISTS", keys, true)

/**
 * TOUCH key [key …]: how many of the keys exist (updating their access time).
 *
 * @since 0.1.0
 * @category generic
 */
export const touch = (keys: ReadonlyArray<Key>): Command.Command<number> => countKeys("TOUCH", keys, true)

/**
 * The condition of the EXPIRE family: only when the key has no expiry (NX), has one (XX),
 * or the new one is later (GT) or earlier (LT).
 *
 * @since 0.1.0
 * @category models
 */
export type ExpireCondition = "NX" | "XX" | "GT" | "LT"

const expireCommand =
  (name: string, minimum: number) =>
  (key: Key, time: number, condition?: ExpireCondition): Command.Command<boolean> => {
    const bad = badInteger(time, "time", minimum)
    if (bad !== undefined) return Command.invalid(name, bad)
    const args = condition === undefined ? [name, key, time] : [name, key, time, condition]
    return Command.make(args, Reply.boolean, WRITE_KEY)
  }

/**
 * EXPIRE key seconds [NX|XX|GT|LT]: true when the timeout was set.
 *
 * @since 0.1.0
 * @category generic
 */
export const expire = expireCommand("EXPIRE", Number.MIN_SAFE_INTEGER)

/**
 * PEXPIRE key milliseconds [NX|XX|GT|LT].
 *
 * @since 0.1.0
 * @category generic
 */
export const pexpire = expireCommand("PEXPIRE", Number.MIN_SAFE_INTEGER)

/**
 * EXPIREAT key unix-seconds [NX|XX|GT|LT].
 *
 * @since 0.1.0
 * @category generic
 */
export const expireAt = expireCommand("EXPIREAT", 0)

/**
 * PEXPIREAT key unix-milliseconds [NX|XX|GT|LT].
 *
 * @since 0.1.0
 * @category generic
 */
export const pexpireAt = expireCommand("PEXPIREAT", 0)

/**
 * TTL key: seconds to live; -1 without expiry, -2 when the key does not exist.
 *
 * @since 0.1.0
 * @category generic
 */
export const ttl = (key: Key): Command.Command<number> => Command.make(["TTL", key], Reply.integer, READ_KEY)

/**
 * PTTL key: milliseconds to live; -1 without expiry, -2 when the key does not exist.
 *
 * @since 0.1.0
 * @category generic
 */
export const pttl = (key: Key): Command.Command<number> => Command.make(["PTTL", key], Reply.integer, READ_KEY)

/**
 * EXPIRETIME key: the unix time in seconds at which the key expires (-1 none, -2 no key).
 *
 * @since 0.1.0
 * @category generic
 */
export const expireTime = (key: Key): Command.Command<number> =>
  Command.make(["EXPIRETIME", key], Reply.integer, READ_KEY)

/**
 * PEXPIRETIME key: like EXPIRETIME, in milliseconds.
 *
 * @since 0.1.0
 * @category generic
 */
export const pexpireTime = (key: Key): Command.Command<number> =>
  Command.make(["PEXPIRETIME", key], Reply.integer, READ_KEY)

/**
 * PERSIST key: true when an expiry was removed.
 *
 * @since 0.1.0
 * @category generic
 */
export const persist = (key: Key): Command.Command<boolean> => Command.make(["PERSIST", key], Reply.boolean, WRITE_KEY)

/**
 * TYPE key: "string", "list", "set", "zset", "hash", "stream", or "none".
 *
 * @since 0.1.0
 * @category generic
 */
export const type = (key: Key): Command.Command<string> => Command.make(["TYPE", key], Reply.string, READ_KEY)

/**
 * WAIT numreplicas timeout: blocks until the writes of this connection reached `numreplicas`
 * replicas or `timeout` ms passed (0 = forever); how many replicas acknowledged. The client
 * waits the timeout plus its blocking margin instead of its request timeout.
 *
 * @since 0.1.0
 * @category server
 */
export const wait = (numReplicas: number, timeout: number): Command.Command<number> => {
  const bad = badInteger(numReplicas, "numReplicas", 0) ?? badInteger(timeout, "timeout", 0)
  return bad !== undefined
    ? Command.invalid("WAIT", bad)
    : Command.make(["WAIT", numReplicas, timeout], Reply.integer, {
        request: "all_shards",
        response: "agg_min",
        blockMillis: timeout,
        ownWrites: true
      })
}

/**
 * WAITAOF numlocal numreplicas timeout: blocks until the writes of this connection were
 * fsynced to the local AOF (`numLocal` 0 or 1) and to `numReplicas` replicas' AOFs, or
 * `timeout` ms passed (0 = forever); how many of each acknowledged.
 *
 * @since 0.1.0
 * @category server
 */
export const waitaof = (
  numLocal: number,
  numReplicas: number,
  timeout: number
): Command.Command<{ readonly local: number; readonly replicas: number }> => {
  const bad =
    badInteger(numLocal, "numLocal", 0) ??
    badInteger(numReplicas, "numReplicas", 0) ??
    badInteger(timeout, "timeout", 0)
  if (bad !== undefined) return Command.invalid("WAITAOF", bad)
  return Command.make(
    ["WAITAOF", numLocal, numReplicas, timeout],
    (reply) => {
      const [local, replicas] = Reply.tuple(Reply.integer, Reply.integer)(reply)
      return { local, replicas }
    },
    { request: "all_shards", response: "agg_min", blockMillis: timeout, ownWrites: true }
  )
}
