/**
 * COMMAND DOCS: the server's own documentation of its commands (summary, since, arguments,
 * history, subcommands), as typed values. Servers add fields over versions; each level keeps
 * the ones it does not name in `extra`.
 *
 * @since 0.2.0
 */
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { RespValue } from "../resp/types.ts"

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
