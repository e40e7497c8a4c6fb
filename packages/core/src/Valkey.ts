/**
 * The `Valkey` service: one method per typed command (generated from the command
 * definitions), `run` for any command value (module commands too), `custom` for commands the
 * client does not define, and `updatePassword` for credential rotation.
 *
 * @since 0.1.0
 */
import { Context, Effect, Exit, Redacted, Schema } from "effect"
import * as Command from "./command/Command.ts"
import * as Reply from "./command/Reply.ts"
import { commands } from "./commands/index.ts"
import type { CommandError } from "./errors.ts"
import type { RouterService } from "./Router.ts"
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
   * Uses `password` (or none, with `null`) on every later (re)connect; with `immediateAuth`,
   * re-authenticates every open connection now.
   */
  updatePassword(
    password: string | Redacted.Redacted<string> | null,
    options?: UpdatePasswordOptions
  ): Effect.Effect<void, CommandError>
}

/**
 * Options of `custom`: a Schema the reply is decoded with, and the key positions (for
 * routing in a cluster).
 *
 * @since 0.1.0
 * @category models
 */
export interface CustomOptions<A> {
  readonly schema: Schema.ConstraintDecoder<A>
  readonly keys?: Command.CommandOptions["keys"]
  readonly readonly?: boolean
}

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
  if (options === undefined) return Command.make(args, Reply.raw)
  const decode = Schema.decodeUnknownExit(options.schema)
  return Command.make(
    args,
    (reply) => {
      const exit = decode(reply)
      if (Exit.isSuccess(exit)) return exit.value
      throw new Command.DecodeFailure(`the reply does not match the schema: ${exit.cause}`, exit.cause)
    },
    {
      ...(options.keys !== undefined ? { keys: options.keys } : {}),
      ...(options.readonly !== undefined ? { readonly: options.readonly } : {})
    }
  )
}

/**
 * @since 0.1.0
 * @category services
 */
export class Valkey extends Context.Service<Valkey, ValkeyService>()("@effect-valkey/core/Valkey") {}

/**
 * Builds the service on a router.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (router: RouterService): ValkeyService => {
  const run = <A>(command: Command.Command<A>) => router.run(command)
  const methods: Record<string, unknown> = {}
  for (const name of Object.keys(commands) as Array<keyof Commands>) {
    const build = commands[name] as (...args: ReadonlyArray<unknown>) => Command.Command<unknown>
    methods[name] = (...args: ReadonlyArray<unknown>) => router.run(build(...args))
  }
  return {
    ...(methods as CommandMethods),
    run,
    custom: ((args: ReadonlyArray<RespArg>, options?: CustomOptions<unknown>) =>
      router.run(
        options === undefined ? customCommand(args) : customCommand(args, options)
      )) as ValkeyService["custom"],
    updatePassword: (password, options) =>
      Effect.suspend(() => {
        const credentials = router.credentials
        credentials.password =
          password === null ? undefined : typeof password === "string" ? Redacted.make(password) : password
        const next = credentials.password
        if (options?.immediateAuth !== true || next === undefined) return Effect.void
        const auth = Command.make(["AUTH", credentials.username ?? "default", Redacted.value(next)], Reply.ok)
        return Effect.forEach(router.connections(), (connection) => connection.send(auth), {
          concurrency: "unbounded",
          discard: true
        })
      })
  }
}
