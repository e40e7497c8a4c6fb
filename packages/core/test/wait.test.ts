/**
 * WAIT and WAITAOF count the acknowledgements of the writes of the connection they run on, so
 * they must run on the connection that sent the writes (the shared one, a batch's, a dedicated
 * one), not on a pooled connection of their own like other blocking commands. With the replica
 * paused (SIGSTOP) nothing can acknowledge a new write: WAIT on the right connection answers 0
 * after its timeout; on a fresh pooled connection (no writes of its own) it answered 1 at once.
 */
import { assert, layer } from "@effect/vitest"
import { ValkeyServer, type ValkeyServerHandle } from "@effect-valkey/testkit"
import { Context, Effect, Layer } from "effect"
import { Commands, ValkeyStandalone } from "../src/index.ts"

class Replicated extends Context.Service<
  Replicated,
  { readonly primary: ValkeyServerHandle; readonly replica: ValkeyServerHandle }
>()("test/Replicated") {}

const replicated = Layer.effect(
  Replicated,
  Effect.gen(function* () {
    const primary = yield* ValkeyServer.make()
    const replica = yield* ValkeyServer.make()
    yield* replica.command(["REPLICAOF", primary.host, String(primary.port)])
    // Linked once the primary counts the replica as online.
    for (let i = 0; i < 200; i++) {
      const info = String(yield* primary.command(["INFO", "replication"]))
      if (/slave0:.*state=online/.test(info)) break
      yield* Effect.sleep("25 millis")
    }
    return { primary, replica }
  })
)

/** Runs `body` with the replica paused, resuming it whatever happens. */
const whilePaused = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const { replica } = yield* Replicated
    yield* replica.pause
    return yield* Effect.ensuring(body, replica.resume.pipe(Effect.ignore))
  })

const { set } = Commands.strings
const { wait, waitaof } = Commands.generic

layer(replicated, { excludeTestServices: true, timeout: 60_000 })("WAIT on the connection of the writes", (it) => {
  it.effect("valkey.wait counts the replicas that acknowledged this client's writes", () =>
    Effect.gen(function* () {
      const { primary } = yield* Replicated
      const { valkey } = yield* ValkeyStandalone.make({ port: primary.port })
      yield* valkey.set("wait:linked", "1")
      assert.strictEqual(yield* valkey.wait(1, 5_000), 1)
      yield* whilePaused(
        Effect.gen(function* () {
          yield* valkey.set("wait:unacknowledged", "2")
          assert.strictEqual(yield* valkey.wait(1, 300), 0)
          // A line given as text is recognised as WAIT too.
          assert.strictEqual(yield* valkey.custom(["WAIT", "1", "300"]), 0)
        })
      )
      // Resumed: the replica catches up and acknowledges.
      assert.strictEqual(yield* valkey.wait(1, 5_000), 1)
    })
  )

  it.effect("a batch carries its writes and its WAIT on one connection", () =>
    Effect.gen(function* () {
      const { primary } = yield* Replicated
      const { valkey } = yield* ValkeyStandalone.make({ port: primary.port })
      const [, paused] = yield* whilePaused(
        valkey.batch([set("wait:batch", "1"), wait(1, 300)], { raiseOnError: true })
      )
      assert.strictEqual(paused, 0)
      const [, acknowledged] = yield* valkey.batch([set("wait:batch", "2"), wait(1, 5_000)], { raiseOnError: true })
      assert.strictEqual(acknowledged, 1)
    })
  )

  it.effect("WAIT 0 waits forever: refused on the shared connection, allowed on a dedicated one", () =>
    Effect.gen(function* () {
      const { primary } = yield* Replicated
      const { router, valkey } = yield* ValkeyStandalone.make({ port: primary.port })
      const attempts: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string; readonly message: string }>> = [
        valkey.wait(1, 0),
        valkey.waitaof(0, 1, 0),
        router.run(wait(1, 0)),
        valkey.batch([set("wait:forever", "1"), wait(1, 0)])
      ]
      for (const refused of attempts) {
        const error = yield* Effect.flip(refused)
        assert.strictEqual(error._tag, "InvalidArgumentError")
        assert.include(error.message, "dedicated connection")
      }
      assert.isNull(yield* valkey.get("wait:forever"), "the batch was refused before anything was sent")
      const own = yield* valkey.dedicated
      yield* own.set("wait:forever", "1")
      assert.strictEqual(yield* own.wait(1, 0), 1)
      assert.strictEqual((yield* own.run(waitaof(0, 0, 0))).local, 0)
    })
  )
})
