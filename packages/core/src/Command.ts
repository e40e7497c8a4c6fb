/**
 * A command as data: its arguments, how its reply is decoded, and the facts a router needs
 * (where its keys are, or which nodes it goes to and how their replies combine). One
 * definition serves the standalone client, the cluster router, batches and module packages.
 *
 * @since 0.1.0
 */
import * as Exit from "effect/Exit"
import { type CommandError, DecodeError, InvalidArgumentError, ReplyError } from "./errors.ts"
import { type RespArg, RespError, type RespValue } from "./resp/types.ts"

/**
 * Where a command goes in a cluster, in the server's own COMMAND tips vocabulary. Keyless
 * commands: `all_nodes`, `all_shards`, `random`. `multi_shard`: a multi-key command that may
 * be split by slot and recombined by its response policy (MGET in key order when none, DEL's
 * `agg_sum`, MSET's `all_succeeded`).
 *
 * @since 0.1.0
 * @category models
 */
export type RequestPolicy = "all_nodes" | "all_shards" | "random" | "multi_shard"

/**
 * How the replies of a command sent to several nodes are combined.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponsePolicy =
  | "one_succeeded"
  | "all_succeeded"
  | "agg_logical_and"
  | "agg_logical_or"
  | "agg_min"
  | "agg_max"
  | "agg_sum"
  | "combine_arrays"
  | "per_node"

/**
 * Turns a raw reply into the command's value. Throws `DecodeFailure` (only) when the reply
 * has a shape the command cannot have; the connection turns that into a typed `DecodeError`.
 *
 * @since 0.1.0
 * @category models
 */
export type Decoder<A> = (reply: RespValue) => A

/**
 * A command as a value: its arguments, its reply decoder and its routing facts. Written once,
 * it runs on the `Valkey` service, a cluster router, a batch or a dedicated connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Command<A> {
  /** The whole command line, command name(s) first. */
  readonly args: ReadonlyArray<RespArg>
  readonly decode: Decoder<A>
  /** Index in `args` of the first key, or -1 for keyless commands. */
  readonly firstKey: number
  /** Index of the last key (inclusive). */
  readonly lastKey: number
  /** Distance between keys (2 for MSET's key/value pairs). */
  readonly keyStep: number
  /** Writes go to primaries; read-only commands may be served by replicas. */
  readonly readonly: boolean
  /** Keyless routing in a cluster; undefined means "any node" for keyless commands. */
  readonly request?: RequestPolicy | undefined
  readonly response?: ResponsePolicy | undefined
  /** For blocking commands: the server-side block time in ms (0 = forever). */
  readonly blockMillis?: number | undefined
  /**
   * A blocking command about this connection's own writes (WAIT, WAITAOF): it runs on the
   * connection that sent them, never on a pooled connection that sent none.
   */
  readonly ownWrites?: boolean | undefined
  /** Bulk and simple strings of the reply as `Uint8Array` instead of UTF-8 strings. */
  readonly bytes: boolean
  /** Set when the arguments were rejected client-side: the command is never sent. */
  readonly invalid?: InvalidArgumentError | undefined
  /**
   * The client does not know where this command goes (a `custom` command given no `keys`):
   * a cluster routes it by the server's own COMMAND metadata. Standalone ignores it.
   */
  readonly serverRouted?: boolean | undefined
  /** A keyless command a cluster answers from every primary's share of the data. */
  readonly shards?: Shards<A> | undefined
  /**
   * A read whose reply depends only on its keys' values, so a client-side cache may answer it
   * from memory until the server invalidates one of its keys (GET, HGETALL, SMEMBERS, …).
   */
  readonly cacheable?: boolean | undefined
  /** A write that may change every key of the database (FLUSHALL, FLUSHDB, SWAPDB). */
  readonly writesAllKeys?: boolean | undefined
}

