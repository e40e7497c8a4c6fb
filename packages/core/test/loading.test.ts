/**
 * `-LOADING`: a server loading its dataset answers every command with it. A lone command is
 * sent again with backoff while its deadline allows (counted in `valkey.command.retries`);
 * a transaction is not (its commands stay together); past the deadline the caller gets the
 * `LOADING` error. The load is made slow and deterministic with the server's `key-load-delay`
 * (microseconds per key) and `DEBUG RELOAD` (save, then load the RDB back while serving
 * `-LOADING` to clients).
 */
import { assert, describe, it } from "@effect/vitest"
import { ValkeyServer, type ValkeyServerHandle } from "@effect-valkey/testkit"
import { Context, Effect, Exit, Fiber, Metric } from "effect"
import { Command, Reply, ValkeyStandalone } from "../src/index.ts"

const KEYS = 4000
/** 250 µs per key: the reload takes about a second. */
const config = { "key-load-delay": 250, "loading-process-events-interval-bytes": 1024 }

const retries = (registry: Metric.MetricRegistry): number =>
  Metric.snapshotUnsafe(Context.make(Metric.MetricRegistry, registry))
    .filter((s) => s.id === "valkey.command.retries" && s.attributes?.["error.type"] === "LOADING")
    .reduce((n, s) => n + (s.state as { readonly count: number }).count, 0)

/** Starts DEBUG RELOAD on an admin connection and waits until the server says it is loading. */
const reloading = (server: ValkeyServerHandle) =>
  Effect.gen(function* () {
    const reload = yield* Effect.forkChild(server.command(["DEBUG", "RELOAD"], { timeout: "30 seconds" }))
    for (let i = 0; i < 200; i++) {
      const info = yield* Effect.exit(server.command(["INFO", "persistence"]))
      if (Exit.isFailure(info) || String(info.value).includes("loading:1")) break
      yield* Effect.sleep("5 millis")
    }
    return reload
  })

describe("LOADING", () => {
  it.live("lone commands are retried within their deadline and counted; a transaction is not", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ config })
      yield* server.command(["DEBUG", "POPULATE", String(KEYS), "loading"])
      const registry: Metric.MetricRegistry = new Map()
      const { valkey } = yield* Effect.provideService(
        ValkeyStandalone.make({ port: server.port, requestTimeout: 10_000, metrics: true }),
        Metric.MetricRegistry,
        registry
      )
      const reload = yield* reloading(server)
      const started = Date.now()
      const [values, transaction] = yield* Effect.all(
        [
          Effect.forEach(
            Array.from({ length: 20 }, (_, i) => i),
            (i) => valkey.get(`loading:${i}`),
            { concurrency: "unbounded" }
          ),
          Effect.exit(valkey.batch([Command.make(["GET", "loading:0"], Reply.nullableString)], { atomic: true }))
        ],
        { concurrency: "unbounded" }
      )
      const waitedMs = Date.now() - started
      yield* Fiber.join(reload)
      assert.deepStrictEqual(
        values,
        Array.from({ length: 20 }, (_, i) => `value:${i}`)
      )
      // The load was still going on when they were sent: they waited for it, retried.
      assert.isAbove(retries(registry), 20)
      assert.isAbove(waitedMs, 100)
      // MULTI answered LOADING: the transaction did not run and is not re-sent.
      const error = Exit.findErrorOption(transaction)
      assert.isTrue(error._tag === "Some" && error.value._tag === "TransactionAbortedError", String(error))
      assert.include(String(error), "LOADING")
      // After the load, the server answers at once.
      assert.strictEqual(yield* valkey.dbsize(), KEYS)
    })
  )

  it.live("retries stop at the command's deadline", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ config })
      yield* server.command(["DEBUG", "POPULATE", String(KEYS), "loading"])
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, requestTimeout: 300 })
      const reload = yield* reloading(server)
      const started = Date.now()
      const exit = yield* Effect.exit(valkey.get("loading:1"))
      const tookMs = Date.now() - started
      yield* Fiber.join(reload)
      // The LOADING error when no retry fits before the deadline; a TimeoutError when the last
      // retry's answer came too late. Either way, by the deadline (plus the timer's granularity).
      const error = Exit.findErrorOption(exit)
      assert.isTrue(error._tag === "Some", "failed")
      if (error._tag === "Some") {
        const tag = error.value._tag === "ReplyError" ? `ReplyError:${error.value.code}` : error.value._tag
        assert.oneOf(tag, ["ReplyError:LOADING", "TimeoutError"])
      }
      assert.isAtMost(tookMs, 300 + 250)
    })
  )
})
