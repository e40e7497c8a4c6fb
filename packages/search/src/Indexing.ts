/**
 * Waiting until an index has caught up with its documents. valkey-search indexes writes in the
 * background (on Valkey 8.0 always; 1.0.3 only blocks the writer on Valkey 8.1.1 and later), so
 * a document written a moment ago may be missing from a search. `waitForIndex` polls FT.INFO
 * until the index reports no backfill in progress, an empty mutation queue and the `ready`
 * state (and, if asked, at least a number of documents), on a bounded schedule: it fails with
 * `IndexWaitTimeoutError`, carrying the last FT.INFO seen, when the index does not catch up.
 *
 * In a cluster `Search.info` asks every primary and sums their counts, so the wait covers every
 * shard.
 *
 * @since 0.1.0
 */
import { type Command, type CommandError, InvalidArgumentError } from "@effect-valkey/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as IndexInfo from "./IndexInfo.ts"
import * as Search from "./Search.ts"

/**
 * The index had not caught up when the wait ran out. `numDocs`, `backfillInProgress`,
 * `mutationQueueSize` and `state` are from the last FT.INFO read.
 *
 * @since 0.1.0
 * @category errors
 */
export class IndexWaitTimeoutError extends Schema.TaggedError<IndexWaitTimeoutError>()("IndexWaitTimeoutError", {
  message: Schema.String,
  index: Schema.String,
  timeoutMillis: Schema.Number,
  numDocs: Schema.Number,
  backfillInProgress: Schema.Boolean,
  mutationQueueSize: Schema.Number,
  state: Schema.String
}) {}

/**
 * Options of `waitForIndex`: a document count to reach, how long to keep polling FT.INFO and
 * how often.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** Also wait until the index counts at least this many documents. */
  readonly documents?: number
  /** How long to keep polling; 10 seconds unless given. */
  readonly timeout?: Duration.Input
  /** The pause between two FT.INFO reads; 25 milliseconds unless given. */
  readonly interval?: Duration.Input
}

/**
 * Whether FT.INFO says the index has taken in every write it has seen (and holds at least
 * `documents` documents).
 *
 * @since 0.1.0
 * @category predicates
 */
export const caughtUp = (info: IndexInfo.IndexInfo, documents = 0): boolean =>
  !info.backfillInProgress && info.mutationQueueSize === 0 && info.state === "ready" && info.numDocs >= documents

/** What a client needs here: running a command value (a `ValkeyService` has it). */
interface Runner {
  run<A>(command: Command.Command<A>): Effect.Effect<A, CommandError>
}

/** The sentinel of one poll that found the index behind. */
class Behind {
  readonly info: IndexInfo.IndexInfo
  constructor(info: IndexInfo.IndexInfo) {
    this.info = info
  }
}

/**
 * Polls FT.INFO of `name` until the index has caught up (see `caughtUp`) and returns that
 * FT.INFO. A command error (an unknown index, a lost connection) ends the wait at once.
 *
 * @since 0.1.0
 * @category indexes
 */
export const waitForIndex = (
  valkey: Runner,
  name: string,
  options: WaitOptions = {}
): Effect.Effect<IndexInfo.IndexInfo, CommandError | IndexWaitTimeoutError> => {
  const timeout = Option.getOrUndefined(Duration.fromInput(options.timeout ?? "10 seconds"))
  const interval = Option.getOrUndefined(Duration.fromInput(options.interval ?? "25 millis"))
  const documents = options.documents ?? 0
  const bad =
    timeout === undefined || !Duration.isFinite(timeout)
      ? "the timeout must be a finite duration"
      : interval === undefined || Duration.toMillis(interval) <= 0
        ? "the interval must be a positive duration"
        : !Number.isSafeInteger(documents) || documents < 0
          ? `documents must be an integer >= 0, got ${documents}`
          : undefined
  if (bad !== undefined) return Effect.fail(new InvalidArgumentError({ command: "FT.INFO", message: bad }))
  return pollUntilCaughtUp(valkey, name, timeout!, interval!, documents)
}

const pollUntilCaughtUp = (
  valkey: Runner,
  name: string,
  timeout: Duration.Duration,
  interval: Duration.Duration,
  documents: number
): Effect.Effect<IndexInfo.IndexInfo, CommandError | IndexWaitTimeoutError> => {
  const poll: Effect.Effect<IndexInfo.IndexInfo, CommandError | Behind> = Effect.flatMap(
    valkey.run(Search.info(name)),
    (info) => (caughtUp(info, documents) ? Effect.succeed(info) : Effect.fail(new Behind(info)))
  )
  return poll.pipe(
    Effect.retry({
      schedule: Schedule.spaced(interval).pipe(Schedule.upTo({ duration: timeout })),
      while: (error) => error instanceof Behind
    }),
    Effect.catchIf(
      (error): error is Behind => error instanceof Behind,
      ({ info }) =>
        Effect.fail(
          new IndexWaitTimeoutError({
            message: `index ${name} had not caught up after ${Duration.toMillis(timeout)} ms (${info.numDocs} documents, state ${info.state}, ${info.mutationQueueSize} queued${documents > 0 ? `, waiting for ${documents}` : ""})`,
            index: name,
            timeoutMillis: Duration.toMillis(timeout),
            numDocs: info.numDocs,
            backfillInProgress: info.backfillInProgress,
            mutationQueueSize: info.mutationQueueSize,
            state: info.state
          })
        )
    )
  )
}
