/**
 * The inflight limit: past `inflightLimit` requests waiting for replies on a connection, a call
 * fails at once with `InflightLimitError` and nothing is queued or sent. See
 * docs/inflight-limit.md.
 *
 *   node --conditions=source examples/inflight-limit.ts
 *
 * Starts a throwaway valkey-server on a free loopback port and stops it at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { Commands, ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Console, Effect, Schedule } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`${label.padEnd(44)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

const calls = Array.from({ length: 500 }, (_, i) => i)

const program = (port: number) =>
  Effect.gen(function* () {
    const { valkey } = yield* ValkeyStandalone.make({ port, inflightLimit: 100 })

    // 1. 500 calls at once against a limit of 100: the excess fails immediately.
    const results = yield* Effect.forEach(calls, (i) => Effect.result(valkey.echo(`${i}`)), {
      concurrency: "unbounded"
    })
    const rejected = results.filter((r) => r._tag === "Failure")
    yield* show("500 unbounded calls, limit 100", `${results.length - rejected.length} ok, ${rejected.length} rejected`)
    const first = rejected[0]
    if (first?._tag === "Failure" && first.failure._tag === "InflightLimitError") {
      const { command, limit, message } = first.failure
      yield* show("the error", { command, limit, message })
    }

    // 2. A batch that does not fit under the limit is refused as a whole: nothing is sent.
    const big = calls.slice(0, 150).map((i) => Commands.connection.echo(`${i}`))
    const refused = yield* Effect.flip(valkey.batch(big))
    yield* show("a batch of 150 at limit 100", `${refused._tag}: ${refused.message}`)

    // 3. Remedy A: keep the caller's own concurrency at or under the limit.
    const bounded = yield* Effect.forEach(calls, (i) => Effect.result(valkey.echo(`${i}`)), { concurrency: 100 })
    yield* show("500 calls, concurrency 100", `${bounded.filter((r) => r._tag === "Success").length} ok`)

    // 4. Remedy B: retry only this error, with a short backoff (nothing was sent, so it is safe).
    const retried = yield* Effect.forEach(
      calls,
      (i) =>
        valkey.echo(`${i}`).pipe(
          Effect.retry({
            while: (error) => error._tag === "InflightLimitError",
            schedule: Schedule.exponential("1 millis").pipe(Schedule.jittered),
            times: 20
          }),
          Effect.result
        ),
      { concurrency: "unbounded" }
    )
    yield* show("500 unbounded calls with retry", `${retried.filter((r) => r._tag === "Success").length} ok`)
  }).pipe(Effect.scoped)

const main = Effect.gen(function* () {
  const server = yield* ValkeyServer.make()
  yield* Console.log(`server up at ${server.address}\n`)
  yield* program(server.port)
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
