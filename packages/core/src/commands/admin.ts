/**
 * Server administration and introspection: CONFIG RESETSTAT/REWRITE, SAVE/BGSAVE/BGREWRITEAOF/LASTSAVE,
 * ROLE, SWAPDB,
 * ACL, SLOWLOG, MEMORY, LATENCY, COMMAND COUNT/INFO/LIST/GETKEYS, LOLWUT, and the replication
 * acknowledgements WAIT and WAITAOF.
 *
 * @since 0.1.0
 */
import { badInteger, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { RespValue } from "../resp/types.ts"

const ALL_NODES_OK: Command.CommandOptions = { request: "all_nodes", response: "all_succeeded" }
const ALL_NODES_EACH: Command.CommandOptions = { readonly: true, request: "all_nodes", response: "per_node" }
const ALL_SHARDS_EACH: Command.CommandOptions = { readonly: true, request: "all_shards", response: "per_node" }
const READ: Command.CommandOptions = { readonly: true }

const strings = Reply.array(Reply.string)

/**
 * CONFIG RESETSTAT: resets the statistics INFO reports.
 *
 * @since 0.1.0
 * @category server
 */
export const configResetStat = (): Command.Command<"OK"> =>
  Command.make(["CONFIG", "RESETSTAT"], Reply.ok, ALL_NODES_OK)

/**
 * CONFIG REWRITE: writes the running configuration into the server's config file.
 *
 * @since 0.1.0
 * @category server
 */
export const configRewrite = (): Command.Command<"OK"> => Command.make(["CONFIG", "REWRITE"], Reply.ok, ALL_NODES_OK)

/**
 * SAVE: writes a snapshot synchronously (blocking the server).
 *
 * @since 0.1.0
 * @category server
 */
export const save = (): Command.Command<"OK"> => Command.make(["SAVE"], Reply.ok)

/**
 * BGSAVE [SCHEDULE]: starts a snapshot in the background; the server's status text
 * (`Background saving started`, or `Background saving scheduled` with `schedule`).
 *
 * @since 0.1.0
 * @category server
 */
export const bgsave = (options?: { readonly schedule?: boolean }): Command.Command<string> =>
  Command.make(options?.schedule === true ? ["BGSAVE", "SCHEDULE"] : ["BGSAVE"], Reply.string)

/**
 * BGREWRITEAOF: starts rewriting the append-only file in the background; the server's status
 * text (`Background append only file rewriting started`, or `… scheduled` while a save runs).
 *
 * @since 0.1.0
 * @category server
 */
export const bgrewriteaof = (): Command.Command<string> => Command.make(["BGREWRITEAOF"], Reply.string)

/**
 * SWAPDB index1 index2: swaps two databases, for every client at once.
 *
 * @since 0.1.0
 * @category server
 */
export const swapdb = (index1: number, index2: number): Command.Command<"OK"> => {
  const bad = badInteger(index1, "index1", 0) ?? badInteger(index2, "index2", 0)
  return bad === undefined ? Command.make(["SWAPDB", index1, index2], Reply.ok) : Command.invalid("SWAPDB", bad)
}

/**
 * What ROLE says of the node that answered: a primary with its replicas and replication
 * offset, a replica with its primary and link state, or a sentinel.
 *
 * @since 0.1.0
 * @category models
 */
export type Role =
  | {
      readonly role: "primary"
      readonly offset: number
      readonly replicas: ReadonlyArray<{ readonly host: string; readonly port: number; readonly offset: number }>
    }
  | {
      readonly role: "replica"
      readonly primaryHost: string
      readonly primaryPort: number
      /** `connect`, `connecting`, `sync` or `connected`. */
      readonly state: string
      readonly offset: number
    }
  | { readonly role: "sentinel"; readonly primaries: ReadonlyArray<string> }

const decodeRole = (reply: RespValue): Role => {
  if (!Array.isArray(reply)) throw new Command.DecodeFailure("ROLE did not answer an array")
  const [kind, ...rest] = reply as ReadonlyArray<RespValue>
  switch (Reply.text(kind!)) {
    case "master":
      return {
        role: "primary",
        offset: Reply.integer(rest[0]!),
        replicas: Reply.array((r) => {
          const [host, port, offset] = Reply.array(Reply.text)(r)
          return { host: host!, port: Number(port), offset: Number(offset) }
        })(rest[1]!)
      }
    case "slave":
      return {
        role: "replica",
        primaryHost: Reply.text(rest[0]!),
        primaryPort: Reply.integer(rest[1]!),
        state: Reply.text(rest[2]!),
        offset: Reply.integer(rest[3]!)
      }
    case "sentinel":
      return { role: "sentinel", primaries: Reply.array(Reply.text)(rest[0]!) }
    default:
      throw new Command.DecodeFailure(`ROLE answered an unknown role ${Reply.text(kind!)}`)
  }
}

/**
 * ROLE: the replication role of the node that answered.
 *
 * @since 0.1.0
 * @category server
 */
export const role = (): Command.Command<Role> => Command.make(["ROLE"], decodeRole, READ)

/**
 * LASTSAVE: the unix time in seconds of the last successful snapshot.
 *
 * @since 0.1.0
 * @category server
 */
export const lastsave = (): Command.Command<number> => Command.make(["LASTSAVE"], Reply.integer, READ)

/**
 * ACL WHOAMI: the user of the connection that served the call.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclWhoami = (): Command.Command<string> => Command.make(["ACL", "WHOAMI"], Reply.string, READ)

/**
 * ACL LIST: every user as an ACL rule line (`user default on nopass ~* &* +@all`).
 *
 * @since 0.1.0
 * @category acl
 */
export const aclList = (): Command.Command<Array<string>> => Command.make(["ACL", "LIST"], strings, READ)

/**
 * ACL USERS: the user names.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclUsers = (): Command.Command<Array<string>> => Command.make(["ACL", "USERS"], strings, READ)

/**
 * A user as ACL GETUSER describes it: flags (`on`, `nopass`, …), password hashes, and its
 * command, key, channel and (Valkey 9+) database rules; `selectors` are the extra rule sets,
 * each as `{ commands, keys, channels }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AclUser {
  readonly flags: Array<string>
  readonly passwords: Array<string>
  readonly commands: string
  readonly keys: string
  readonly channels: string
  /** The databases the user may select (`alldbs`, or `db=0 db=3 …`); null before Valkey 9.0. */
  readonly databases: string | null
  readonly selectors: Array<Record<string, string>>
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const aclUser: Command.Decoder<AclUser | null> = Reply.nullable(
  Reply.struct({
    flags: ["flags", strings],
    passwords: ["passwords", strings],
    commands: ["commands", Reply.string],
    keys: ["keys", Reply.string],
    channels: ["channels", Reply.string],
    databases: ["databases", Reply.nullableString],
    selectors: ["selectors", Reply.array(Reply.record(Reply.string))]
  })
)

/**
 * ACL GETUSER username: the user's rules, or null when there is no such user.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclGetUser = (username: string): Command.Command<AclUser | null> =>
  Command.make(["ACL", "GETUSER", username], aclUser, READ)

/**
 * ACL SETUSER username [rule …]: creates or changes a user (`["on", ">secret", "~app:*",
 * "+@read"]`).
 *
 * @since 0.1.0
 * @category acl
 */
export const aclSetUser = (username: string, rules: ReadonlyArray<string> = []): Command.Command<"OK"> =>
  Command.make(["ACL", "SETUSER", username, ...rules], Reply.ok, ALL_NODES_OK)

/**
 * ACL DELUSER username [username …]: how many users were deleted.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclDelUser = (usernames: ReadonlyArray<string>): Command.Command<number> =>
  usernames.length === 0
    ? Command.invalid("ACL", "ACL DELUSER needs at least one user")
    : Command.make(["ACL", "DELUSER", ...usernames], Reply.integer, {
        request: "all_nodes",
        response: "all_succeeded"
      })

/**
 * ACL CAT [category]: the command categories, or the commands in `category`.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclCat = (category?: string): Command.Command<Array<string>> =>
  Command.make(category === undefined ? ["ACL", "CAT"] : ["ACL", "CAT", category], strings, READ)

/**
 * ACL DRYRUN username command [arg …]: `OK` when the user may run the command, otherwise the
 * reason it may not.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclDryRun = (username: string, command: ReadonlyArray<Key | Value>): Command.Command<string> =>
  command.length === 0
    ? Command.invalid("ACL", "ACL DRYRUN needs a command")
    : Command.make(["ACL", "DRYRUN", username, ...command], Reply.string, READ)

/**
 * ACL GENPASS [bits]: a random password of `bits` bits (default 256) as hex.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclGenPass = (bits?: number): Command.Command<string> => {
  if (bits === undefined) return Command.make(["ACL", "GENPASS"], Reply.string, READ)
  const bad = badInteger(bits, "bits", 1)
  return bad !== undefined
    ? Command.invalid("ACL", `ACL GENPASS: ${bad}`)
    : Command.make(["ACL", "GENPASS", bits], Reply.string, READ)
}

/**
 * An entry of the ACL log: a denied command, key, channel or authentication.
 *
 * @since 0.1.0
 * @category models
 */
export interface AclLogEntry {
  readonly count: number
  /** `command`, `key`, `channel` or `auth`. */
  readonly reason: string
  /** `toplevel`, `multi`, `lua` or `module`. */
  readonly context: string
  readonly object: string
  readonly username: string
  readonly ageSeconds: number
  readonly clientInfo: string
  readonly entryId: number
  readonly timestampCreated: number
  readonly timestampLastUpdated: number
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const aclLogReply = Reply.array(
  Reply.struct({
    count: ["count", Reply.integer],
    reason: ["reason", Reply.string],
    context: ["context", Reply.string],
    object: ["object", Reply.string],
    username: ["username", Reply.string],
    ageSeconds: ["age-seconds", Reply.double],
    clientInfo: ["client-info", Reply.string],
    entryId: ["entry-id", Reply.integer],
    timestampCreated: ["timestamp-created", Reply.integer],
    timestampLastUpdated: ["timestamp-last-updated", Reply.integer]
  })
)

/**
 * ACL LOG [count]: the latest security events (at most `count`, default 10), newest first.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclLog = (count?: number): Command.Command<Array<AclLogEntry>> => {
  if (count === undefined) return Command.make(["ACL", "LOG"], aclLogReply, READ)
  const bad = badInteger(count, "count", 0)
  return bad !== undefined
    ? Command.invalid("ACL", `ACL LOG: ${bad}`)
    : Command.make(["ACL", "LOG", count], aclLogReply, READ)
}

/**
 * ACL LOG RESET: empties the ACL log.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclLogReset = (): Command.Command<"OK"> => Command.make(["ACL", "LOG", "RESET"], Reply.ok)

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

/**
 * COMMAND COUNT: how many commands the server has.
 *
 * @since 0.1.0
 * @category server
 */
export const commandCount = (): Command.Command<number> => Command.make(["COMMAND", "COUNT"], Reply.integer, READ)

/**
 * Where a key-spec starts looking for keys (`index` or `keyword`) and how it finds them
 * (`range` or `keynum`), with the numbers and keywords of each, as COMMAND INFO gives them.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandKeySpec {
  readonly notes: string | null
  readonly flags: Array<string>
  readonly beginSearch: CommandKeySearch
  readonly findKeys: CommandKeySearch
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

/**
 * One half of a key-spec: its `type` and the numbers and keywords of that type.
 *
 * @since 0.2.0
 * @category models
 */
export interface CommandKeySearch {
  readonly type: string
  readonly spec: Record<string, number | string>
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

/**
 * A command as COMMAND INFO describes it. `arity` is negative for "at least"; `firstKey`,
 * `lastKey` (negative from the end) and `step` are the legacy key positions (after the
 * command name, 1-based); `tips` carry the cluster routing hints (`request_policy:…`).
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandInfo {
  readonly name: string
  readonly arity: number
  readonly flags: Array<string>
  readonly firstKey: number
  readonly lastKey: number
  readonly step: number
  readonly aclCategories: Array<string>
  readonly tips: Array<string>
  readonly keySpecs: Array<CommandKeySpec>
  readonly subcommands: Array<CommandInfo>
  /** Elements this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Array<RespValue>
}

const numberOrText = (reply: RespValue): number | string =>
  typeof reply === "number" ? reply : typeof reply === "bigint" ? Number(reply) : Reply.text(reply)

const keySearch = Reply.struct({
  type: ["type", Reply.string],
  spec: ["spec", Reply.record(numberOrText)]
})

const keySpec: Command.Decoder<CommandKeySpec> = Reply.struct({
  notes: ["notes", Reply.nullableString],
  flags: ["flags", strings],
  beginSearch: ["begin_search", keySearch],
  findKeys: ["find_keys", keySearch]
})

const commandInfoReply: Command.Decoder<CommandInfo> = (reply) => {
  if (!Array.isArray(reply) || reply.length < 10) {
    throw new Command.DecodeFailure("expected a command description of 10 elements")
  }
  return {
    name: Reply.string(reply[0]),
    arity: Reply.integer(reply[1]),
    flags: strings(reply[2]),
    firstKey: Reply.integer(reply[3]),
    lastKey: Reply.integer(reply[4]),
    step: Reply.integer(reply[5]),
    aclCategories: strings(reply[6]),
    tips: strings(reply[7]),
    keySpecs: Reply.array(keySpec)(reply[8]),
    subcommands: Reply.array(commandInfoReply)(reply[9]),
    extra: reply.slice(10)
  }
}

/**
 * COMMAND INFO [command …]: the description of each named command (null for unknown names;
 * subcommands as `"config|get"`), or of every command when none is named.
 *
 * @since 0.1.0
 * @category server
 */
export const commandInfo = (names: ReadonlyArray<string> = []): Command.Command<Array<CommandInfo | null>> =>
  Command.make(["COMMAND", "INFO", ...names], Reply.array(Reply.nullable(commandInfoReply)), READ)

/**
 * A filter of COMMAND LIST.
 *
 * @since 0.1.0
 * @category models
 */
export type CommandListFilter =
  | { readonly module: string }
  | { readonly aclCategory: string }
  | { readonly pattern: string }

/**
 * COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: command names.
 *
 * @since 0.1.0
 * @category server
 */
export const commandList = (filter?: CommandListFilter): Command.Command<Array<string>> => {
  const args = ["COMMAND", "LIST"]
  if (filter !== undefined) {
    if ("module" in filter) args.push("FILTERBY", "MODULE", filter.module)
    else if ("aclCategory" in filter) args.push("FILTERBY", "ACLCAT", filter.aclCategory)
    else args.push("FILTERBY", "PATTERN", filter.pattern)
  }
  return Command.make(args, strings, READ)
}

/**
 * COMMAND GETKEYS command [arg …]: the keys of a full command line, as the server finds them.
 *
 * @since 0.1.0
 * @category server
 */
export const commandGetKeys = (command: ReadonlyArray<Key | Value>): Command.Command<Array<string>> =>
  command.length === 0
    ? Command.invalid("COMMAND", "COMMAND GETKEYS needs a command")
    : Command.make(["COMMAND", "GETKEYS", ...command], strings, READ)

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
        blockMillis: timeout
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
    { request: "all_shards", response: "agg_min", blockMillis: timeout }
  )
}
