/**
 * WAIT is about the writes of the connection it runs on, so it must run on the shared
 * connection that sent them, not on a pooled connection of its own like other blocking
 * commands. With the replica paused (SIGSTOP) nothing can acknowledge this client's write:
 * WAIT on the right connection answers 0 after its timeout; on a fresh pooled connection
 * (no writes of its own) it would answer 1 at once.
 */
import { assert, it } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { ValkeyStandalone } from "../src/index.ts"

const replicated = Effect.gen(function* () {
  const primary = yield* ValkeyServer.make()
  const replica = yield* ValkeyServer.make()
  yield* replica.command(["REPLICAOF", primary.host, String(primary.port)])
  // Linked once the primary counts the replica as online with an acknowledged offset.
  for (let i = 0; i < 200; i++) {
    const info = String(yield* primary.command(["INFO", "replication"]))
    if (/slave0:.*state=online/.test(info)) break
    yield* Effect.sleep("25 millis")
  }
  return { primary, replica }
})

it.live("WAIT counts the replicas that acknowledged this client's writes, on its own connection", () =>
  Effect.scoped(
    Effect.gen(function* () {
      const { primary, replica } = yield* replicated
      const { valkey } = yield* ValkeyStandalone.make({ port: primary.port })
      yield* valkey.set("wait:linked", "1")
      assert.strictEqual(yield* valkey.wait(1, 5_000), 1)
      yield* replica.pause
      yield* Effect.ensuring(
        Effect.gen(function* () {
          yield* valkey.set("wait:unacknowledged", "2")
          assert.strictEqual(yield* valkey.wait(1, 300), 0)
        }),
        replica.resume.pipe(Effect.ignore)
      )
    })
  )
)
