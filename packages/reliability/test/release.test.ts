/**
 * Releasing a layer leaves nothing running: every fiber it started (topology refresh, the
 * COMMAND-table fetch, pub/sub reconciles, reconnect loops) has ended, and
 * no timer or socket it opened is still held by the process.
 *
 * Fibers are counted through Effect's fiber runtime-metrics hook, provided around the layer's
 * whole life, so every fiber the layer forks (with its context) is counted; handles through
 * `process.getActiveResourcesInfo()`, against a snapshot taken before the layer was built.
 */
import { assert, describe, it } from "@effect/vitest"
import { Slot, ValkeyCluster } from "@effect-valkey/cluster"
import { Valkey } from "@effect-valkey/core"
import { ValkeyRedis } from "@effect-valkey/persistence"
import { PubSub } from "@effect-valkey/pubsub"
import { ValkeyServer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Context, Effect, Layer, Metric, Schedule, Schema } from "effect"
import type * as Scope from "effect/Scope"

/** The process's timers and sockets, by kind. */
const handles = (): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === "Timeout" || kind.startsWith("TCP") || kind.startsWith("TLS")) {
      counts.set(kind, (counts.get(kind) ?? 0) + 1)
    }
  }
  return counts
}

const more = (after: Map<string, number>, before: Map<string, number>): Array<string> =>
  [...after]
    .filter(([kind, n]) => n > (before.get(kind) ?? 0))
    .map(([kind, n]) => `${kind}: ${before.get(kind) ?? 0} → ${n}`)

/**
 * Builds a layer, uses it, releases it; then checks, allowing a moment for sockets to finish
 * closing, that no fiber it started still runs and no handle it opened is still held.
 */
const leavesNothing = <E>(use: Effect.Effect<unknown, E, Scope.Scope>) =>
  Effect.gen(function* () {
    let active = 0
    const counting: Metric.FiberRuntimeMetricsService = {
      recordFiberStart: () => {
        active++
      },
      recordFiberEnd: () => {
        active--
      }
    }
    const before = handles()
    let peak = 0
    yield* Effect.scoped(
      Effect.tap(use, () =>
        Effect.sync(() => {
          peak = active
        })
      )
    ).pipe(Effect.provideService(Metric.FiberRuntimeMetrics, counting))
    // Fibers end with the release itself (the layer's scope interrupts and awaits them);
    // sockets may take a moment longer to finish closing.
    assert.strictEqual(active, 0, "fibers still running when the release returned")
    // Checked from a setImmediate callback: inside the retry's own timer callback, that timer
    // still counts as active.
    const settled = yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve))).pipe(
      Effect.andThen(
        Effect.suspend(() => {
          const extra = more(handles(), before)
          return active === 0 && extra.length === 0 ? Effect.succeed(extra) : Effect.fail({ active, extra })
        })
      ),
      Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 150 }),
      Effect.catch((left) => Effect.succeed(left))
    )
    assert.isAbove(peak, 0, "the layer ran background fibers while in use")
    assert.deepStrictEqual(settled, [], `left behind: ${JSON.stringify(settled)}`)
  })

describe("releasing a layer leaves no fiber, timer or socket", () => {
  it.live("standalone client with pub/sub (reconciles) and persistence", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const config = { port: server.port }
      yield* leavesNothing(
        Effect.gen(function* () {
          const context = yield* Layer.build(
            ValkeyRedis.layerStandalone(config, { pubsub: { reconcileInterval: "20 millis" } })
          )
          const valkey = Context.get(context, Valkey)
          const pubsub = Context.get(context, PubSub.PubSub)
          yield* valkey.set("release:k", "v")
          const subscription = yield* pubsub.subscription("channel", "release:ch")
          yield* valkey.publish("release:ch", "hello")
          yield* subscription.take
          yield* valkey.blpop(["release:list"], 0.05)
          yield* Effect.sleep("60 millis")
        })
      )
    }).pipe(Effect.scoped)
  )

  it.live(
    "cluster client (topology refresh, COMMAND table) with pub/sub",
    () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster.make({ primaries: 3, replicasPerPrimary: 0 })
        const config = { seeds: [cluster.seeds[0]!], topologyRefresh: "20 millis" } as const
        yield* leavesNothing(
          Effect.gen(function* () {
            const context = yield* Layer.build(
              PubSub.layer({ reconcileInterval: "20 millis" }).pipe(Layer.provideMerge(ValkeyCluster.layer(config)))
            )
            const valkey = Context.get(context, Valkey)
            const pubsub = Context.get(context, PubSub.PubSub)
            // No key positions given: routed by the server's COMMAND table, fetched in the background.
            yield* valkey.custom(["SET", "release:{a}", "v"])
            yield* valkey.mget(["release:{a}", "release:{b}", "release:{c}"])
            const subscription = yield* pubsub.subscription("sharded", "release:sh")
            yield* valkey.spublish("release:sh", "hello")
            yield* subscription.take
            // Key position 0 routes by the command's own name, so a node that does not own the
            // key answers MOVED: a topology refresh starts in the background and is still
            // waiting when the layer is released just after.
            const third = (key: string) => Math.floor(Slot.slotOf(key) / 5462)
            const moved = Array.from({ length: 64 }, (_, i) => `release:${i}`).find((k) => third(k) !== third("GET"))!
            yield* valkey.custom(["GET", moved], { schema: Schema.NullOr(Schema.String), keys: 0 })
          })
        )
      }).pipe(Effect.scoped),
    { timeout: 120_000 }
  )
})
