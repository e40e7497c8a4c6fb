/**
 * The server's own routing facts, for commands the client does not know statically (a
 * `custom` command without `keys`, a module's command): key positions, whether keys are
 * movable (EVAL's numkeys), and the request and response policies of the COMMAND tips. The
 * cluster router reads the table once, from one `COMMAND` call, the first time it needs it.
 *
 * @since 0.1.0
 */
import { Command, Reply, type RespArg, type RespValue } from "@effect-valkey/core"

/**
 * What the server's COMMAND table says about a command: its key positions, whether it only
 * reads, and its cluster request and response policies.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandFacts {
  /** Index of the first key (the command name is 0); 0 for keyless commands. */
  readonly firstKey: number
  /** Index of the last key; negative counts from the end (-1: the last argument). */
  readonly lastKey: number
  readonly step: number
  /** Key positions depend on other arguments: ask `COMMAND GETKEYS`. */
  readonly movableKeys: boolean
  readonly readonly: boolean
  readonly request: Command.RequestPolicy | undefined
  readonly response: Command.ResponsePolicy | undefined
}

/**
 * Facts by lower-case name; a subcommand as `name|sub` (`config|get`).
 *
 * @since 0.1.0
 * @category models
 */
export type CommandTable = ReadonlyMap<string, CommandFacts>

const REQUEST = new Set<string>(["all_nodes", "all_shards", "multi_shard", "special"])
const RESPONSE = new Set<string>([
  "one_succeeded",
  "all_succeeded",
  "agg_logical_and",
  "agg_logical_or",
  "agg_min",
  "agg_max",
  "agg_sum",
  "combine_arrays"
])

const words = (value: RespValue | undefined): Array<string> =>
  value instanceof Set || Array.isArray(value) ? [...(value as Iterable<RespValue>)].map(Reply.text) : []

const addEntry = (table: Map<string, CommandFacts>, entry: RespValue) => {
  if (!Array.isArray(entry)) return
  const [name, , flags, first, last, step, , tips, , subcommands] = entry as ReadonlyArray<RespValue>
  let request: Command.RequestPolicy | undefined
  let response: Command.ResponsePolicy | undefined
  for (const tip of words(tips)) {
    const [kind, value = ""] = tip.split(":")
    // "special" request policies (SCAN, ...) are routed by the client's own code, not here.
    if (kind === "request_policy" && REQUEST.has(value) && value !== "special") {
      request = value as Command.RequestPolicy
    }
    if (kind === "response_policy" && RESPONSE.has(value)) response = value as Command.ResponsePolicy
  }
  const flagWords = words(flags)
  table.set(Reply.text(name!).toLowerCase(), {
    firstKey: Number(first),
    lastKey: Number(last),
    step: Number(step),
    movableKeys: flagWords.includes("movablekeys"),
    readonly: flagWords.includes("readonly"),
    request,
    response
  })
  if (Array.isArray(subcommands)) for (const sub of subcommands) addEntry(table, sub)
}

/**
 * `COMMAND`, decoded to the table.
 *
 * @since 0.1.0
 * @category commands
 */
export const command: Command.Command<CommandTable> = Command.make(
  ["COMMAND"],
  (reply) => {
    if (!Array.isArray(reply)) throw new Command.DecodeFailure("COMMAND did not answer an array")
    const table = new Map<string, CommandFacts>()
    for (const entry of reply as ReadonlyArray<RespValue>) addEntry(table, entry)
    return table
  },
  { readonly: true }
)

/**
 * The facts for a command line: its subcommand's when it has one (`CONFIG GET`), else its own.
 *
 * @since 0.1.0
 * @category getters
 */
export const lookup = (table: CommandTable, args: ReadonlyArray<RespArg>): CommandFacts | undefined => {
  const name = String(args[0]).toLowerCase()
  if (args.length > 1 && typeof args[1] === "string") {
    const sub = table.get(`${name}|${args[1].toLowerCase()}`)
    if (sub !== undefined) return sub
  }
  return table.get(name)
}

/**
 * `command` with the routing facts of `facts` (static key positions and policies). Movable
 * keys are not expressible as positions: the router asks `COMMAND GETKEYS` for those.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withFacts = <A>(command: Command.Command<A>, facts: CommandFacts): Command.Command<A> => {
  const n = command.args.length
  const last = facts.lastKey < 0 ? n + facts.lastKey : facts.lastKey
  const keyed = facts.firstKey > 0 && facts.firstKey < n && !facts.movableKeys
  return Command.withRouting(command, {
    ...(keyed ? { keys: [facts.firstKey, Math.min(last, n - 1), Math.max(facts.step, 1)] as const } : {}),
    readonly: facts.readonly,
    ...(facts.request !== undefined ? { request: facts.request } : {}),
    ...(facts.response !== undefined ? { response: facts.response } : {})
  })
}
