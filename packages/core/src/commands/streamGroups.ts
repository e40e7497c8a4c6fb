/**
 * Stream consumer groups: XGROUP CREATE/DESTROY/CREATECONSUMER/DELCONSUMER/SETID, XREADGROUP,
 * XACK, XPENDING, XCLAIM and XAUTOCLAIM.
 *
 * XREADGROUP gives a record from stream key to entries, in the order of the reply: the same
 * value whether the server sent RESP2 arrays or RESP3 maps.
 *
 * @since 0.2.0
 */
import { badInteger, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { RespValue } from "../resp/types.ts"
import { entries, entry, groupEntry, readCommand } from "./streamParts.ts"
import type { StreamGroupEntry, StreamIds, StreamReadOptions } from "./streams.ts"

const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }

/**
 * Options of XREADGROUP.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamReadGroupOptions extends StreamReadOptions {
  /** Do not add the delivered entries to the pending list (NOACK). */
  readonly noAck?: boolean
}

const readGroupReply = Reply.nullable(Reply.record(Reply.array(groupEntry)))

/**
 * XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key
 * [key …] id [id …]: entries delivered to `consumer` by stream key (`>` for never-delivered
 * entries, another id to re-read the consumer's pending entries), or null when none arrived.
 *
 * @since 0.1.0
 * @category streams
 */
export const xreadgroup = (
  group: string,
  consumer: string,
  streams: StreamIds,
  options?: StreamReadGroupOptions
): Command.Command<Record<string, Array<StreamGroupEntry>> | null> => {
  return readCommand(["XREADGROUP", "GROUP", group, consumer], streams, options, readGroupReply, false)
}

/**
 * XACK key group id [id …]: how many entries were acknowledged (removed from the pending
 * list).
 *
 * @since 0.1.0
 * @category streams
 */
export const xack = (key: Key, group: string, ids: ReadonlyArray<string>): Command.Command<number> =>
  ids.length === 0
    ? Command.invalid("XACK", "needs at least one id")
    : Command.make(["XACK", key, group, ...ids], Reply.integer, WRITE_KEY)

/**
 * Options of XGROUP CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamGroupCreateOptions {
  /** Create an empty stream when it does not exist (MKSTREAM). */
  readonly mkStream?: boolean
  /** How many entries the group has already read, for its lag (ENTRIESREAD). */
  readonly entriesRead?: number
}

/**
 * XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]: `OK` (a `BUSYGROUP` ReplyError
 * when the group exists).
 *
 * @since 0.1.0
 * @category streams
 */
export const xgroupCreate = (
  key: Key,
  group: string,
  id: string,
  options?: StreamGroupCreateOptions
): Command.Command<"OK"> => {
  const args: Array<Key | Value> = ["XGROUP", "CREATE", key, group, id]
  if (options?.mkStream === true) args.push("MKSTREAM")
  if (options?.entriesRead !== undefined) {
    const bad = badInteger(options.entriesRead, "entriesRead", 0)
    if (bad !== undefined) return Command.invalid("XGROUP", `XGROUP CREATE: ${bad}`)
    args.push("ENTRIESREAD", options.entriesRead)
  }
  return Command.make(args, Reply.ok, { keys: 2 })
}

/**
 * XGROUP DESTROY key group: true when the group existed.
 *
 * @since 0.1.0
 * @category streams
 */
export const xgroupDestroy = (key: Key, group: string): Command.Command<boolean> =>
  Command.make(["XGROUP", "DESTROY", key, group], Reply.boolean, { keys: 2 })

/**
 * XGROUP CREATECONSUMER key group consumer: true when the consumer was created.
 *
 * @since 0.1.0
 * @category streams
 */
export const xgroupCreateConsumer = (key: Key, group: string, consumer: string): Command.Command<boolean> =>
  Command.make(["XGROUP", "CREATECONSUMER", key, group, consumer], Reply.boolean, { keys: 2 })

/**
 * XGROUP DELCONSUMER key group consumer: how many pending entries the consumer had.
 *
 * @since 0.1.0
 * @category streams
 */
export const xgroupDelConsumer = (key: Key, group: string, consumer: string): Command.Command<number> =>
  Command.make(["XGROUP", "DELCONSUMER", key, group, consumer], Reply.integer, { keys: 2 })

/**
 * XGROUP SETID key group id|$ [ENTRIESREAD n]: `OK`.
 *
 * @since 0.1.0
 * @category streams
 */
