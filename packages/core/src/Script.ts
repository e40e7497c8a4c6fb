/**
 * A Lua script as a value: its source, its SHA1, and how its reply is decoded. Running it
 * sends EVALSHA (only the hash travels); when the server answers `NOSCRIPT` (its script cache
 * was flushed, or it restarted, or it is another node) the script is sent once with EVAL,
 * which runs it and caches it again. Works with anything that runs commands: the `Valkey`
 * service in standalone or cluster mode, or a dedicated connection.
 *
 * ```ts
 * import { Script, Valkey } from "@effect-valkey/core"
 * import { Effect, Schema } from "effect"
 *
 * const claim = Script.make("return redis.call('SET', KEYS[1], ARGV[1], 'NX')", {
 *   keys: 1,
 *   schema: Schema.NullOr(Schema.String)
 * })
 * const program = Effect.gen(function* () {
 *   const valkey = yield* Valkey
 *   return yield* claim.run(valkey, ["lock:a"], ["token-1"]) // "OK" | null
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { Key, Value } from "./Args.ts"
import * as Command from "./Command.ts"
import * as Scripting from "./commands/scripting.ts"
import type { CommandError } from "./errors.ts"
import * as Reply from "./Reply.ts"
import type { RespValue } from "./resp/types.ts"

/**
 * Anything that runs command values: the `Valkey` service, a connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Runner {
  run<A>(command: Command.Command<A>): Effect.Effect<A, CommandError>
}

/**
 * Options of `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScriptOptions<A> {
  /** How many keys every call passes; another count is an `InvalidArgumentError`. */
  readonly keys?: number
  /** Runs with EVALSHA_RO / EVAL_RO: the script only reads (and may run on a replica). */
  readonly readonly?: boolean
  /** Decodes the script's reply; a mismatch is a `DecodeError`. */
  readonly schema?: Schema.ConstraintDecoder<A>
}

/**
 * A script value from `make`: its source, its SHA1 and how to run it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Script<A> {
  readonly source: string
  /** Hex SHA1 of the source: the name the server caches it under. */
  readonly sha1: string
  readonly keys: number | undefined
  readonly readonly: boolean
  readonly decode: Command.Decoder<A>
  /** See {@link run}. */
  run(runner: Runner, keys?: ReadonlyArray<Key>, args?: ReadonlyArray<Value>): Effect.Effect<A, CommandError>
}

/**
 * A script from its Lua source. Without `schema` its reply is the raw RESP value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  (source: string, options?: Omit<ScriptOptions<never>, "schema">): Script<RespValue>
  <A>(source: string, options: ScriptOptions<A> & { readonly schema: Schema.ConstraintDecoder<A> }): Script<A>
} = <A>(source: string, options?: ScriptOptions<A>): Script<A | RespValue> => {
  const script: Script<A | RespValue> = {
    source,
    // node:crypto on first use, not at import (see Socket's lazy node:tls)
    sha1: process.getBuiltinModule("node:crypto").createHash("sha1").update(source).digest("hex"),
    keys: options?.keys,
    readonly: options?.readonly === true,
    decode: options?.schema === undefined ? Reply.raw : Reply.schema(options.schema, "the script's reply"),
    run: (runner, keys, args) => run(runner, script, keys, args)
  }
  return script
}

const call = <A>(
  script: Script<A>,
  name: string,
  target: string,
  keys: ReadonlyArray<Key>,
  args: ReadonlyArray<Value>
): Command.Command<A> => {
  if (script.keys !== undefined && keys.length !== script.keys) {
    return Command.invalid(name, `the script takes ${script.keys} keys, got ${keys.length}`)
  }
  return Scripting.numkeysCall(name, target, keys, args, script.readonly, script.decode)
}

/**
 * The EVALSHA (EVALSHA_RO) command of a call, for batches and transactions. It fails with a
 * `NOSCRIPT` ReplyError when the server does not have the script: load it first (`load`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const command = <A>(
  script: Script<A>,
  keys: ReadonlyArray<Key> = [],
  args: ReadonlyArray<Value> = []
): Command.Command<A> => call(script, script.readonly ? "EVALSHA_RO" : "EVALSHA", script.sha1, keys, args)

/**
 * The EVAL (EVAL_RO) command of a call: sends the whole source.
 *
 * @since 0.1.0
 * @category constructors
 */
export const evalCommand = <A>(
  script: Script<A>,
  keys: ReadonlyArray<Key> = [],
  args: ReadonlyArray<Value> = []
): Command.Command<A> => call(script, script.readonly ? "EVAL_RO" : "EVAL", script.source, keys, args)

const isNoScript = (error: CommandError): boolean => error._tag === "ReplyError" && error.code === "NOSCRIPT"

/**
 * Runs the script: EVALSHA, and on `NOSCRIPT` one EVAL (which caches the script again, on
 * the node the keys route to). The script runs at most once per call: NOSCRIPT means the
 * EVALSHA did not run it.
 *
 * @since 0.1.0
 * @category running
 */
export const run = <A>(
  runner: Runner,
  script: Script<A>,
  keys: ReadonlyArray<Key> = [],
  args: ReadonlyArray<Value> = []
): Effect.Effect<A, CommandError> =>
  runner
    .run(command(script, keys, args))
    .pipe(Effect.catchIf(isNoScript, () => runner.run(evalCommand(script, keys, args))))

/**
 * SCRIPT LOAD of the script (on every node, in a cluster): its SHA1.
 *
 * @since 0.1.0
 * @category running
 */
export const load = (runner: Runner, script: Script<unknown>): Effect.Effect<string, CommandError> =>
  runner.run(Scripting.scriptLoad(script.source))
