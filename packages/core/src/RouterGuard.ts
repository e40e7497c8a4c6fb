/**
 * The guard on a router's shared connections. A command that changes connection state (MULTI,
 * WATCH, SELECT, …) or answers more than once (SUBSCRIBE, MONITOR) would leak into every other
 * caller's commands there, and a WAIT without a timeout would hold the connection forever: the
 * `Router` in context (`run`, `sendBatch`, the cluster's `runOn`/`runOnAll`) refuses them with
 * `InvalidArgumentError` before sending. The senders whose commands are known to be safe (the
 * generated `Valkey` methods) use `unguarded`, so the check costs them nothing per call.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import type * as Batch from "./Batch.ts"
import { type Command, name } from "./Command.ts"
import type { Connection } from "./connection/Connection.ts"
import { type CommandError, InvalidArgumentError } from "./errors.ts"
import type { RouterService } from "./Router.ts"
import type { RespArg } from "./resp/types.ts"

/** Commands that change what a connection means for later commands, or answer more than once. */
const CONNECTION_STATE = new Set([
  "AUTH",
  "DISCARD",
  "EXEC",
  "HELLO",
  "MONITOR",
  "MULTI",
  "PSUBSCRIBE",
  "PUNSUBSCRIBE",
  "QUIT",
  "RESET",
  "SELECT",
  "SSUBSCRIBE",
  "SUBSCRIBE",
  "SUNSUBSCRIBE",
  "SYNC",
  "PSYNC",
  "UNSUBSCRIBE",
  "UNWATCH",
  "WATCH"
])

/**
 * Why the command line `args` cannot run on a shared connection, if it cannot: it changes
 * connection state or answers more than once.
 *
 * @since 0.2.0
 * @category guards
 */
export const stateChanging = (args: ReadonlyArray<RespArg>): InvalidArgumentError | undefined => {
  const command = String(args[0] ?? "").toUpperCase()
  return CONNECTION_STATE.has(command)
    ? new InvalidArgumentError({
        command,
        message: `${command} changes connection state or answers more than once, so it cannot run on the shared connection: use the client's options (database, clientName), batch with atomic for MULTI/EXEC, a dedicated connection, or @effect-valkey/pubsub`
      })
    : undefined
}

/**
 * A WAIT or WAITAOF without a timeout on a shared connection: it must run there (it counts the
 * acknowledgements of that connection's writes), but would hold every other caller forever.
 */
const waitsForever = (command: Command<unknown>): InvalidArgumentError | undefined =>
  command.blockMillis === 0 && command.ownWrites === true
    ? new InvalidArgumentError({
        command: name(command),
        message: `${name(command)} with timeout 0 waits forever and would hold the shared connection: give a timeout, or run it with its writes on a dedicated connection`
      })
    : undefined

/**
 * Why `command` cannot run on a shared connection, if it cannot.
 *
 * @since 0.2.0
 * @category guards
 */
export const refusal = (command: Command<unknown>): InvalidArgumentError | undefined =>
  stateChanging(command.args) ?? waitsForever(command)

/**
 * Sends a WAIT or WAITAOF on the shared `connection` that carried the writes it is about,
 * refusing one without a timeout. Routers call it for blocking commands with `ownWrites`.
 *
 * @since 0.2.0
 * @category guards
 */
export const sendOwnWrites = <A>(connection: Connection, command: Command<A>): Effect.Effect<A, CommandError> => {
  const refused = waitsForever(command)
  return refused === undefined ? connection.send(command) : Effect.fail(refused)
}

const plainOf = new WeakMap<RouterService, { readonly plain: RouterService; readonly more: ReadonlyArray<string> }>()

/**
 * The router with `run`, `sendBatch` and the methods named in `more` (each taking a command
 * first, like the cluster's `runOn` and `runOnAll`) refusing what cannot run on a shared
 * connection. `unguarded` of the result gives `plain` back. A router guarded already is
 * returned as it is.
 *
 * @since 0.2.0
 * @category guards
 */
export const guard = <R extends RouterService>(plain: R, more: ReadonlyArray<keyof R & string> = []): R => {
  if (plainOf.has(plain)) return plain
  const guarded: Record<string, unknown> = {
    ...(plain as RouterService),
    run: (command: Command<unknown>) => {
      const refused = stateChanging(command.args)
      return refused === undefined ? plain.run(command) : Effect.fail(refused)
    },
    sendBatch: (batch: Batch.Sequence) => {
      const commands = batch.commands
      // A transaction's own MULTI and EXEC are the router's to send.
      const [from, to] = batch._tag === "Transaction" ? [1, commands.length - 1] : [0, commands.length]
      for (let i = from; i < to; i++) {
        const refused = refusal(commands[i]!)
        if (refused !== undefined) return Effect.fail(refused)
      }
      return plain.sendBatch(batch)
    }
  }
  for (const method of more) {
    const send = plain[method] as (command: Command<unknown>, ...rest: ReadonlyArray<unknown>) => unknown
    guarded[method] = (command: Command<unknown>, ...rest: ReadonlyArray<unknown>) => {
      const refused = stateChanging(command.args)
      return refused === undefined ? send(command, ...rest) : Effect.fail(refused)
    }
  }
  plainOf.set(guarded as unknown as RouterService, { plain, more })
  return guarded as R
}

/**
 * The router under a guarded one, for senders whose commands are known to be safe on a shared
 * connection (the generated `Valkey` methods); any other router as it is.
 *
 * @since 0.2.0
 * @category guards
 */
export const unguarded = <R extends RouterService>(router: R): R =>
  (plainOf.get(router)?.plain as R | undefined) ?? router

/**
 * A guarded router whose router underneath is `f` of the old one (tracing and metrics around
 * it), guarded the same way.
 *
 * @since 0.2.0
 * @category guards
 */
export const mapUnguarded = <R extends RouterService>(router: R, f: (plain: R) => R): R => {
  const entry = plainOf.get(router)
  return entry === undefined ? f(router) : guard(f(entry.plain as R), entry.more as ReadonlyArray<keyof R & string>)
}

/**
 * A client's router: the guarded one with the wrappers that are on (`undefined` for one that
 * is off) applied in order around the router under its guard, so the guard stays outermost;
 * the guarded router itself when none is on, so commands take the plain path.
 *
 * @since 0.3.0
 * @category guards
 */
export const decorate = <R extends RouterService>(
  guarded: R,
  wrappers: ReadonlyArray<((plain: R) => R) | undefined>
): R => {
  const on = wrappers.filter((wrap): wrap is (plain: R) => R => wrap !== undefined)
  return on.length === 0 ? guarded : mapUnguarded(guarded, (plain) => on.reduce((router, wrap) => wrap(router), plain))
}
