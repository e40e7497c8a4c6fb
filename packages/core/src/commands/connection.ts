/**
 * Connection commands that are safe on a shared connection: PING, ECHO, CLIENT ID/GETNAME, and
 * the administration of connections: CLIENT LIST/INFO (parsed into records), CLIENT KILL with
 * filters, CLIENT PAUSE/UNPAUSE, CLIENT UNBLOCK. (SELECT, AUTH, CLIENT SETNAME and the like
 * change connection state: they are in `session`, never on the shared connection.)
 *
 * @since 0.1.0
 */
import { badInteger, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

/**
 * PING [message]: "PONG", or the message.
 *
 * @since 0.1.0
 * @category connection
 */
export const ping = (message?: Value): Command.Command<string> =>
  Command.make(message === undefined ? ["PING"] : ["PING", message], Reply.string, {
    request: "all_nodes",
    response: "all_succeeded"
  })

/**
 * ECHO message.
 *
 * @since 0.1.0
 * @category connection
 */
export const echo = (message: Value): Command.Command<string> => Command.make(["ECHO", message], Reply.string)

/**
 * CLIENT ID: the id of the connection that served the call.
 *
 * @since 0.1.0
 * @category connection
 */
export const clientId = (): Command.Command<number> => Command.make(["CLIENT", "ID"], Reply.integer)

/**
 * CLIENT GETNAME: the name of the connection that served the call, or null.
 *
 * @since 0.1.0
 * @category connection
 */
export const clientGetName = (): Command.Command<string | null> =>
  Command.make(["CLIENT", "GETNAME"], Reply.nullableString)

/**
 * A connection as CLIENT LIST and CLIENT INFO describe it: `id`, `addr`, `laddr`, `name`,
 * `age`, `idle`, `flags`, `db`, `cmd`, `user`, `lib-name`, … as the server's strings.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientInfo = Record<string, string>

/**
 * The kind of client CLIENT LIST and CLIENT KILL select.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientType = "normal" | "master" | "replica" | "pubsub"

/**
 * The filters of CLIENT LIST that a connection can fail, each with its `NOT-` form (Valkey
 * 9.0+). `user`, `addr` and `laddr` need Valkey 8.1+, the others 9.0+ (`type` and `ids`
 * excepted: every server has them).
 *
 * @since 0.2.0
 * @category models
 */
export interface ClientListMatch {
  readonly type?: ClientType
  readonly ids?: ReadonlyArray<number>
  readonly user?: string
  /** `ip:port` of the client. */
  readonly addr?: string
  /** `ip:port` of the server side of the connection. */
  readonly laddr?: string
  readonly name?: string
  /** Flag letters, as CLIENT LIST prints them (`N`, `P`, …). */
  readonly flags?: string
  readonly libName?: string
  readonly libVer?: string
  readonly db?: number
  readonly capa?: string
  readonly ip?: string
}

/**
 * Which connections CLIENT LIST describes: every given filter must match, and none under `not`.
 * `skipMe` and `maxAge` (connections older than this many seconds) need Valkey 8.1+, `idle`
 * (connections idle at least this many seconds) and `not` 9.0+.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClientListFilter extends ClientListMatch {
  readonly skipMe?: boolean
  readonly maxAge?: number
  readonly idle?: number
  readonly not?: ClientListMatch
}

const MATCH_WORDS = [
  ["user", "USER"],
  ["addr", "ADDR"],
  ["laddr", "LADDR"],
  ["name", "NAME"],
  ["flags", "FLAGS"],
  ["libName", "LIB-NAME"],
  ["libVer", "LIB-VER"],
  ["capa", "CAPA"],
  ["ip", "IP"]
] as const

/** The words of `match` (with `prefix`: its `NOT-` form) appended to `args`, or why not. */
const pushMatch = (args: Array<string | number>, match: ClientListMatch, prefix: string): string | undefined => {
  if (match.type !== undefined) args.push(`${prefix}TYPE`, match.type)
  if (match.ids !== undefined) {
    if (match.ids.length === 0) return "ids needs at least one id"
    for (const id of match.ids) {
      const bad = badInteger(id, "id", 1)
      if (bad !== undefined) return bad
    }
    args.push(`${prefix}ID`, ...match.ids)
  }
  for (const [property, word] of MATCH_WORDS) {
    const value = match[property]
    if (value !== undefined) args.push(`${prefix}${word}`, value)
  }
  if (match.db !== undefined) {
    const bad = badInteger(match.db, "db", 0)
    if (bad !== undefined) return bad
    args.push(`${prefix}DB`, match.db)
  }
  return undefined
}

/**
 * CLIENT LIST [filter …]: the connections of the node that served the call, those matching
 * every filter when some are given.
 *
 * @since 0.1.0
 * @category connection
 */
export const clientList = (filter?: ClientListFilter): Command.Command<Array<ClientInfo>> => {
  const args: Array<string | number> = ["CLIENT", "LIST"]
  if (filter !== undefined) {
    const bad =
      pushMatch(args, filter, "") ??
      (filter.not === undefined ? undefined : pushMatch(args, filter.not, "NOT-")) ??
      (filter.maxAge === undefined ? undefined : badInteger(filter.maxAge, "maxAge", 1)) ??
      (filter.idle === undefined ? undefined : badInteger(filter.idle, "idle", 1))
    if (bad !== undefined) return Command.invalid("CLIENT", `CLIENT LIST: ${bad}`)
    if (filter.skipMe !== undefined) args.push("SKIPME", filter.skipMe ? "yes" : "no")
    if (filter.maxAge !== undefined) args.push("MAXAGE", filter.maxAge)
    if (filter.idle !== undefined) args.push("IDLE", filter.idle)
  }
  return Command.make(args, Reply.lineRecords, { readonly: true })
}

/**
 * CLIENT INFO: the connection that served the call.
 *
 * @since 0.1.0
 * @category connection
 */
export const clientInfo = (): Command.Command<ClientInfo> =>
  Command.make(
    ["CLIENT", "INFO"],
    (reply) => {
      const [info] = Reply.lineRecords(reply)
      if (info === undefined) throw new Command.DecodeFailure("expected a client description, got an empty text")
      return info
    },
    { readonly: true }
  )

/**
 * Which connections CLIENT KILL closes: every given filter must match. `skipMe` (default
 * true on the server) spares the connection that sends the command, which is shared by
 * other callers: keep it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientKillFilter {
  readonly id?: number
  readonly type?: ClientType
  readonly user?: string
  /** `ip:port` of the client. */
  readonly addr?: string
  /** `ip:port` of the server side of the connection. */
  readonly laddr?: string
  readonly skipMe?: boolean
  /** Only connections older than this many seconds. */
  readonly maxAge?: number
}

