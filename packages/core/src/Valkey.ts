/**
 * The `Valkey` service: one method per typed command (generated from the command
 * definitions), `run` for any command value (module commands too), `custom` for commands the
 * client does not define, and `updatePassword` for credential rotation.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { Key } from "./Args.ts"
import * as Batch from "./Batch.ts"
import * as Command from "./Command.ts"
import { commands } from "./commands/index.ts"
import * as Session from "./commands/session.ts"
import type { Connection } from "./connection/Connection.ts"
import type { AuthError, CommandError, ConnectionError, TransactionAbortedError } from "./errors.ts"
import type * as Observability from "./Observability.ts"
import * as Reply from "./Reply.ts"
import type { RouterService } from "./Router.ts"
import * as RouterGuard from "./RouterGuard.ts"
import type { RespArg, RespValue } from "./resp/types.ts"

type Commands = typeof commands

/**
 * One method per command definition: same parameters, the command's reply type.
 *
 * @since 0.1.0
 * @category models
 */
export type CommandMethods = {
  readonly [K in keyof Commands]: Commands[K] extends (...args: infer P) => Command.Command<infer A>
    ? (...args: P) => Effect.Effect<A, CommandError>
    : never
}

/**
 * Options of `updatePassword`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpdatePasswordOptions {
  /** Also send AUTH on every open connection now, instead of only on the next reconnect. */
  readonly immediateAuth?: boolean
}

/**
 * What the `Valkey` service offers: a method per command definition, and the generic ways to
 * run any command (`run`, `custom`, `batch`, `dedicated`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ValkeyService extends CommandMethods {
  /** Runs any command value: a typed definition, a module command, a `Command.make`. */
  run<A>(command: Command.Command<A>): Effect.Effect<A, CommandError>
  /**
   * Sends any single-reply command and returns the raw RESP value, or the value decoded by
   * `schema` (a mismatch is a `DecodeError`). Not for commands that answer more than once
   * (SUBSCRIBE, MONITOR) or change connection state (SELECT, MULTI, WATCH): those would
   * confuse the shared connection.
   */
  custom(args: ReadonlyArray<RespArg>): Effect.Effect<RespValue, CommandError>
  custom<A>(args: ReadonlyArray<RespArg>, options: CustomOptions<A>): Effect.Effect<A, CommandError>
  /**
   * Uses `password` (or none, with `null`) on every later (re)connect, in place of a
   * `credentials` provider if there was one; with `immediateAuth`, re-authenticates every open
   * connection now (pub/sub subscribers included).
   */
  updatePassword(
    password: string | Redacted.Redacted<string> | null,
    options?: UpdatePasswordOptions
  ): Effect.Effect<void, CommandError>
  /**
   * Sends the commands back to back. As a pipeline (default) every command gets its own
   * `Result`: one failure loses no other result. With `atomic`, a MULTI/EXEC transaction
   * (a `TransactionAbortedError` when the server refuses it). With `raiseOnError`, the values,
   * failing with the first command error instead.
   */
  batch<const C extends ReadonlyArray<Command.Command<unknown>>>(
    commands: C,
    options?: Batch.BatchOptions & { readonly raiseOnError?: false }
  ): Effect.Effect<Batch.Results<C>, CommandError | TransactionAbortedError>
  batch<const C extends ReadonlyArray<Command.Command<unknown>>>(
    commands: C,
    options: Batch.BatchOptions & { readonly raiseOnError: true }
  ): Effect.Effect<Batch.Values<C>, CommandError | TransactionAbortedError>
  /**
   * A connection of its own, closed with the scope: for WATCH transactions, long blocking
   * reads, or large values that should not hold up the shared connection.
   */
  readonly dedicated: Effect.Effect<DedicatedService, ConnectionError | AuthError, Scope.Scope>
  /**
   * A dedicated connection to the node that serves `key`: in a cluster, WATCH/MULTI on that
   * key (and keys of its slot) must run there. Standalone: the same as `dedicated`.
   */
  dedicatedFor(key: Key): Effect.Effect<DedicatedService, ConnectionError | AuthError, Scope.Scope>
}