/**
 * How a cluster answers a keyless command from every primary's share of the data, when no
 * response policy can (a module whose nodes each index only their own keys: a search that
 * must merge ranked results and re-apply its LIMIT). `command` goes to every primary, since it
 * may differ from what one node is asked (a larger LIMIT, fields the merge needs); `gather`
 * turns the primaries' values, in no particular order, into the command's value, or fails.
 * Standalone sends the command itself and never gathers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shards<A> {
  readonly command: Command<unknown>
  readonly gather: (values: ReadonlyArray<unknown>) => Exit.Exit<A, CommandError>
}

/**
 * The routing facts given to `make`: key positions, whether the command only reads, and the
 * cluster request and response policies.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandOptions {
  /** Key positions: a single index, or a range `[first, last, step]` (last inclusive). */
  readonly keys?: number | readonly [first: number, last: number, step: number]
  readonly readonly?: boolean
  readonly request?: RequestPolicy
  readonly response?: ResponsePolicy
  readonly blockMillis?: number
  readonly ownWrites?: boolean
  readonly serverRouted?: boolean
  readonly shards?: Shards<unknown>
  /**
   * A read a client-side cache may answer (see `Command.cacheable`). Its argument line must
   * decide its value: no other cacheable definition may decode the same line differently.
   */
  readonly cacheable?: boolean
  /**
   * A write that may change every key (FLUSHALL, FLUSHDB, SWAPDB): a client-side cache empties
   * itself before sending it, so this client's next read sees the change.
   */
  readonly writesAllKeys?: boolean
}

// A command carries its arguments and refers to its definition's options (hot commands pass
// one shared constant), so building one allocates five fields, not twelve; the routing facts
// are read from the options when a router asks for them.
class CommandImpl<A> implements Command<A> {
  readonly args: ReadonlyArray<RespArg>
  readonly decode: Decoder<A>
  readonly options: CommandOptions | undefined
  readonly bytes: boolean
  readonly invalid: InvalidArgumentError | undefined
  constructor(
    args: ReadonlyArray<RespArg>,
    decode: Decoder<A>,
    options: CommandOptions | undefined,
    bytes: boolean,
    invalid: InvalidArgumentError | undefined
  ) {
    this.args = args
    this.decode = decode
    this.options = options
    this.bytes = bytes
    this.invalid = invalid
  }
  get firstKey(): number {
    const keys = this.options?.keys
    return keys === undefined ? -1 : typeof keys === "number" ? keys : keys[0]
  }
  get lastKey(): number {
    const keys = this.options?.keys
    return keys === undefined ? -1 : typeof keys === "number" ? keys : keys[1]
  }
  get keyStep(): number {
    const keys = this.options?.keys
    return keys === undefined ? 0 : typeof keys === "number" ? 1 : keys[2]
  }
  get readonly(): boolean {
    return this.options?.readonly ?? false
  }
  get request(): RequestPolicy | undefined {
    return this.options?.request
  }
  get response(): ResponsePolicy | undefined {
    return this.options?.response
  }
  get blockMillis(): number | undefined {
    return this.options?.blockMillis
  }
  get ownWrites(): boolean {
    return this.options?.ownWrites === true
  }
  get serverRouted(): boolean {
    return this.options?.serverRouted === true
  }
  get shards(): Shards<A> | undefined {
    return this.options?.shards as Shards<A> | undefined
  }
  get cacheable(): boolean {
    return this.options?.cacheable === true
  }
  get writesAllKeys(): boolean {
    return this.options?.writesAllKeys === true
  }
}

/**
 * Why `args` cannot be encoded, if they cannot: no command name, or an argument that is not a
 * string, bytes or a number (`undefined`, `null`, an object from an ill-typed caller, or NaN,
 * which has no decimal form). Checked when the command is built, so such a command fails with
 * `InvalidArgumentError` and is never queued: the encoder would otherwise throw inside the
 * connection's write. The message names the argument's type, never its value. Only `make`
 * checks: the combinators below reuse arguments that were checked already.
 */