export const xgroupSetId = (
  key: Key,
  group: string,
  id: string,
  options?: { readonly entriesRead?: number }
): Command.Command<"OK"> => {
  const args: Array<Key | Value> = ["XGROUP", "SETID", key, group, id]
  if (options?.entriesRead !== undefined) {
    const bad = badInteger(options.entriesRead, "entriesRead", 0)
    if (bad !== undefined) return Command.invalid("XGROUP", `XGROUP SETID: ${bad}`)
    args.push("ENTRIESREAD", options.entriesRead)
  }
  return Command.make(args, Reply.ok, { keys: 2 })
}

/**
 * The pending list of a group in short: how many entries, the smallest and greatest pending
 * ids (null when none), and how many each consumer holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamPendingSummary {
  readonly count: number
  readonly minId: string | null
  readonly maxId: string | null
  readonly consumers: Array<{ readonly name: string; readonly pending: number }>
}

// The positional replies below read their known elements and tolerate (and ignore) any a
// newer server appends, rather than failing on them.
const pendingSummary: Command.Decoder<StreamPendingSummary> = (reply) => {
  const [count, minId, maxId, consumers] = Reply.leading(
    Reply.integer,
    Reply.nullableString,
    Reply.nullableString,
    Reply.nullableArray(Reply.leading(Reply.string, Reply.integer))
  )(reply)
  return {
    count,
    minId,
    maxId,
    consumers: consumers === null ? [] : consumers.map(([name, pending]) => ({ name, pending }))
  }
}

/**
 * XPENDING key group: the summary of the group's pending entries.
 *
 * @since 0.1.0
 * @category streams
 */
export const xpending = (key: Key, group: string): Command.Command<StreamPendingSummary> =>
  Command.make(["XPENDING", key, group], pendingSummary, READ_KEY)

/**
 * A pending entry: who holds it, for how long since its last delivery, how often delivered.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamPendingEntry {
  readonly id: string
  readonly consumer: string
  readonly idleMillis: number
  readonly deliveries: number
}

/**
 * Options of the extended XPENDING form.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamPendingOptions {
  readonly start: string
  readonly end: string
  readonly count: number
  /** Only entries idle for at least this many milliseconds (IDLE). */
  readonly minIdleTime?: number
  /** Only entries held by this consumer. */
  readonly consumer?: string
}

const pendingEntries = Reply.array((reply): StreamPendingEntry => {
  const [id, consumer, idleMillis, deliveries] = Reply.leading(
    Reply.string,
    Reply.string,
    Reply.integer,
    Reply.integer
  )(reply)
  return { id, consumer, idleMillis, deliveries }
})

/**
 * XPENDING key group [IDLE min-idle-time] start end count [consumer]: the pending entries in
 * the range, oldest first.
 *
 * @since 0.1.0
 * @category streams
 */
export const xpendingWithOptions = (
  key: Key,
  group: string,
  options: StreamPendingOptions
): Command.Command<Array<StreamPendingEntry>> => {
  const args: Array<Key | Value> = ["XPENDING", key, group]
  if (options.minIdleTime !== undefined) {
    const bad = badInteger(options.minIdleTime, "minIdleTime", 0)
    if (bad !== undefined) return Command.invalid("XPENDING", bad)
    args.push("IDLE", options.minIdleTime)
  }
  const bad = badInteger(options.count, "count", 0)
  if (bad !== undefined) return Command.invalid("XPENDING", bad)
  args.push(options.start, options.end, options.count)
  if (options.consumer !== undefined) args.push(options.consumer)
  return Command.make(args, pendingEntries, READ_KEY)
}

/**
 * Options of XCLAIM.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamClaimOptions {
  /** Set the idle time of the claimed entries to this many milliseconds (IDLE). */
  readonly idle?: number
  /** Set their last delivery to this unix time in milliseconds (TIME). */
  readonly time?: number
  /** Set their delivery count (RETRYCOUNT). */
  readonly retryCount?: number
  /** Create pending entries for ids not pending yet (FORCE). */
  readonly force?: boolean
}

const claimArgs = (
  key: Key,
  group: string,
  consumer: string,
  minIdleTime: number,
  ids: ReadonlyArray<string>,
  options: StreamClaimOptions | undefined,
  justId: boolean
): Array<Key | Value> | string => {
  if (ids.length === 0) return "needs at least one id"
  const badIdle = badInteger(minIdleTime, "minIdleTime", 0)
  if (badIdle !== undefined) return badIdle
  const args: Array<Key | Value> = ["XCLAIM", key, group, consumer, minIdleTime, ...ids]
  for (const [option, name] of [
    ["idle", "IDLE"],
    ["time", "TIME"],
    ["retryCount", "RETRYCOUNT"]
  ] as const) {
    const value = options?.[option]
    if (value === undefined) continue
    const bad = badInteger(value, option, 0)
    if (bad !== undefined) return bad
    args.push(name, value)
  }
  if (options?.force === true) args.push("FORCE")
  if (justId) args.push("JUSTID")
  return args
}

