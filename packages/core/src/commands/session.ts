/**
 * Commands that change what a connection means for the commands after them: the handshake
 * (HELLO, AUTH, CLIENT SETNAME/SETINFO, SELECT, READONLY), transactions (MULTI, EXEC, DISCARD,
 * WATCH, UNWATCH) and the cluster's ASKING. On a shared connection they would leak between
 * callers, so none is a method of the `Valkey` service: the handshake, batches, dedicated
 * connections and the cluster router send these definitions.
 *
 * @since 0.2.0
 */
import type { Key } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { RespArg, RespValue } from "../resp/types.ts"

/**
 * HELLO protover [AUTH username password] [SETNAME name]: switches the protocol (and
 * authenticates, names the connection) in one round trip.
 *
 * @since 0.2.0
 * @category connection
 */
export const hello = (
  protocol: 2 | 3,
  options?: {
    readonly auth?: readonly [username: string, password: string] | undefined
    readonly clientName?: string | undefined
  }
): Command.Command<RespValue> => {
  const args: Array<RespArg> = ["HELLO", String(protocol)]
  if (options?.auth !== undefined) args.push("AUTH", ...options.auth)
  if (options?.clientName !== undefined) args.push("SETNAME", options.clientName)
  return Command.make(args, Reply.raw)
}

/**
 * AUTH username password: authenticates the connection (`default` is the user of a plain
 * `requirepass`).
 *
 * @since 0.2.0
 * @category connection
 */
export const auth = (username: string, password: string): Command.Command<"OK"> =>
  Command.make(["AUTH", username, password], Reply.ok)

/**
 * SELECT index: the connection's database from now on.
 *
 * @since 0.2.0
 * @category connection
 */
export const select = (database: number): Command.Command<"OK"> =>
  Number.isSafeInteger(database) && database >= 0
    ? Command.make(["SELECT", database], Reply.ok)
    : Command.invalid("SELECT", `the database must be an integer ≥ 0, got ${database}`)

/**
 * CLIENT SETNAME name: the connection's name from now on (non-empty, no spaces).
 *
 * @since 0.2.0
 * @category connection
 */
export const clientSetName = (name: string): Command.Command<"OK"> =>
  name.length > 0 && !/\s/.test(name)
    ? Command.make(["CLIENT", "SETNAME", name], Reply.ok)
    : Command.invalid("CLIENT SETNAME", "the name must be non-empty, without spaces")

/**
 * CLIENT SETINFO LIB-NAME|LIB-VER value: what library this connection is, for CLIENT LIST.
 *
 * @since 0.2.0
 * @category connection
 */
export const clientSetInfo = (attribute: "LIB-NAME" | "LIB-VER", value: string): Command.Command<"OK"> =>
  Command.make(["CLIENT", "SETINFO", attribute, value], Reply.ok)

/**
 * READONLY: a cluster replica serves this connection's reads.
 *
 * @since 0.2.0
 * @category connection
 */
export const readonly: Command.Command<"OK"> = Command.make(["READONLY"], Reply.ok)

/**
 * ASKING: the next command may touch a slot being imported (after an ASK redirection).
 *
 * @since 0.2.0
 * @category cluster
 */
export const asking: Command.Command<"OK"> = Command.make(["ASKING"], Reply.ok)

/**
 * MULTI: starts a transaction; the commands after it are queued until EXEC.
 *
 * @since 0.2.0
 * @category transactions
 */
export const multi: Command.Command<"OK"> = Command.make(["MULTI"], Reply.ok)

/**
 * EXEC: runs the queued commands; their raw replies, or nil when a watched key changed.
 *
 * @since 0.2.0
 * @category transactions
 */
export const exec: Command.Command<Array<RespValue> | null> = Command.make(
  ["EXEC"],
  Reply.nullable(Reply.array(Reply.raw))
)

/**
 * DISCARD: drops the queued commands of a transaction.
 *
 * @since 0.2.0
 * @category transactions
 */
export const discard: Command.Command<"OK"> = Command.make(["DISCARD"], Reply.ok)

/**
 * WATCH key [key …]: the next EXEC on this connection runs only if none of the keys changed.
 *
 * @since 0.2.0
 * @category transactions
 */
export const watch = (keys: ReadonlyArray<Key>): Command.Command<"OK"> =>
  keys.length === 0
    ? Command.invalid("WATCH", "needs at least one key")
    : Command.make(["WATCH", ...keys], Reply.ok, { keys: [1, keys.length, 1] })

/**
 * UNWATCH: forgets the watched keys.
 *
 * @since 0.2.0
 * @category transactions
 */
export const unwatch: Command.Command<"OK"> = Command.make(["UNWATCH"], Reply.ok)

/**
 * CLIENT TRACKING ON [REDIRECT id] [BCAST] [PREFIX p …]: server-assisted client-side caching.
 * The server remembers the keys this connection reads (or, with BCAST, every key under the
 * prefixes) and sends an invalidation when one changes: a RESP3 push on this connection, or a
 * `__redis__:invalidate` message to the client `redirect` names.
 *
 * @since 0.3.0
 * @category connection
 */
export const clientTracking = (options: {
  readonly redirect?: number | undefined
  readonly broadcast?: boolean | undefined
  readonly prefixes?: ReadonlyArray<string> | undefined
}): Command.Command<"OK"> => {
  const args: Array<RespArg> = ["CLIENT", "TRACKING", "ON"]
  if (options.redirect !== undefined) args.push("REDIRECT", options.redirect)
  if (options.broadcast === true) {
    args.push("BCAST")
    for (const prefix of options.prefixes ?? []) args.push("PREFIX", prefix)
  }
  return Command.make(args, Reply.ok)
}
