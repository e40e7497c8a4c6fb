/**
 * What the server reports about itself: SLOWLOG, COMMANDLOG, MEMORY, LATENCY, and LOLWUT.
 *
 * @since 0.2.0
 */
import { badInteger, type Key } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { RespValue } from "../resp/types.ts"

const ALL_NODES_OK: Command.CommandOptions = { request: "all_nodes", response: "all_succeeded" }
const ALL_NODES_EACH: Command.CommandOptions = { readonly: true, request: "all_nodes", response: "per_node" }
const ALL_SHARDS_EACH: Command.CommandOptions = { readonly: true, request: "all_shards", response: "per_node" }
const READ: Command.CommandOptions = { readonly: true }
const strings = Reply.array(Reply.string)

/**
 * An entry of the slow log: when (unix seconds), how long (microseconds), the command line,
 * and the client that sent it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SlowlogEntry {
  readonly id: number
  readonly timestamp: number
  readonly durationMicros: number
  readonly args: Array<string>
  readonly clientAddress: string
  readonly clientName: string
  /** Elements this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Array<RespValue>
}

// SLOWLOG and COMMANDLOG entries: id, time, the measure, the command line, the client.
const logEntry = Reply.leading(Reply.integer, Reply.integer, Reply.integer, strings, Reply.string, Reply.string)

const slowlogEntries = Reply.array((reply): SlowlogEntry => {
  const [id, timestamp, durationMicros, args, clientAddress, clientName, extra] = logEntry(reply)
  return { id, timestamp, durationMicros, args, clientAddress, clientName, extra }
})

/**
 * SLOWLOG GET [count]: the latest slow commands (at most `count`, default 10; -1 for all),
 * newest first.
 *
 * @since 0.1.0
 * @category server
 */
export const slowlogGet = (count?: number): Command.Command<Array<SlowlogEntry>> => {
  if (count === undefined) return Command.make(["SLOWLOG", "GET"], slowlogEntries, ALL_NODES_EACH)
  const bad = badInteger(count, "count", -1)
  return bad !== undefined
    ? Command.invalid("SLOWLOG", `SLOWLOG GET: ${bad}`)
    : Command.make(["SLOWLOG", "GET", count], slowlogEntries, ALL_NODES_EACH)
}

/**
 * SLOWLOG LEN: how many entries the slow log holds.
 *
 * @since 0.1.0
 * @category server
 */
export const slowlogLen = (): Command.Command<number> =>
  Command.make(["SLOWLOG", "LEN"], Reply.integer, { readonly: true, request: "all_nodes", response: "agg_sum" })

/**
 * SLOWLOG RESET: empties the slow log.
 *
 * @since 0.1.0
 * @category server
 */
export const slowlogReset = (): Command.Command<"OK"> => Command.make(["SLOWLOG", "RESET"], Reply.ok, ALL_NODES_OK)

/**
 * The three logs of COMMANDLOG (Valkey 8.1+): commands slower than
 * `commandlog-execution-slower-than` (the slow log), requests larger than
 * `commandlog-request-larger-than`, replies larger than `commandlog-reply-larger-than`.
 *
 * @since 0.2.0
 * @category models
 */
export type CommandLogType = "slow" | "large-request" | "large-reply"

/**
 * An entry of a command log: when (unix seconds), the measure that put it there (`value`:
 * microseconds in the slow log, bytes in the large-request and large-reply logs), the command
 * line and the client that sent it.
 *
 * @since 0.2.0
 * @category models
 */
