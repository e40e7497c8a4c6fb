import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Fiber, Result } from "effect"
import { Command, Commands, Reply } from "../src/index.ts"
import { client, protocols } from "./support.ts"

const { get, incr, set } = Commands.strings
const { hset } = Commands.hashes

layer(ValkeyServer.layer(), { excludeTestServices: true })("batches and transactions", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `b${protocol}:`

      it.effect("a pipeline gives each command its own Result; one failure loses no other", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          yield* v.hset(`${p}hash`, { f: "1" })
          const [a, b, c, d] = yield* v.batch([set(`${p}a`, "1"), incr(`${p}hash`), incr(`${p}a`), get(`${p}a`)])
          assert.deepStrictEqual(a, Result.succeed("OK"))
          assert.isTrue(Result.isFailure(b) && b.failure._tag === "ReplyError")
          assert.deepStrictEqual(c, Result.succeed(2))
          assert.deepStrictEqual(d, Result.succeed("2"))
        })
      )

      it.effect("raiseOnError gives the values, or fails with the first error", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const [ok, n] = yield* v.batch([set(`${p}r`, "5"), incr(`${p}r`)], { raiseOnError: true })
          assert.strictEqual(ok, "OK")
          assert.strictEqual(n, 6)
          yield* v.hset(`${p}h2`, { f: "1" })
          const error = yield* Effect.flip(v.batch([incr(`${p}h2`), incr(`${p}r`)], { raiseOnError: true }))
          assert.strictEqual(error._tag, "ReplyError")
        })
      )

      it.effect("an atomic batch is MULTI/EXEC; replies are decoded per command", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const [s, n, h, g] = yield* v.batch(
            [set(`${p}t`, "10"), incr(`${p}t`), hset(`${p}th`, { a: "1", b: "2" }), Commands.hashes.hgetall(`${p}th`)],
            { atomic: true, raiseOnError: true }
          )
          assert.strictEqual(s, "OK")
          assert.strictEqual(n, 11)
          assert.strictEqual(h, 2)
          assert.deepStrictEqual(g, { a: "1", b: "2" })
        })
      )

      it.effect("a command that cannot be queued aborts the whole transaction (EXECABORT)", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const bad = Command.make(["SET", `${p}x`], Reply.ok)
          const error = yield* Effect.flip(v.batch([set(`${p}x`, "1"), bad], { atomic: true }))
          assert.strictEqual(error._tag, "TransactionAbortedError")
          if (error._tag === "TransactionAbortedError") assert.strictEqual(error.reason, "aborted")
          assert.strictEqual(yield* v.get(`${p}x`), null)
        })
      )

      it.effect("an invalid command fails the transaction before anything is sent", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const error = yield* Effect.flip(v.batch([set(`${p}y`, "1"), Commands.generic.del([])], { atomic: true }))
          assert.strictEqual(error._tag, "InvalidArgumentError")
          assert.strictEqual(yield* v.get(`${p}y`), null)
        })
      )

      it.effect("WATCH on a dedicated connection: a concurrent change aborts EXEC", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          yield* v.set(`${p}w`, "1")
          const tx = yield* v.dedicated
          assert.strictEqual(yield* tx.watch([`${p}w`]), "OK")
          const seen = yield* tx.get(`${p}w`)
          yield* v.set(`${p}w`, "changed by someone else")
          const error = yield* Effect.flip(tx.batch([set(`${p}w`, `${Number(seen) + 1}`)], { atomic: true }))
          assert.strictEqual(error._tag, "TransactionAbortedError")
          if (error._tag === "TransactionAbortedError") assert.strictEqual(error.reason, "watch")
          assert.strictEqual(yield* v.get(`${p}w`), "changed by someone else")
          // Without a conflict the same transaction applies.
          yield* tx.watch([`${p}w`])
          const [ok] = yield* tx.batch([set(`${p}w`, "mine")], { atomic: true, raiseOnError: true })
          assert.strictEqual(ok, "OK")
          assert.strictEqual(yield* v.get(`${p}w`), "mine")
        })
      )

      it.effect("WATCH lost to a reconnect aborts EXEC, as a change would: it is not run unguarded", () =>
        Effect.gen(function* () {
          const server = yield* ValkeyServer
          const v = yield* client({ protocol })
          yield* v.set(`${p}wl`, "1")
          const tx = yield* v.dedicated
          yield* tx.clientSetName(`watcher${protocol}`)
          yield* tx.watch([`${p}wl`])
          const list = String(yield* server.command(["CLIENT", "LIST"]))
          const line = list.split("\n").find((l) => l.includes(` name=watcher${protocol} `))
          yield* server.command(["CLIENT", "KILL", "ID", /id=(\d+)/.exec(line ?? "")?.[1] ?? "0"])
          // Back on a new socket, where nothing is watched; the key changes meanwhile.
          yield* Effect.eventually(tx.ping())
          yield* Effect.eventually(v.set(`${p}wl`, "changed"))
          const error = yield* Effect.flip(tx.batch([set(`${p}wl`, "mine")], { atomic: true }))
          assert.strictEqual(error._tag, "TransactionAbortedError")
          if (error._tag === "TransactionAbortedError") assert.strictEqual(error.reason, "watch")
          assert.strictEqual(yield* v.get(`${p}wl`), "changed")
          // A new WATCH guards the next one again.
          yield* tx.watch([`${p}wl`])
          const [ok] = yield* tx.batch([set(`${p}wl`, "mine")], { atomic: true, raiseOnError: true })
          assert.strictEqual(ok, "OK")
        })
      )

      it.effect("custom refuses commands that change connection state", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          for (const name of ["WATCH", "MULTI", "SELECT", "SUBSCRIBE"]) {
            const error = yield* Effect.flip(v.custom([name, "x"]))
            assert.strictEqual(error._tag, "InvalidArgumentError")
          }
        })
      )

      it.effect("run and batch refuse them on the shared connection; a dedicated connection runs them", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const watch = Command.make(["WATCH", `${p}rw`], Reply.ok)
          const multi = Command.make(["multi"], Reply.ok)
          assert.strictEqual((yield* Effect.flip(v.run(watch)))._tag, "InvalidArgumentError")
          assert.strictEqual((yield* Effect.flip(v.run(multi)))._tag, "InvalidArgumentError")
          const inBatch = yield* Effect.flip(v.batch([Commands.strings.get(`${p}rw`), watch]))
          assert.strictEqual(inBatch._tag, "InvalidArgumentError")
          // Nothing leaked: the shared connection is not in a transaction.
          assert.strictEqual(yield* v.set(`${p}rw`, "1"), "OK")
          const tx = yield* v.dedicated
          assert.strictEqual(yield* tx.run(watch), "OK")
          assert.strictEqual(yield* tx.run(Command.make(["UNWATCH"], Reply.ok)), "OK")
        })
      )
    })
  }

  it.effect("a custom blocking line waits its own block time, not the request timeout", () =>
    Effect.gen(function* () {
      const v = yield* client({ requestTimeout: "200 millis" })
      // BLPOP for 0.6 s: past the request timeout, within its block time plus the margin.
      assert.isNull(yield* v.custom(["BLPOP", "custom:none", "0.6"]))
      assert.isNull(yield* v.custom(["XREAD", "BLOCK", 600, "STREAMS", "custom:stream", "$"]))
    })
  )

  it.effect("waiting for a free blocking-pool connection is bounded by the request timeout", () =>
    Effect.gen(function* () {
      const v = yield* client({ blockingPoolSize: 1, requestTimeout: "300 millis" })
      // The one pooled connection is busy for 2 s; the next blocking call cannot borrow it.
      const first = yield* Effect.forkChild(v.blpop(["pool:none"], 2))
      yield* Effect.sleep("50 millis")
      const error = yield* Effect.flip(v.blpop(["pool:none"], 1))
      assert.strictEqual(error._tag, "TimeoutError")
      assert.include(error.message, "blocking pool")
      assert.strictEqual(yield* Fiber.join(first), null)
      // Free again: the next one borrows it.
      assert.strictEqual(yield* v.blpop(["pool:none"], 0.05), null)
    })
  )

  it.effect("a BLPOP waiting 2 s does not delay 10,000 GETs issued meanwhile", () =>
    Effect.gen(function* () {
      const v = yield* client()
      const blpop = Command.make(["BLPOP", "iso:list", 2], Reply.nullable(Reply.array(Reply.string)), {
        keys: 1,
        blockMillis: 2000
      })
      const waiting = yield* Effect.forkChild(v.run(blpop))
      yield* Effect.sleep("50 millis")
      const gets = yield* Effect.forEach(
        Array.from({ length: 10_000 }, (_, i) => i),
        () => v.get("iso:missing"),
        {
          concurrency: 500
        }
      )
      // All GETs answered while the BLPOP still waits: it is on a connection of its own.
      assert.strictEqual(gets.length, 10_000)
      assert.strictEqual(waiting.pollUnsafe(), undefined)
      assert.strictEqual(yield* Fiber.join(waiting), null)
    })
  )

  it.effect("interrupting a blocking command drops its connection, so no element is popped for nobody", () =>
    Effect.gen(function* () {
      const v = yield* client()
      const blpop = Command.make(["BLPOP", "ghost:list", 0], Reply.nullable(Reply.array(Reply.string)), {
        keys: 1,
        blockMillis: 0
      })
      const waiting = yield* Effect.forkChild(v.run(blpop))
      yield* Effect.sleep("100 millis")
      yield* Fiber.interrupt(waiting)
      yield* Effect.sleep("100 millis")
      yield* v.custom(["LPUSH", "ghost:list", "precious"])
      yield* Effect.sleep("100 millis")
      assert.strictEqual(yield* v.custom(["LLEN", "ghost:list"]), 1)
    })
  )
})
