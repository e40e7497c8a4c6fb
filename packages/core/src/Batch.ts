/**
 * Batches: several commands sent back to back, as a pipeline (each command's own outcome) or
 * as a MULTI/EXEC transaction (all or nothing). The commands are the same values the
 * `Valkey` methods use, so any command, module commands included, can be batched.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Command from "./Command.ts"
import * as Session from "./commands/session.ts"
import { type CommandError, TransactionAbortedError } from "./errors.ts"
import * as Reply from "./Reply.ts"
import type { RespValue } from "./resp/types.ts"

/**
 * Options of `batch`: MULTI/EXEC or a plain pipeline, and whether the first failure fails the whole batch.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchOptions {
  /** MULTI/EXEC: all commands run, with nothing in between, or none does. Default false. */
  readonly atomic?: boolean
  /**
   * Fail the whole batch with the first command's error instead of returning one `Result`
   * per command. In a transaction the other commands have still run. Default false.
   */
  readonly raiseOnError?: boolean
}

/**
 * The reply type of each command of a tuple of commands.
 *
 * @since 0.1.0
 * @category models
 */
export type Values<C extends ReadonlyArray<Command.Command<unknown>>> = {
  -readonly [K in keyof C]: C[K] extends Command.Command<infer A> ? A : never
}

/**
 * One `Result` per command.
 *
 * @since 0.1.0
 * @category models
 */
export type Results<C extends ReadonlyArray<Command.Command<unknown>>> = {
  -readonly [K in keyof C]: C[K] extends Command.Command<infer A> ? Result.Result<A, CommandError> : never
}

/**
 * Independent commands sent back to back: a router may split them by node and put the outcomes
 * back in order.
 *
 * @since 0.2.0
 * @category models
 */
export interface Pipeline {
  readonly _tag: "Pipeline"
  readonly commands: ReadonlyArray<Command.Command<unknown>>
}

/**
 * A MULTI/EXEC transaction as it goes on the wire: `commands` are MULTI, the queued commands and
 * EXEC, one outcome each. It runs on one node, whole.
 *
 * @since 0.2.0
 * @category models
 */
export interface Transaction {
  readonly _tag: "Transaction"
  readonly commands: ReadonlyArray<Command.Command<unknown>>
}

/**
 * What a router is asked to send as one contiguous sequence: a pipeline or a transaction.
 *
 * @since 0.2.0
 * @category models
 */
export type Sequence = Pipeline | Transaction

/**
 * A pipeline of `commands`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const pipeline = (commands: ReadonlyArray<Command.Command<unknown>>): Pipeline => ({
  _tag: "Pipeline",
  commands
})

/**
 * Sends a pipeline or a transaction as one contiguous sequence and gives each command's outcome.
 *
 * @since 0.1.0
 * @category models
 */
export type SendBatch = (batch: Sequence) => Effect.Effect<Array<Exit.Exit<unknown, CommandError>>, CommandError>

const isQueued = (reply: RespValue): "QUEUED" =>
  Reply.text(reply) === "QUEUED"
    ? "QUEUED"
    : (() => {
        throw new Command.DecodeFailure(`expected QUEUED, got ${Reply.text(reply)}`)
      })()

/** The same command, expecting QUEUED inside MULTI. */
const queued = (command: Command.Command<unknown>): Command.Command<unknown> =>
  command.invalid !== undefined ? command : Command.withDecoder(command, isQueued)

/**
 * Runs a transaction: MULTI, the commands, EXEC, back to back. The replies inside EXEC are
 * decoded by each command's own decoder.
 *
 * @since 0.1.0
 * @category constructors
 */
export const transaction = (
  send: SendBatch,
  commands: ReadonlyArray<Command.Command<unknown>>
): Effect.Effect<Array<Exit.Exit<unknown, CommandError>>, CommandError | TransactionAbortedError> =>
  Effect.suspend(() => {
    const invalid = commands.find((c) => c.invalid !== undefined)
    if (invalid?.invalid !== undefined) return Effect.fail(invalid.invalid)
    return Effect.flatMap(
      send({ _tag: "Transaction", commands: [Session.multi, ...commands.map(queued), Session.exec] }),
      (exits): Effect.Effect<Array<Exit.Exit<unknown, CommandError>>, CommandError | TransactionAbortedError> => {
        const multi = exits[0]!
        if (Exit.isFailure(multi)) return Effect.fail(errorOf(multi)!)
        const exec = exits[exits.length - 1]!
        if (Exit.isFailure(exec)) {
          // EXECABORT says little; the command that failed to queue says why.
          const cause = errorOf(exits.slice(1, -1).find(Exit.isFailure) ?? exec)
          return Effect.fail(
            new TransactionAbortedError({
              reason: "aborted",
              message: `the transaction was not run: ${cause?.message}`
            })
          )
        }
        const replies = exec.value as Array<RespValue> | null
        if (replies === null) {
          return Effect.fail(
            new TransactionAbortedError({
              reason: "watch",
              message: "a watched key changed: the transaction was not run"
            })
          )
        }
        return Effect.succeed(commands.map((command, i) => Command.settle(command, replies[i]!)))
      }
    )
  })

/**
 * Runs a batch and shapes its outcome: one `Result` per command, or (with `raiseOnError`)
 * the values, failing with the first error.
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = (
  send: SendBatch,
  commands: ReadonlyArray<Command.Command<unknown>>,
  options?: BatchOptions
): Effect.Effect<Array<unknown>, CommandError | TransactionAbortedError> => {
  const outcomes = options?.atomic === true ? transaction(send, commands) : send(pipeline(commands))
  return Effect.flatMap(outcomes, (exits): Effect.Effect<Array<unknown>, CommandError> => {
    if (options?.raiseOnError === true) {
      const values = new Array<unknown>(exits.length)
      for (let i = 0; i < exits.length; i++) {
        const exit = exits[i]!
        if (Exit.isFailure(exit)) return Effect.fail(errorOf(exit)!)
        values[i] = exit.value
      }
      return Effect.succeed(values)
    }
    return Effect.succeed(
      exits.map((exit) => (Exit.isSuccess(exit) ? Result.succeed(exit.value) : Result.fail(errorOf(exit)!)))
    )
  })
}

const errorOf = (exit: Exit.Exit<unknown, CommandError>): CommandError | undefined =>
  Option.getOrUndefined(Exit.findErrorOption(exit))