const badArguments = (args: ReadonlyArray<RespArg>): InvalidArgumentError | undefined => {
  const n = args.length
  for (let i = 0; i < n; i++) {
    const arg: unknown = args[i]
    if (typeof arg === "string" || (typeof arg === "number" ? !Number.isNaN(arg) : arg instanceof Uint8Array)) continue
    const command = typeof args[0] === "string" ? args[0].toUpperCase() : "(no name)"
    const what = typeof arg === "number" ? "NaN" : arg === null ? "null" : typeof arg
    return new InvalidArgumentError({
      command,
      message: `${command}: argument ${i} is ${what}, not a string, bytes or a number`
    })
  }
  return n === 0 ? new InvalidArgumentError({ command: "", message: "a command needs at least its name" }) : undefined
}

/** The options a command was built with (commands not built here: rebuilt from their facts). */
const optionsOf = (command: Command<unknown>): CommandOptions | undefined =>
  command instanceof CommandImpl
    ? command.options
    : {
        keys: [command.firstKey, command.lastKey, command.keyStep],
        readonly: command.readonly,
        ...(command.request !== undefined ? { request: command.request } : {}),
        ...(command.response !== undefined ? { response: command.response } : {}),
        ...(command.blockMillis !== undefined ? { blockMillis: command.blockMillis } : {}),
        ...(command.ownWrites === true ? { ownWrites: true } : {}),
        ...(command.serverRouted === true ? { serverRouted: true } : {}),
        ...(command.shards !== undefined ? { shards: command.shards } : {}),
        ...(command.cacheable === true ? { cacheable: true } : {}),
        ...(command.writesAllKeys === true ? { writesAllKeys: true } : {})
      }

/**
 * Builds a command. `keys` are positions in `args`, which include the command name. Hot
 * commands pass a shared constant for `options`, so building one allocates only the command.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <A>(args: ReadonlyArray<RespArg>, decode: Decoder<A>, options?: CommandOptions): Command<A> =>
  new CommandImpl(args, decode, options, false, badArguments(args))

/**
 * A command that is never sent: its arguments were invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalid = <A>(name: string, message: string): Command<A> =>
  new CommandImpl<A>(
    [name],
    failDecode,
    undefined,
    false,
    new InvalidArgumentError({
      command: name,
      message: `${name}: ${message}`
    })
  )

const failDecode = (): never => {
  throw new DecodeFailure("an invalid command has no reply")
}

/**
 * The same command, with strings in its reply given as bytes.
 *
 * @since 0.1.0
 * @category combinators
 */
export const bytes = <A>(command: Command<A>): Command<AsBytes<A>> =>
  new CommandImpl(command.args, command.decode, optionsOf(command), true, command.invalid) as unknown as Command<
    AsBytes<A>
  >

/**
 * The same command with another decoder (for example a Schema applied to the reply).
 *
 * @since 0.1.0
 * @category combinators
 */
export const map = <A, B>(command: Command<A>, f: (a: A) => B): Command<B> => {
  const decode = command.decode
  // Another decoder for the same line: a cache keyed by the line must not mix the two.
  const options = uncached(optionsOf(command))
  const shards = command.shards
  return new CommandImpl(
    command.args,
    (reply) => f(decode(reply)),
    shards === undefined ? options : { ...options, shards: mapShards(command, shards, f) },
    command.bytes,
    command.invalid
  )
}

const uncached = (options: CommandOptions | undefined): CommandOptions | undefined => {
  if (options?.cacheable !== true) return options
  const { cacheable: _, ...rest } = options
  return rest
}

/** `f` applied to the gathered value too, its DecodeFailure a DecodeError as in `settle`. */
const mapShards = <A, B>(command: Command<A>, shards: Shards<A>, f: (a: A) => B): Shards<B> => ({
  command: shards.command,
  gather: (values) => {
    const exit = shards.gather(values)
    return Exit.isSuccess(exit) ? attempt(command, () => f(exit.value)) : (exit as Exit.Exit<never, CommandError>)
  }
})

