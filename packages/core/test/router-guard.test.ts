/**
 * The `Router` in context refuses what would corrupt its shared connection (connection-state
 * commands, replies that come more than once) exactly like `valkey.run`: a user who takes the
 * Router service cannot put the shared connection in a transaction, another database or
 * subscriber mode. Dedicated connections still run those commands.
 */
import { assert, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { Batch, Command, Commands, Reply, ValkeyStandalone } from "../src/index.ts"

const refused = ["SELECT 1", "MULTI", "WATCH k", "SUBSCRIBE ch", "monitor"].map((line) =>
  Command.make(line.split(" "), Reply.raw)
)

layer(ValkeyServer.layer(), { excludeTestServices: true })("the Router's shared connection is guarded", (it) => {
  it.effect("Router.run and sendBatch refuse connection-state commands; nothing reaches the server", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const { router, valkey } = yield* ValkeyStandalone.make({ port: server.port })
      yield* valkey.set("guard:k", "db0")
      for (const command of refused) {
        const error = yield* Effect.flip(router.run(command))
        assert.strictEqual(error._tag, "InvalidArgumentError", String(command.args[0]))
        const inBatch = yield* Effect.flip(router.sendBatch(Batch.pipeline([Commands.strings.get("guard:k"), command])))
        assert.strictEqual(inBatch._tag, "InvalidArgumentError")
      }
      // The shared connection is in no transaction, on database 0, not subscribed.
      assert.strictEqual(yield* router.run(Commands.strings.get("guard:k")), "db0")
      assert.strictEqual(yield* valkey.get("guard:k"), "db0")
      // A transaction's own MULTI and EXEC pass; what it queues is checked.
      const [ok] = yield* valkey.batch([Commands.strings.set("guard:t", "1")], { atomic: true, raiseOnError: true })
      assert.strictEqual(ok, "OK")
      const queued = yield* Effect.flip(valkey.batch([refused[0]!], { atomic: true }))
      assert.strictEqual(queued._tag, "InvalidArgumentError")
    })
  )

  it.effect("a dedicated connection still runs them", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port })
      yield* valkey.set("guard:d", "db0")
      const own = yield* valkey.dedicated
      assert.strictEqual(yield* own.run(Command.make(["SELECT", 1], Reply.ok)), "OK")
      assert.strictEqual(yield* own.get("guard:d"), null)
      assert.strictEqual(yield* own.run(Command.make(["MULTI"], Reply.ok)), "OK")
      assert.strictEqual(yield* own.run(Command.make(["DISCARD"], Reply.ok)), "OK")
      assert.strictEqual(yield* valkey.get("guard:d"), "db0")
    })
  )

  it.effect("with tracing on, the instrumented Router is guarded too", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const { router } = yield* ValkeyStandalone.make({ port: server.port, tracing: true })
      const error = yield* Effect.flip(router.run(refused[1]!))
      assert.strictEqual(error._tag, "InvalidArgumentError")
      assert.strictEqual(yield* router.run(Commands.connection.ping()), "PONG")
    })
  )
})