export interface CommandLogEntry {
  readonly id: number
  readonly timestamp: number
  readonly value: number
  readonly args: Array<string>
  readonly clientAddress: string
  readonly clientName: string
  /** Elements this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Array<RespValue>
}

const commandLogEntries = Reply.array((reply): CommandLogEntry => {
  const [id, timestamp, value, args, clientAddress, clientName, extra] = logEntry(reply)
  return { id, timestamp, value, args, clientAddress, clientName, extra }
})

/**
 * COMMANDLOG GET count type (Valkey 8.1+): the latest entries of one log (at most `count`, -1
 * for all), newest first. In a cluster every node is asked and their entries are concatenated
 * (ids are per node).
 *
 * @since 0.2.0
 * @category server
 */
export const commandLogGet = (count: number, type: CommandLogType): Command.Command<Array<CommandLogEntry>> => {
  const bad = badInteger(count, "count", -1)
  return bad !== undefined
    ? Command.invalid("COMMANDLOG", `COMMANDLOG GET: ${bad}`)
    : Command.make(["COMMANDLOG", "GET", count, type], commandLogEntries, {
        readonly: true,
        request: "all_nodes",
        response: "combine_arrays"
      })
}

/**
 * COMMANDLOG LEN type (Valkey 8.1+): how many entries one log holds (summed over the nodes of
 * a cluster).
 *
 * @since 0.2.0
 * @category server
 */
export const commandLogLen = (type: CommandLogType): Command.Command<number> =>
  Command.make(["COMMANDLOG", "LEN", type], Reply.integer, {
    readonly: true,
    request: "all_nodes",
    response: "agg_sum"
  })

/**
 * COMMANDLOG RESET type (Valkey 8.1+): empties one log (on every node of a cluster).
 *
 * @since 0.2.0
 * @category server
 */
export const commandLogReset = (type: CommandLogType): Command.Command<"OK"> =>
  Command.make(["COMMANDLOG", "RESET", type], Reply.ok, ALL_NODES_OK)

/**
 * MEMORY USAGE key [SAMPLES count]: the bytes a key and its value take, or null when the key
 * does not exist. Nested values are sampled (`samples`, default 5; 0 for all).
 *
 * @since 0.1.0
 * @category server
 */
export const memoryUsage = (key: Key, samples?: number): Command.Command<number | null> => {
  if (samples === undefined)
    return Command.make(["MEMORY", "USAGE", key], Reply.nullableInteger, { keys: 2, readonly: true })
  const bad = badInteger(samples, "samples", 0)
  return bad !== undefined
    ? Command.invalid("MEMORY", `MEMORY USAGE: ${bad}`)
    : Command.make(["MEMORY", "USAGE", key, "SAMPLES", samples], Reply.nullableInteger, { keys: 2, readonly: true })
}

/**
 * MEMORY STATS: every number the server reports, by name (`peak.allocated`,
 * `dataset.percentage`, …); the per-database entries (`db.0`) are records of numbers. A value
 * that is not a number (none is today; a newer server may add one) is kept as its text.
 *
 * @since 0.1.0
 * @category models
 */
export type MemoryStats = Record<string, number | string | Record<string, number | string>>

const numberOrItsText = (reply: RespValue): number | string => {
  if (typeof reply === "number") return reply
  if (typeof reply === "bigint") return Number(reply)
  const text = Reply.text(reply)
  const n = Number(text)
  return text !== "" && Number.isFinite(n) ? n : text
}

const memoryStat = (reply: RespValue): number | string | Record<string, number | string> =>
  Array.isArray(reply) || reply instanceof Map ? Reply.record(numberOrItsText)(reply) : numberOrItsText(reply)

/**
 * MEMORY STATS: the server's memory usage, in numbers.
 *
 * @since 0.1.0
 * @category server
 */
export const memoryStats = (): Command.Command<MemoryStats> =>
  Command.make(["MEMORY", "STATS"], Reply.record(memoryStat), ALL_SHARDS_EACH)

/**
 * MEMORY DOCTOR: the server's advice on its memory usage, as text.
 *
 * @since 0.1.0
 * @category server
 */
export const memoryDoctor = (): Command.Command<string> =>
  Command.make(["MEMORY", "DOCTOR"], Reply.text, ALL_SHARDS_EACH)

/**
 * MEMORY MALLOC-STATS: the allocator's own statistics, as text.
 *
 * @since 0.1.0
 * @category server
 */
export const memoryMallocStats = (): Command.Command<string> =>
  Command.make(["MEMORY", "MALLOC-STATS"], Reply.text, ALL_SHARDS_EACH)

/**
 * MEMORY PURGE: asks the allocator to release unused memory.
 *
 * @since 0.1.0
 * @category server
 */
export const memoryPurge = (): Command.Command<"OK"> =>
  Command.make(["MEMORY", "PURGE"], Reply.ok, { request: "all_shards", response: "all_succeeded" })

/**
 * The latest spike of a latency event: when (unix seconds), how long (ms), and the all-time
 * maximum (ms). Valkey 9 also sends the sum (ms) and the number of the recorded spikes;
 * `sumMillis` and `count` are null on servers that do not (8.0).
 *
 * @since 0.1.0
 * @category models
 */
export interface LatencySpike {
  readonly event: string
  readonly timestamp: number
  readonly latestMillis: number
  readonly maxMillis: number
  readonly sumMillis: number | null
  readonly count: number | null
  /** Elements this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Array<RespValue>
}

const latencySpikes = Reply.array((reply): LatencySpike => {
  const [event, timestamp, latestMillis, maxMillis, more] = Reply.leading(
    Reply.string,
    Reply.integer,
    Reply.integer,
    Reply.integer
  )(reply)
  const [sum, count, ...extra] = more
  return {
    event,
    timestamp,
    latestMillis,
    maxMillis,
    sumMillis: sum === undefined ? null : Reply.nullableInteger(sum),
    count: count === undefined ? null : Reply.nullableInteger(count),
    extra
  }
})

/**
 * LATENCY LATEST: the latest spike of every event the latency monitor recorded.
 *
 * @since 0.1.0
 * @category server
 */
export const latencyLatest = (): Command.Command<Array<LatencySpike>> =>
  Command.make(["LATENCY", "LATEST"], latencySpikes, ALL_NODES_EACH)

const latencyPoints = Reply.array((reply) => {
  // Only the first two are known; a newer server's additions are ignored, never an error.
  const [timestamp, latencyMillis] = Reply.leading(Reply.integer, Reply.integer)(reply)
  return { timestamp, latencyMillis }
})

/**
 * LATENCY HISTORY event: the recorded spikes of one event, oldest first.
 *
 * @since 0.1.0
 * @category server
 */
export const latencyHistory = (
  event: string
): Command.Command<Array<{ readonly timestamp: number; readonly latencyMillis: number }>> =>
  Command.make(["LATENCY", "HISTORY", event], latencyPoints, ALL_NODES_EACH)

/**
 * LATENCY RESET [event …]: forgets the spikes of the events (all without names); how many
 * event series were reset.
 *
 * @since 0.1.0
 * @category server
 */
export const latencyReset = (events: ReadonlyArray<string> = []): Command.Command<number> =>
  Command.make(["LATENCY", "RESET", ...events], Reply.integer, { request: "all_nodes", response: "agg_sum" })

/**
 * LATENCY DOCTOR: the server's analysis of its latency, as text.
 *
 * @since 0.1.0
 * @category server
 */
export const latencyDoctor = (): Command.Command<string> =>
  Command.make(["LATENCY", "DOCTOR"], Reply.text, ALL_NODES_EACH)

/**
 * LATENCY GRAPH event: an ASCII-art graph of the event's spikes.
 *
 * @since 0.1.0
 * @category server
 */
export const latencyGraph = (event: string): Command.Command<string> =>
  Command.make(["LATENCY", "GRAPH", event], Reply.text, ALL_NODES_EACH)

/**
 * LOLWUT [VERSION version]: a piece of generative art and the server version, as text.
 *
 * @since 0.1.0
 * @category server
 */
export const lolwut = (options?: { readonly version?: number }): Command.Command<string> => {
  if (options?.version === undefined) return Command.make(["LOLWUT"], Reply.text, READ)
  const bad = badInteger(options.version, "version", 0)
  return bad !== undefined
    ? Command.invalid("LOLWUT", bad)
    : Command.make(["LOLWUT", "VERSION", options.version], Reply.text, READ)
}