const attempt = <A>(command: Command<unknown>, f: () => A): Exit.Exit<A, CommandError> => {
  try {
    return Exit.succeed(f())
  } catch (cause) {
    return decodeError(command, cause)
  }
}

const decodeError = (command: Command<unknown>, cause: unknown): Exit.Exit<never, CommandError> => {
  const message = cause instanceof DecodeFailure ? cause.message : String(cause)
  return Exit.fail(new DecodeError({ message: `${name(command)}: ${message}`, command: name(command), cause }))
}

/**
 * The values of `command.shards.command` from every primary, gathered into the command's value.
 * A gather that throws (a bug, or a mapped decoder's DecodeFailure) is a `DecodeError`.
 *
 * @since 0.1.0
 * @category getters
 */
export const gather = <A>(command: Command<A>, values: ReadonlyArray<unknown>): Exit.Exit<A, CommandError> => {
  const shards = command.shards
  if (shards === undefined) return decodeError(command, new DecodeFailure("not a per-shard command"))
  try {
    return shards.gather(values)
  } catch (cause) {
    return decodeError(command, cause)
  }
}

/**
 * The same command (arguments, keys, routing) read by another decoder: what a transaction
 * needs for the QUEUED replies of its commands.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withDecoder = <A, B>(command: Command<A>, decode: Decoder<B>): Command<B> => {
  const options = uncached(optionsOf(command))
  // A gather yields the old decoder's type: the new one goes to one node.
  if (options?.shards === undefined)
    return new CommandImpl(command.args, decode, options, command.bytes, command.invalid)
  const { shards: _, ...rest } = options
  return new CommandImpl(command.args, decode, rest, command.bytes, command.invalid)
}

/**
 * The same command (arguments, decoder) with other routing facts: what a cluster router uses
 * once it has learned a `serverRouted` command's keys and policies from the server.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRouting = <A>(command: Command<A>, options: CommandOptions): Command<A> =>
  new CommandImpl(command.args, command.decode, options, command.bytes, command.invalid)

/**
 * The name a person would use in an error message: `GET`, `CONFIG GET`, `JSON.SET`.
 *
 * @since 0.1.0
 * @category getters
 */
export const name = (command: Command<unknown>): string => {
  const first = String(command.args[0] ?? "").toUpperCase()
  const second = command.args[1]
  return CONTAINERS.has(first) && typeof second === "string" ? `${first} ${second.toUpperCase()}` : first
}

const CONTAINERS = new Set([
  "ACL",
  "CLIENT",
  "CLUSTER",
  "COMMAND",
  "COMMANDLOG",
  "CONFIG",
  "FUNCTION",
  "LATENCY",
  "MEMORY",
  "MODULE",
  "OBJECT",
  "PUBSUB",
  "SCRIPT",
  "SLOWLOG",
  "XGROUP",
  "XINFO"
])

/**
 * A reply whose shape the command cannot have (a server bug or a mismatched Schema).
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeFailure {
  /** What did not match. */
  readonly message: string
  /** The underlying failure (a Schema issue, a thrown error), kept as the `DecodeError`'s cause. */
  readonly cause: unknown
  constructor(message: string, cause?: unknown) {
    this.message = message
    this.cause = cause
  }
}

/**
 * The type of a reply when its strings are read as bytes.
 *
 * @since 0.1.0
 * @category models
 */
export type AsBytes<A> = A extends string
  ? Uint8Array
  : A extends ReadonlyArray<infer E>
    ? Array<AsBytes<E>>
    : A extends ReadonlyMap<infer K, infer V>
      ? Map<AsBytes<K>, AsBytes<V>>
      : A extends Record<string, infer V>
        ? Record<string, AsBytes<V>>
        : A