/**
 * The command service on a dedicated connection, plus WATCH and UNWATCH (which would leak
 * between callers on the shared connection, so only exist here). A `batch` with `atomic`
 * after `watch` fails with `TransactionAbortedError` (`reason: "watch"`) when a watched key
 * changed, or when the connection was lost since the WATCH (the server forgot it, and the key
 * may have changed): it is then not sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface DedicatedService extends Omit<ValkeyService, "dedicated" | "dedicatedFor"> {
  watch(keys: ReadonlyArray<Key>): Effect.Effect<"OK", CommandError>
  unwatch(): Effect.Effect<"OK", CommandError>
  /** SELECT: this connection's database from now on, kept across its reconnects. */
  select(database: number): Effect.Effect<"OK", CommandError>
  /** CLIENT SETNAME: this connection's name from now on, kept across its reconnects. */
  clientSetName(name: string): Effect.Effect<"OK", CommandError>
}

/**
 * Options of `custom`: a Schema the reply is decoded with, and the key positions. Without
 * `keys`, a cluster routes the command by the server's own COMMAND metadata (key positions,
 * movable keys through COMMAND GETKEYS, request and response policies), read once per client.
 *
 * @since 0.1.0
 * @category models
 */
export interface CustomOptions<A> {
  readonly schema: Schema.ConstraintDecoder<A>
  readonly keys?: Command.CommandOptions["keys"]
  readonly readonly?: boolean
}

/** Without `keys`, a cluster learns where a custom command goes from the server's COMMAND table. */
const SERVER_ROUTED = { serverRouted: true } as const

/**
 * A command value for any command line, decoded with a Schema.
 *
 * @since 0.1.0
 * @category constructors
 */
export const customCommand: {
  (args: ReadonlyArray<RespArg>): Command.Command<RespValue>
  <A>(args: ReadonlyArray<RespArg>, options: CustomOptions<A>): Command.Command<A>
} = <A>(args: ReadonlyArray<RespArg>, options?: CustomOptions<A>): Command.Command<A | RespValue> => {
  if (args.length === 0) return Command.invalid("custom", "needs a command name")
  const refused = RouterGuard.stateChanging(args)
  if (refused !== undefined) return Command.invalid(refused.command, refused.message)
  // A blocking line (BLPOP, XREAD BLOCK, WAIT) gets its block time, so it waits that long.
  const blocking = Command.blockingOf(String(args[0]), args.slice(1))
  if (options === undefined)
    return Command.make(args, Reply.raw, blocking === undefined ? SERVER_ROUTED : { ...SERVER_ROUTED, ...blocking })
  return Command.make(args, Reply.schema(options.schema), {
    ...(options.keys !== undefined ? { keys: options.keys } : SERVER_ROUTED),
    ...(options.readonly !== undefined ? { readonly: options.readonly } : {}),
    ...blocking
  })
}

/**
 * The typed command service: one method per command, plus `run`, `custom`, `batch` and
 * dedicated connections. The same service in standalone and cluster mode.
 *
 * @since 0.1.0
 * @category services
 */
export class Valkey extends Context.Service<Valkey, ValkeyService>()("@effect-valkey/core/Valkey") {}

