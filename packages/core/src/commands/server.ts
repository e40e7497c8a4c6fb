/**
 * Server commands: INFO, DBSIZE, FLUSHDB/FLUSHALL, TIME, CONFIG GET/SET.
 *
 * @since 0.1.0
 */
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

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
    response: "all_succeeded"
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
    response: "all_succeeded"
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