/**
 * The outcome of a command given its reply: an error reply becomes a `ReplyError`, a reply of
 * the wrong shape a `DecodeError`, anything else the decoded value.
 *
 * @since 0.1.0
 * @category getters
 */
export const settle = <A>(command: Command<A>, reply: RespValue): Exit.Exit<A, CommandError> => {
  if (reply instanceof RespError) {
    return Exit.fail(new ReplyError({ message: reply.message, code: reply.code, command: name(command) }))
  }
  try {
    return Exit.succeed(command.decode(reply))
  } catch (cause) {
    return decodeError(command, cause)
  }
}

// ignoreBOM: a key that starts with U+FEFF keeps it (the cache compares keys as text).
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true })
const text = (arg: RespArg | undefined): string | undefined =>
  arg === undefined || typeof arg === "string" ? arg : typeof arg === "number" ? String(arg) : utf8.decode(arg)

/**
 * The command's keys as text, from its key positions (`firstKey` to `lastKey`, every
 * `keyStep`); empty for a keyless command.
 *
 * @since 0.3.0
 * @category getters
 */
export const keyNames = (command: Command<unknown>): Array<string> => {
  const args = command.args
  const names: Array<string> = []
  const step = command.keyStep
  if (command.firstKey < 1 || step < 1) return names
  const last = Math.min(command.lastKey, args.length - 1)
  for (let i = command.firstKey; i <= last; i += step) names.push(text(args[i])!)
  return names
}

const seconds = (arg: RespArg | undefined): number | undefined => {
  const value = Number(text(arg))
  return arg === undefined || !Number.isFinite(value) || value < 0 ? undefined : Math.ceil(value * 1000)
}

const millis = (arg: RespArg | undefined): number | undefined => {
  const value = Number(text(arg))
  return arg === undefined || !Number.isFinite(value) || value < 0 ? undefined : Math.ceil(value)
}

/**
 * The server-side block time (ms, `0` = forever) of a blocking command line given as text (a
 * `custom` or persistence command), so the client waits that long (plus `blockingMargin`)
 * instead of `requestTimeout` and, on the shared client, runs it on a connection of the
 * blocking pool. `undefined` for other commands. The typed definitions know their own block
 * time and set `blockMillis` from their arguments.
 *
 * @since 0.2.0
 * @category getters
 */
export const blockMillisOf = (command: string, args: ReadonlyArray<RespArg>): number | undefined => {
  switch (command.toUpperCase()) {
    case "BLPOP":
    case "BRPOP":
    case "BRPOPLPUSH":
    case "BLMOVE":
    case "BZPOPMIN":
    case "BZPOPMAX":
      return seconds(args[args.length - 1])
    case "BLMPOP":
    case "BZMPOP":
      return seconds(args[0])
    case "XREAD":
    case "XREADGROUP": {
      const at = args.findIndex((arg) => text(arg)!.toUpperCase() === "BLOCK")
      return at === -1 ? undefined : millis(args[at + 1])
    }
    case "WAIT":
      return millis(args[1])
    case "WAITAOF":
      return millis(args[2])
    default:
      return undefined
  }
}

/**
 * The blocking facts of a command line given as text (a `custom` or persistence command):
 * its block time (`blockMillisOf`), and for WAIT and WAITAOF that they are about the writes of
 * the connection they run on (`ownWrites`). `undefined` for commands that do not block.
 *
 * @since 0.2.0
 * @category getters
 */
export const blockingOf = (
  command: string,
  args: ReadonlyArray<RespArg>
): { readonly blockMillis: number; readonly ownWrites?: true } | undefined => {
  const blockMillis = blockMillisOf(command, args)
  if (blockMillis === undefined) return undefined
  const name = command.toUpperCase()
  return name === "WAIT" || name === "WAITAOF" ? { blockMillis, ownWrites: true } : { blockMillis }
}
