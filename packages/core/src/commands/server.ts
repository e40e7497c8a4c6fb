/**
 * Server commands: INFO, DBSIZE, FLUSHDB/FLUSHALL, TIME, CONFIG GET/SET/RESETSTAT/REWRITE,
 * SAVE/BGSAVE/BGREWRITEAOF/LASTSAVE, ROLE and SWAPDB.
 *
 * @since 0.1.0
 */
import { badInteger } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { RespValue } from "../resp/types.ts"

const ALL_NODES_OK: Command.CommandOptions = { request: "all_nodes", response: "all_succeeded" }
const READ: Command.CommandOptions = { readonly: true }

/**
 * INFO [section …]: the raw text (see `parseInfo`).
 *
 * @since 0.1.0
 * @category server
 */
export const info = (sections?: ReadonlyArray<string>): Command.Command<string> =>
  Command.make(sections === undefined ? ["INFO"] : ["INFO", ...sections], Reply.text, {
    request: "all_nodes",
    response: "per_node"
  })

/**
 * INFO's text as sections of fields: `{ server: { valkey_version: "8.0.1", … }, … }`.
 *
 * @since 0.1.0
 * @category server
 */
export const parseInfo = (text: string): Record<string, Record<string, string>> => {
  const out: Record<string, Record<string, string>> = {}
  let section: Record<string, string> = {}
  for (const line of text.split("\r\n")) {
    if (line.startsWith("# ")) {
      section = {}
      out[line.slice(2).trim().toLowerCase()] = section
    } else if (line.includes(":")) {
      const at = line.indexOf(":")
      section[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return out
}

/**
 * DBSIZE: the number of keys in the selected database.
 *
 * @since 0.1.0
 * @category server
 */
export const dbsize = (): Command.Command<number> =>
  Command.make(["DBSIZE"], Reply.integer, { readonly: true, request: "all_shards", response: "agg_sum" })

/**
 * FLUSHDB [ASYNC|SYNC].
 *
 * @since 0.1.0
 * @category server
 */
export const flushdb = (mode?: "ASYNC" | "SYNC"): Command.Command<"OK"> =>
  Command.make(mode === undefined ? ["FLUSHDB"] : ["FLUSHDB", mode], Reply.ok, {
    request: "all_shards",
    response: "all_succeeded",
    writesAllKeys: true
  })

/**
 * FLUSHALL [ASYNC|SYNC].
 *
 * @since 0.1.0
 * @category server
 */
export const flushall = (mode?: "ASYNC" | "SYNC"): Command.Command<"OK"> =>
  Command.make(mode === undefined ? ["FLUSHALL"] : ["FLUSHALL", mode], Reply.ok, {
    request: "all_shards",
    response: "all_succeeded",
    writesAllKeys: true
  })

/**
 * TIME: the server clock as `{ seconds, microseconds }`.
 *
 * @since 0.1.0
 * @category server
 */
export const time = (): Command.Command<{ readonly seconds: number; readonly microseconds: number }> =>
  Command.make(["TIME"], (reply) => {
    const [seconds, microseconds] = Reply.tuple(Reply.integer, Reply.integer)(reply)
    return { seconds, microseconds }
  })

/**
 * CONFIG GET parameter [parameter …]: matching parameters and their values.
 *
 * @since 0.1.0
 * @category server
 */
export const configGet = (parameters: ReadonlyArray<string>): Command.Command<Record<string, string>> =>
  parameters.length === 0
    ? Command.invalid("CONFIG", "CONFIG GET needs at least one parameter")
    : Command.make(["CONFIG", "GET", ...parameters], Reply.record(Reply.string))

/**
 * CONFIG SET parameter value [parameter value …].
 *
 * @since 0.1.0
 * @category server
 */
export const configSet = (parameters: Readonly<Record<string, string | number>>): Command.Command<"OK"> => {
  const args: Array<string | number> = ["CONFIG", "SET"]
  for (const name in parameters) args.push(name, parameters[name]!)
  return args.length === 2
    ? Command.invalid("CONFIG", "CONFIG SET needs at least one parameter")
    : Command.make(args, Reply.ok, { request: "all_nodes", response: "all_succeeded" })
}

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

/** SWAPDB changes what every key of both databases holds. */
const SWAPS_ALL: Command.CommandOptions = { writesAllKeys: true }

/**
 * SWAPDB index1 index2: swaps two databases, for every client at once.
 *
 * @since 0.1.0
 * @category server
 */
export const swapdb = (index1: number, index2: number): Command.Command<"OK"> => {
  const bad = badInteger(index1, "index1", 0) ?? badInteger(index2, "index2", 0)
  return bad === undefined
    ? Command.make(["SWAPDB", index1, index2], Reply.ok, SWAPS_ALL)
    : Command.invalid("SWAPDB", bad)
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
  /** A role this client does not know (a newer server's): its name and the rest as sent. */
  | { readonly role: "other"; readonly name: string; readonly reply: ReadonlyArray<RespValue> }

const decodeRole = (reply: RespValue): Role => {
  if (!Array.isArray(reply)) throw new Command.DecodeFailure("ROLE did not answer an array")
  const [kind, ...rest] = reply as ReadonlyArray<RespValue>
  const name = Reply.text(kind!)
  switch (name) {
    case "master":
    case "primary":
      return {
        role: "primary",
        offset: Reply.integer(rest[0]!),
        replicas: Reply.array((r) => {
          const [host, port, offset] = Reply.array(Reply.text)(r)
          return { host: host!, port: Number(port), offset: Number(offset) }
        })(rest[1]!)
      }
    case "slave":
    case "replica":
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
      return { role: "other", name, reply: rest }
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