/**
 * Builds the service on a router. With `instrumentation` (tracing or metrics on, see
 * `Observability`), commands on dedicated connections are observed too; the router itself
 * comes already instrumented.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (router: RouterService, instrumentation?: Observability.Instrumentation): ValkeyService => ({
  ...commandService(RouterGuard.guard(router)),
  dedicated: Effect.map(router.dedicated, (connection) => dedicatedService(router, connection, instrumentation)),
  dedicatedFor: (key) =>
    Effect.map(router.dedicatedFor(key), (connection) => dedicatedService(router, connection, instrumentation))
})

const dedicatedService = (
  router: RouterService,
  connection: Connection,
  instrumentation: Observability.Instrumentation | undefined
): DedicatedService => {
  // WATCH lives in the server's session: a reconnect drops it. A transaction after WATCH on a
  // connection that lost it since is aborted as if a watched key changed (they may have), not
  // run unguarded.
  let watching = false
  let watchLost = false
  connection.setReconnectHandler(() => {
    if (watching) watchLost = true
  })
  const plain: RouterService = {
    run: (command) => connection.send(command),
    sendBatch: (batch) =>
      batch._tag === "Transaction" && watching
        ? Effect.suspend(() => {
            const lost = watchLost || connection.status() !== "ready"
            watching = false
            watchLost = false
            return lost ? Effect.succeed(watchAborted(batch.commands)) : connection.sendBatch(batch.commands)
          })
        : connection.sendBatch(batch.commands),
    dedicated: router.dedicated,
    dedicatedFor: router.dedicatedFor,
    credentials: router.credentials,
    connectionOptions: router.connectionOptions,
    observability: router.observability,
    connections: () => [connection]
  }
  const own = instrumentation === undefined ? plain : instrumentation.instrument(plain, endpointOf(connection.address))
  return {
    ...commandService(own),
    // Invalid arguments fail in `send`, before anything is written or remembered.
    watch: (keys) =>
      Effect.tap(own.run(Session.watch(keys)), () =>
        Effect.sync(() => {
          // Watching already, a loss since still counts: those keys are not watched any more.
          if (!watching) watchLost = false
          watching = true
        })
      ),
    unwatch: () =>
      Effect.tap(own.run(Session.unwatch), () =>
        Effect.sync(() => {
          watching = false
          watchLost = false
        })
      ),
    select: (database) => connection.select(database),
    clientSetName: (name) => connection.setName(name)
  }
}

/** The outcome of a transaction EXEC refused for a watched key: MULTI and queued, EXEC null. */
const watchAborted = (commands: ReadonlyArray<Command.Command<unknown>>): Array<Exit.Exit<unknown, never>> =>
  commands.map((_, i) => Exit.succeed(i === 0 ? "OK" : i === commands.length - 1 ? null : "QUEUED"))

/** `host:port` (IPv6 hosts in brackets) as an endpoint. */
const endpointOf = (address: string): Observability.Endpoint => {
  const colon = address.lastIndexOf(":")
  return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port: Number(address.slice(colon + 1)) }
}

/**
 * The command service on `router`: on a shared connection `router` is guarded (`RouterGuard`),
 * and `run` and `batch` go through its guard; the generated methods, whose commands are all
 * safe there, and `custom`, whose command refused them when it was built, take the router
 * underneath, so they pay no check per call.
 */
const commandService = (router: RouterService): Omit<ValkeyService, "dedicated" | "dedicatedFor"> => {
  const plain = RouterGuard.unguarded(router)
  const methods: Record<string, unknown> = {}
  for (const name of Object.keys(commands) as Array<keyof Commands>) {
    const build = commands[name] as (...args: ReadonlyArray<unknown>) => Command.Command<unknown>
    // `apply` with `arguments` is optimized without allocating the array a rest parameter would.
    methods[name] = function (this: unknown) {
      // biome-ignore lint/complexity/noArguments: see above
      return plain.run(build.apply(undefined, arguments as unknown as Array<unknown>))
    }
  }
  return {
    ...(methods as CommandMethods),
    run: (command) => router.run(command),
    custom: ((args: ReadonlyArray<RespArg>, options?: CustomOptions<unknown>) =>
      plain.run(options === undefined ? customCommand(args) : customCommand(args, options))) as ValkeyService["custom"],
    batch: ((commands: ReadonlyArray<Command.Command<unknown>>, options?: Batch.BatchOptions) =>
      Batch.run(router.sendBatch, commands, options)) as ValkeyService["batch"],
    updatePassword: (password, options) =>
      Effect.suspend(() => {
        const credentials = router.credentials
        const previous = credentials.password
        // A password set by hand replaces a credentials provider.
        credentials.provider = undefined
        credentials.password =
          password === null ? undefined : typeof password === "string" ? Redacted.make(password) : password
        const next = credentials.password
        if (options?.immediateAuth !== true || next === undefined) return Effect.void
        // A password the server refuses must not be used for later reconnects either.
        return Effect.tapError(credentials.reauthenticate(router.connections()), () =>
          Effect.sync(() => {
            if (credentials.password === next) credentials.password = previous
          })
        )
      })
  }
}
