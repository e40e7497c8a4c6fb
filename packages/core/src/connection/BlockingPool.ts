/**
 * Blocking commands (BLPOP, XREAD BLOCK, WAIT, …) run on a bounded pool of dedicated
 * connections, so they never stall the shared one. Used by the standalone and cluster routers.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Pool from "effect/Pool"
import { type Command, name } from "../Command.ts"
import { type AuthError, type CommandError, type ConnectionError, TimeoutError } from "../errors.ts"
import type { Connection } from "./Connection.ts"

/**
 * A pool of dedicated connections for blocking commands (BLPOP, XREAD BLOCK, …), so they never
 * hold up the shared connection.
 *
 * @since 0.1.0
 * @category models
 */
export type BlockingPool = Pool.Pool<Connection, ConnectionError | AuthError>

/**
 * Runs `command` on a pooled connection. Waiting for a free one is bounded by
 * `waitMillis` (the request timeout; 0 = no bound) and ends in a `TimeoutError`. A connection
 * whose command did not end with a reply (interrupted, timed out, lost) leaves the pool: a late
 * reply there could be an element popped for nobody, and it must not reach the next borrower.
 *
 * @since 0.1.0
 * @category combinators
 */
export const run = <A>(pool: BlockingPool, command: Command<A>, waitMillis: number): Effect.Effect<A, CommandError> => {
  const get = Pool.get(pool)
  const borrowed =
    waitMillis > 0
      ? Effect.timeoutOrElse(get, {
          duration: waitMillis,
          orElse: () =>
            Effect.fail(
              new TimeoutError({
                message: `${name(command)}: no connection of the blocking pool was free within ${waitMillis} ms (raise blockingPoolSize?)`,
                command: name(command),
                timeoutMillis: waitMillis
              })
            )
        })
      : get
  return Effect.scoped(
    Effect.flatMap(borrowed, (connection) =>
      connection
        .send(command)
        .pipe(Effect.onExit((exit) => (endedWithReply(exit) ? Effect.void : Pool.invalidate(pool, connection))))
    )
  )
}

const endedWithReply = (exit: Exit.Exit<unknown, CommandError>): boolean => {
  if (Exit.isSuccess(exit)) return true
  const error = Exit.findErrorOption(exit)
  return error._tag === "Some" && (error.value._tag === "ReplyError" || error.value._tag === "DecodeError")
}
