/**
 * COMMAND and its subcommands: COUNT, INFO, LIST, GETKEYS, and DOCS (the server's own
 * documentation of its commands: summary, since, arguments, history, subcommands, as typed
 * values; servers add fields over versions and each level keeps the ones it does not name in
 * `extra`).
 *
 * @since 0.2.0
 */
import type { Key, Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { RespValue } from "../resp/types.ts"

const READ: Command.CommandOptions = { readonly: true }

/**
 * An argument of a command as COMMAND DOCS describes it; `arguments` are the parts of a
 * `block` or `oneof`.
 *
 * @since 0.2.0
 * @category models
 */
export interface CommandDocArgument {
  readonly name: string
  /** `string`, `integer`, `double`, `key`, `pattern`, `unix-time`, `pure-token`, `oneof`, `block`. */
  readonly type: string
  readonly displayText: string | null
  readonly token: string | null
  readonly summary: string | null
  readonly since: string | null
  /** `optional`, `multiple`, `multiple_token`. */
  readonly flags: Array<string>
  readonly arguments: Array<CommandDocArgument>
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

/**
 * A command as COMMAND DOCS describes it. `history` lists `[version, change]`.
 *
 * @since 0.2.0
 * @category models
 */
export interface CommandDoc {
  readonly summary: string | null
  readonly since: string | null
  readonly group: string | null
  readonly complexity: string | null
  readonly docFlags: Array<string>
  readonly history: Array<[version: string, change: string]>
  readonly arguments: Array<CommandDocArgument>
  /** By full name (`latency|graph`). */
  readonly subcommands: Record<string, CommandDoc>
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const text = Reply.nullableString
const strings = (reply: RespValue): Array<string> => (reply === null ? [] : Reply.array(Reply.string)(reply))

const argumentsOf = (reply: RespValue): Array<CommandDocArgument> =>
  reply === null ? [] : Reply.array(argument)(reply)

const argument: Command.Decoder<CommandDocArgument> = (reply) =>
  Reply.struct({
    name: ["name", Reply.string],
    type: ["type", Reply.string],
    displayText: ["display_text", text],
    token: ["token", text],
    summary: ["summary", text],
    since: ["since", text],
    flags: ["flags", strings],
    arguments: ["arguments", argumentsOf]
  })(reply)

const history = (reply: RespValue): Array<[string, string]> =>
  reply === null
    ? []
    : Reply.array((entry) => {
        const [version, change] = Reply.leading(Reply.string, Reply.string)(entry)
        return [version, change] as [string, string]
      })(reply)

const doc: Command.Decoder<CommandDoc> = (reply) =>
  Reply.struct({
    summary: ["summary", text],
    since: ["since", text],
    group: ["group", text],
    complexity: ["complexity", text],
    docFlags: ["doc_flags", strings],
    history: ["history", history],
    arguments: ["arguments", argumentsOf],
    subcommands: ["subcommands", (sub: RespValue) => (sub === null ? {} : Reply.record(doc)(sub))]
  })(reply)

/**
 * COMMAND DOCS [command …]: the documentation of the named commands (of every command when
 * none is named), by name; unknown names are left out.
 *
 * @since 0.2.0
 * @category server
 */
export const commandDocs = (names: ReadonlyArray<string> = []): Command.Command<Record<string, CommandDoc>> =>
  Command.make(["COMMAND", "DOCS", ...names], Reply.record(doc), { readonly: true })

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