/** XCLAIM, or XCLAIM … JUSTID, decoded by `decode`. */
const claim =
  <A>(justId: boolean, decode: Command.Decoder<A>) =>
  (
    key: Key,
    group: string,
    consumer: string,
    minIdleTime: number,
    ids: ReadonlyArray<string>,
    options?: StreamClaimOptions
  ): Command.Command<A> => {
    const args = claimArgs(key, group, consumer, minIdleTime, ids, options, justId)
    return typeof args === "string" ? Command.invalid("XCLAIM", args) : Command.make(args, decode, WRITE_KEY)
  }

/**
 * XCLAIM key group consumer min-idle-time id [id …] [IDLE ms] [TIME unix-ms] [RETRYCOUNT n]
 * [FORCE]: the entries now held by `consumer` (ids idle for less than `minIdleTime`, or no
 * longer pending, are left out; deleted entries are dropped from the pending list).
 *
 * @since 0.1.0
 * @category streams
 */
export const xclaim = claim(false, entries)

/**
 * XCLAIM … JUSTID: like `xclaim`, giving only the ids (and not counting a delivery).
 *
 * @since 0.1.0
 * @category streams
 */
export const xclaimJustId = claim(true, Reply.array(Reply.string))

/**
 * What XAUTOCLAIM claimed: the id to continue from (`0-0` when the scan is complete), the
 * claimed entries, and the ids of pending entries that no longer exist (now removed from the
 * pending list).
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamAutoClaim<E> {
  readonly nextId: string
  readonly claimed: Array<E>
  readonly deletedIds: Array<string>
  /** Elements a newer server added after these, as it sent them (absent when none). */
  readonly extra?: ReadonlyArray<RespValue>
}

const autoClaimArgs = (
  key: Key,
  group: string,
  consumer: string,
  minIdleTime: number,
  start: string,
  count: number | undefined,
  justId: boolean
): Array<Key | Value> | string => {
  const badIdle = badInteger(minIdleTime, "minIdleTime", 0)
  if (badIdle !== undefined) return badIdle
  const args: Array<Key | Value> = ["XAUTOCLAIM", key, group, consumer, minIdleTime, start]
  if (count !== undefined) {
    const bad = badInteger(count, "count", 1)
    if (bad !== undefined) return bad
    args.push("COUNT", count)
  }
  if (justId) args.push("JUSTID")
  return args
}

const autoClaimReply =
  <E>(item: Command.Decoder<E>): Command.Decoder<StreamAutoClaim<E>> =>
  (reply) => {
    // leading: the reply grew once (deleted ids, Redis 7.0) and may again; what follows is kept.
    const [nextId, claimed, deletedIds, extra] = Reply.leading(
      Reply.string,
      Reply.array(item),
      Reply.array(Reply.string)
    )(reply)
    return extra.length === 0 ? { nextId, claimed, deletedIds } : { nextId, claimed, deletedIds, extra }
  }

const autoClaimEntries = autoClaimReply(entry)
const autoClaimIds = autoClaimReply(Reply.string)

/** XAUTOCLAIM, or XAUTOCLAIM … JUSTID, decoded by `decode`. */
const autoClaim =
  <A>(justId: boolean, decode: Command.Decoder<A>) =>
  (
    key: Key,
    group: string,
    consumer: string,
    minIdleTime: number,
    start: string,
    count?: number
  ): Command.Command<A> => {
    const args = autoClaimArgs(key, group, consumer, minIdleTime, start, count, justId)
    return typeof args === "string" ? Command.invalid("XAUTOCLAIM", args) : Command.make(args, decode, WRITE_KEY)
  }

/**
 * XAUTOCLAIM key group consumer min-idle-time start [COUNT count]: claims entries pending for
 * at least `minIdleTime` ms, scanning from `start` (`0-0` to begin).
 *
 * @since 0.1.0
 * @category streams
 */
export const xautoclaim = autoClaim(false, autoClaimEntries)

/**
 * XAUTOCLAIM … JUSTID: like `xautoclaim`, giving only the claimed ids.
 *
 * @since 0.1.0
 * @category streams
 */
export const xautoclaimJustId = autoClaim(true, autoClaimIds)
