/**
 * Memory under pressure, measured with `process.memoryUsage().heapUsed` after a full GC
 * (vitest runs this project's workers with --expose-gc):
 *
 * - Inflight: bursts of 10,000 calls at an inflight limit of 1,000. Exactly the excess is
 *   rejected, every rejection is an `InflightLimitError`; with a burst alive (server paused,
 *   1,000 calls waiting) the heap is under 32 MiB above its baseline, and after the bursts it
 *   is back within 16 MiB.
 * - Leaks: many commands (CI 100,000; chaos 1,000,000) and subscribe/unsubscribe cycles on
 *   fresh channel names (CI 1,000; chaos 10,000). After a warm-up, the heap returns to its
 *   baseline within a stated margin: 8 MiB, i.e. under 8 bytes per command for 1,000,000
 *   commands and well under 1 KiB per cycle, where a leak of one entry per operation would show
 *   as tens of MiB.
 *
 * Existing coverage: core/test/Connection.test.ts checks the exact split (1,000 served, 4,000
 * rejected) of one 5,000-call burst; this adds the 10,000-call bursts and the heap.
 */
import { assert, describe, it } from "@effect/vitest"
import { type CommandError, Valkey, type ValkeyService, ValkeyStandalone } from "@effect-valkey/core"
import { PubSub, type PubSubService } from "@effect-valkey/pubsub"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Context, Effect, Fiber, Layer } from "effect"
import { hasGc, heapUsed, mib, report, scale } from "./scale.ts"

const MiB = 1024 * 1024

describe("memory", () => {
  it.live("bursts of 10,000 at an inflight limit of 1,000: typed rejections, bounded heap", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, inflightLimit: 1000 })
      const bursts = scale(5, 50)
      let settledRejections = 0
      const burst = Effect.forEach(
        Array.from({ length: 10_000 }, (_, i) => i),
        (i) =>
          Effect.result(valkey.echo(`b${i}`)).pipe(
            Effect.tap((r) =>
              Effect.sync(() => {
                if (r._tag === "Failure") settledRejections++
              })
            )
          ),
        { concurrency: "unbounded" }
      )
      yield* burst // warm-up
      const baseline = heapUsed()
      let held = 0
      let served = 0
      let rejected = 0
      const started = Date.now()
      for (let b = 0; b < bursts; b++) {
        // The server is paused, so the 1,000 accepted calls stay in flight while the 9,000
        // others are refused: the heap is measured (after a full GC) at that moment, with the
        // whole burst alive.
        settledRejections = 0
        yield* server.pause
        const fiber = yield* Effect.forkChild(burst)
        for (let i = 0; i < 500 && settledRejections < 9000; i++) yield* Effect.sleep("10 millis")
        held = Math.max(held, heapUsed() - baseline)
        yield* server.resume
        const results = yield* Fiber.join(fiber)
        for (const r of results) {
          if (r._tag === "Success") served++
          else {
            rejected++
            assert.strictEqual(r.failure._tag, "InflightLimitError")
          }
        }
        assert.strictEqual(results.filter((r) => r._tag === "Success").length, 1000, `burst ${b}`)
      }
      assert.strictEqual(yield* valkey.echo("after"), "after")
      const after = heapUsed()
      report("inflight bursts", {
        bursts,
        calls: bursts * 10_000,
        served,
        rejected,
        gc: hasGc(),
        baseline: mib(baseline),
        heldDuringBurst: mib(held),
        afterGrowth: mib(after - baseline),
        ms: Date.now() - started
      })
      assert.strictEqual(rejected, bursts * 9000)
      // With a burst in flight (1,000 waiting calls, 9,000 settled results): under 32 MiB.
      // After the bursts: back within 16 MiB of the baseline.
      assert.isBelow(held, 32 * MiB)
      assert.isBelow(after - baseline, 16 * MiB)
    })
  )

  it.live(`${scale("100,000", "1,000,000")} commands: the heap returns to its baseline`, () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port })
      const total = scale(100_000, 1_000_000)
      const round = 10_000
      // 100 callers in flight at once, each round a mix of writes, reads and misses.
      const run = (r: number) =>
        Effect.forEach(
          Array.from({ length: round }, (_, i) => i),
          (i) =>
            Effect.asVoid<unknown, CommandError, never>(
              i % 3 === 0
                ? valkey.set(`leak:${i % 1000}`, `v${r}:${i}`)
                : i % 3 === 1
                  ? valkey.get(`leak:${i % 1000}`)
                  : valkey.exists([`missing:${r}:${i}`])
            ),
          { concurrency: 100, discard: true }
        )
      for (let r = 0; r < 3; r++) yield* run(r) // warm-up
      const baseline = heapUsed()
      const started = Date.now()
      const samples: Array<string> = []
      for (let r = 0; r < total / round; r++) {
        yield* run(r)
        if ((r + 1) % Math.max(1, total / round / 5) === 0) samples.push(mib(heapUsed() - baseline))
      }
      const growth = heapUsed() - baseline
      report("command leak check", {
        commands: total,
        gc: hasGc(),
        baseline: mib(baseline),
        growth: mib(growth),
        samples,
        margin: "8 MiB",
        seconds: (Date.now() - started) / 1000
      })
      assert.isBelow(growth, 8 * MiB)
    })
  )

  it.live(`${scale("1,000", "10,000")} subscribe/unsubscribe cycles: the heap returns to its baseline`, () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const config = { port: server.port }
      const context = yield* Layer.build(PubSub.layer().pipe(Layer.provideMerge(ValkeyStandalone.layer(config))))
      const pubsub: PubSubService = Context.get(context, PubSub.PubSub)
      const valkey: ValkeyService = Context.get(context, Valkey)
      const cycles = scale(1000, 10_000)
      // One cycle: subscribe to a channel never used before, get one message, unsubscribe.
      const cycle = (i: number) =>
        Effect.scoped(
          Effect.gen(function* () {
            const sub = yield* pubsub.subscription("channel", `cycle:${i}`)
            yield* valkey.publish(`cycle:${i}`, "m")
            const m = yield* sub.take
            assert.strictEqual(m.payload, "m")
          })
        )
      for (let i = 0; i < 100; i++) yield* cycle(-1 - i) // warm-up
      const baseline = heapUsed()
      const started = Date.now()
      for (let i = 0; i < cycles; i++) yield* cycle(i)
      const growth = heapUsed() - baseline
      // Nothing stays subscribed on the server either (unsubscribes are confirmed async).
      let channels = -1
      for (let i = 0; i < 100 && channels !== 0; i++) {
        channels = ((yield* server.command(["PUBSUB", "CHANNELS", "cycle:*"])) as ReadonlyArray<string>).length
        if (channels !== 0) yield* Effect.sleep("20 millis")
      }
      report("subscribe/unsubscribe leak check", {
        cycles,
        gc: hasGc(),
        baseline: mib(baseline),
        growth: mib(growth),
        margin: "8 MiB",
        serverChannelsLeft: channels,
        seconds: (Date.now() - started) / 1000
      })
      assert.strictEqual(channels, 0)
      assert.isBelow(growth, 8 * MiB)
    })
  )
})
