/**
 * Wall-clock waiting that ignores Effect's Clock on purpose: testkit is used from
 * `it.effect` tests, which run on TestClock, where `Effect.sleep` only moves when the test
 * adjusts the clock. Waiting for a real process must use real time, or a readiness poll
 * would hang forever.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { ConvergenceError } from "../errors.ts"

/**
 * Sleeps for `millis` of real time; interruptible.
 *
 * @since 0.1.0
 * @category time
 */
export const sleepReal = (millis: number): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(timer))
  })

/**
 * What a poll step reports: `done` with a value, or not yet with a description of what
 * was observed (used in the error when the deadline passes).
 *
 * @since 0.1.0
 * @category time
 */
export type PollResult<A> =
  | { readonly done: true; readonly value: A }
  | { readonly done: false; readonly observed: string }

/**
 * @since 0.1.0
 * @category time
 */
export const done = <A>(value: A): PollResult<A> => ({ done: true, value })

/**
 * @since 0.1.0
 * @category time
 */
export const notYet = (observed: string): PollResult<never> => ({ done: false, observed })

/**
 * Re-runs `check` every `intervalMs` until it reports done, failing with a
 * `ConvergenceError` naming `what` once `timeoutMs` of real time have passed. Errors of
 * `check` propagate; callers that expect transient failures map them to `notYet`.
 *
 * @since 0.1.0
 * @category time
 */
export const pollUntil = <A, E, R>(options: {
  readonly what: string
  readonly timeoutMs: number
  readonly intervalMs?: number
  readonly check: Effect.Effect<PollResult<A>, E, R>
}): Effect.Effect<A, E | ConvergenceError, R> =>
  Effect.suspend(() => {
    const deadline = Date.now() + options.timeoutMs
    const interval = options.intervalMs ?? 50
    const loop: Effect.Effect<A, E | ConvergenceError, R> = Effect.flatMap(options.check, (result) => {
      if (result.done) return Effect.succeed(result.value)
      if (Date.now() >= deadline) {
        return Effect.fail(
          new ConvergenceError({
            message: `timed out after ${options.timeoutMs}ms waiting for ${options.what}; last observed: ${result.observed}`,
            what: options.what,
            observed: result.observed
          })
        )
      }
      return Effect.andThen(sleepReal(interval), loop)
    })
    return loop
  })