/**
 * CLIENT KILL filter [filter …]: closes the matching connections; how many were closed.
 *
 * @since 0.1.0
 * @category connection
 */
export const clientKill = (filter: ClientKillFilter): Command.Command<number> => {
  const args: Array<string | number> = ["CLIENT", "KILL"]
  if (filter.id !== undefined) {
    const bad = badInteger(filter.id, "id", 1)
    if (bad !== undefined) return Command.invalid("CLIENT", `CLIENT KILL: ${bad}`)
    args.push("ID", filter.id)
  }
  if (filter.type !== undefined) args.push("TYPE", filter.type)
  if (filter.user !== undefined) args.push("USER", filter.user)
  if (filter.addr !== undefined) args.push("ADDR", filter.addr)
  if (filter.laddr !== undefined) args.push("LADDR", filter.laddr)
  if (filter.maxAge !== undefined) {
    const bad = badInteger(filter.maxAge, "maxAge", 1)
    if (bad !== undefined) return Command.invalid("CLIENT", `CLIENT KILL: ${bad}`)
    args.push("MAXAGE", filter.maxAge)
  }
  if (args.length === 2) return Command.invalid("CLIENT", "CLIENT KILL needs at least one filter")
  if (filter.skipMe !== undefined) args.push("SKIPME", filter.skipMe ? "yes" : "no")
  return Command.make(args, Reply.integer)
}

/**
 * CLIENT PAUSE timeout [WRITE|ALL]: suspends the commands of every client (only writes with
 * `WRITE`) for `timeout` ms.
 *
 * @since 0.1.0
 * @category connection
 */
export const clientPause = (timeout: number, mode?: "WRITE" | "ALL"): Command.Command<"OK"> => {
  const bad = badInteger(timeout, "timeout", 0)
  if (bad !== undefined) return Command.invalid("CLIENT", `CLIENT PAUSE: ${bad}`)
  return Command.make(mode === undefined ? ["CLIENT", "PAUSE", timeout] : ["CLIENT", "PAUSE", timeout, mode], Reply.ok)
}

/**
 * CLIENT UNPAUSE: ends a CLIENT PAUSE early.
 *
 * @since 0.1.0
 * @category connection
 */
export const clientUnpause = (): Command.Command<"OK"> => Command.make(["CLIENT", "UNPAUSE"], Reply.ok)

/**
 * CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: wakes a client blocked in a blocking command, as
 * if it timed out (default) or with an `UNBLOCKED` error; true when it was blocked.
 *
 * @since 0.1.0
 * @category connection
 */
export const clientUnblock = (id: number, mode?: "TIMEOUT" | "ERROR"): Command.Command<boolean> => {
  const bad = badInteger(id, "id", 1)
  if (bad !== undefined) return Command.invalid("CLIENT", `CLIENT UNBLOCK: ${bad}`)
  return Command.make(mode === undefined ? ["CLIENT", "UNBLOCK", id] : ["CLIENT", "UNBLOCK", id, mode], Reply.boolean)
}
