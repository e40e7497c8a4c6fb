/**
 * Stream introspection: XINFO STREAM (and its FULL form), XINFO GROUPS and XINFO CONSUMERS.
 *
 * @since 0.2.0
 */
import { badInteger, type Key } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import { entries, entry } from "./streamParts.ts"
import type { StreamEntry } from "./streams.ts"

const INFO_KEY: Command.CommandOptions = { keys: 2, readonly: true }

/**
 * XINFO STREAM: the stream's counters, its first and last entries.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamInfo {
  readonly length: number
  readonly radixTreeKeys: number
  readonly radixTreeNodes: number
  readonly lastGeneratedId: string
  readonly maxDeletedEntryId: string
  readonly entriesAdded: number
  readonly recordedFirstEntryId: string
  /** How many consumer groups the stream has. */
  readonly groups: number
  readonly firstEntry: StreamEntry | null
  readonly lastEntry: StreamEntry | null
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const streamCounters = {
  length: ["length", Reply.integer],
  radixTreeKeys: ["radix-tree-keys", Reply.integer],
  radixTreeNodes: ["radix-tree-nodes", Reply.integer],
  lastGeneratedId: ["last-generated-id", Reply.string],
  maxDeletedEntryId: ["max-deleted-entry-id", Reply.string],
  entriesAdded: ["entries-added", Reply.integer],
  recordedFirstEntryId: ["recorded-first-entry-id", Reply.string]
} as const

const streamInfo: Command.Decoder<StreamInfo> = Reply.struct({
  ...streamCounters,
  groups: ["groups", Reply.integer],
  firstEntry: ["first-entry", Reply.nullable(entry)],
  lastEntry: ["last-entry", Reply.nullable(entry)]
})

/**
 * XINFO STREAM key: counters and the first and last entries.
 *
 * @since 0.1.0
 * @category streams
 */
export const xinfoStream = (key: Key): Command.Command<StreamInfo> =>
  Command.make(["XINFO", "STREAM", key], streamInfo, INFO_KEY)

/**
 * XINFO STREAM … FULL: every group with its pending entries and consumers.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamFullInfo {
  readonly length: number
  readonly radixTreeKeys: number
  readonly radixTreeNodes: number
  readonly lastGeneratedId: string
  readonly maxDeletedEntryId: string
  readonly entriesAdded: number
  readonly recordedFirstEntryId: string
  readonly entries: Array<StreamEntry>
  readonly groups: Array<{
    readonly name: string
    readonly lastDeliveredId: string
    readonly entriesRead: number | null
    readonly lag: number | null
    readonly pelCount: number
    readonly pending: Array<{
      readonly id: string
      readonly consumer: string
      readonly deliveryTime: number
      readonly deliveryCount: number
    }>
    readonly consumers: Array<{
      readonly name: string
      readonly seenTime: number
      readonly activeTime: number
      readonly pelCount: number
      readonly pending: Array<{ readonly id: string; readonly deliveryTime: number; readonly deliveryCount: number }>
      readonly extra: Reply.Extra
    }>
    readonly extra: Reply.Extra
  }>
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const groupPending = Reply.array((reply) => {
  const [id, consumer, deliveryTime, deliveryCount] = Reply.leading(
    Reply.string,
    Reply.string,
    Reply.integer,
    Reply.integer
  )(reply)
  return { id, consumer, deliveryTime, deliveryCount }
})

const consumerPending = Reply.array((reply) => {
  const [id, deliveryTime, deliveryCount] = Reply.leading(Reply.string, Reply.integer, Reply.integer)(reply)
  return { id, deliveryTime, deliveryCount }
})

const streamFullInfo: Command.Decoder<StreamFullInfo> = Reply.struct({
  ...streamCounters,
  entries: ["entries", entries],
  groups: [
    "groups",
    Reply.array(
      Reply.struct({
        name: ["name", Reply.string],
        lastDeliveredId: ["last-delivered-id", Reply.string],
        entriesRead: ["entries-read", Reply.nullableInteger],
        lag: ["lag", Reply.nullableInteger],
        pelCount: ["pel-count", Reply.integer],
        pending: ["pending", groupPending],
        consumers: [
          "consumers",
          Reply.array(
            Reply.struct({
              name: ["name", Reply.string],
              seenTime: ["seen-time", Reply.integer],
              activeTime: ["active-time", Reply.integer],
              pelCount: ["pel-count", Reply.integer],
              pending: ["pending", consumerPending]
            })
          )
        ]
      })
    )
  ]
})

/**
 * XINFO STREAM key FULL [COUNT count]: the stream with its entries (at most `count`, default
 * 10, 0 for all), groups, pending entries and consumers.
 *
 * @since 0.1.0
 * @category streams
 */
export const xinfoStreamFull = (key: Key, count?: number): Command.Command<StreamFullInfo> => {
  if (count === undefined) return Command.make(["XINFO", "STREAM", key, "FULL"], streamFullInfo, INFO_KEY)
  const bad = badInteger(count, "count", 0)
  return bad !== undefined
    ? Command.invalid("XINFO", `XINFO STREAM: ${bad}`)
    : Command.make(["XINFO", "STREAM", key, "FULL", "COUNT", count], streamFullInfo, INFO_KEY)
}

/**
 * A consumer group as XINFO GROUPS describes it. `entriesRead` and `lag` are null when the
 * server cannot tell.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamGroupInfo {
  readonly name: string
  readonly consumers: number
  readonly pending: number
  readonly lastDeliveredId: string
  readonly entriesRead: number | null
  readonly lag: number | null
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const groupsInfo: Command.Decoder<Array<StreamGroupInfo>> = Reply.array(
  Reply.struct({
    name: ["name", Reply.string],
    consumers: ["consumers", Reply.integer],
    pending: ["pending", Reply.integer],
    lastDeliveredId: ["last-delivered-id", Reply.string],
    entriesRead: ["entries-read", Reply.nullableInteger],
    lag: ["lag", Reply.nullableInteger]
  })
)

/**
 * XINFO GROUPS key: the stream's consumer groups.
 *
 * @since 0.1.0
 * @category streams
 */
export const xinfoGroups = (key: Key): Command.Command<Array<StreamGroupInfo>> =>
  Command.make(["XINFO", "GROUPS", key], groupsInfo, INFO_KEY)

/**
 * A consumer as XINFO CONSUMERS describes it: milliseconds since its last attempted
 * interaction (`idle`) and its last successful one (`inactive`, -1 if never).
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamConsumerInfo {
  readonly name: string
  readonly pending: number
  readonly idle: number
  readonly inactive: number
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const consumersInfo: Command.Decoder<Array<StreamConsumerInfo>> = Reply.array(
  Reply.struct({
    name: ["name", Reply.string],
    pending: ["pending", Reply.integer],
    idle: ["idle", Reply.integer],
    inactive: ["inactive", Reply.integer]
  })
)

/**
 * XINFO CONSUMERS key group: the group's consumers.
 *
 * @since 0.1.0
 * @category streams
 */
export const xinfoConsumers = (key: Key, group: string): Command.Command<Array<StreamConsumerInfo>> =>
  Command.make(["XINFO", "CONSUMERS", key, group], consumersInfo, INFO_KEY)
