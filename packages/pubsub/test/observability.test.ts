import { assert, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Context, Effect, Metric } from "effect"
import { eventually, standalone, unique } from "./support.ts"

const dropped = (registry: Metric.MetricRegistry) =>
  Effect.sync(() => {
    const snapshot = Metric.snapshotUnsafe(Context.make(Metric.MetricRegistry, registry))
    const series = snapshot.find((m) => m.id === "valkey.pubsub.dropped" && m.attributes?.client === "ps")
    return (series?.state as { count: number } | undefined)?.count ?? 0
  })

layer(ValkeyServer.layer(), { excludeTestServices: true, timeout: 60_000 })("pub/sub metrics", (it) => {
  it.effect("valkey.pubsub.dropped counts what full buffers drop, with metrics on", () =>
    Effect.gen(function* () {
      const registry: Metric.MetricRegistry = new Map()
      const pubsub = yield* Effect.provideService(
        standalone({ metrics: { attributes: { client: "ps" } } }),
        Metric.MetricRegistry,
        registry
      )
      const channel = unique("metrics")
      const dropping = yield* pubsub.subscription("channel", channel, { capacity: 2, strategy: "dropping" })
      const sliding = yield* pubsub.subscription("channel", channel, { capacity: 2, strategy: "sliding" })
      for (const m of ["1", "2", "3", "4", "5"]) yield* pubsub.publish(channel, m)
      yield* eventually(pubsub.dropped, (n) => n === 6, "6 dropped")
      assert.strictEqual(yield* dropped(registry), 6)
      assert.strictEqual((yield* dropping.dropped) + (yield* sliding.dropped), 6)
    })
  )

  it.effect("metrics off: nothing is recorded", () =>
    Effect.gen(function* () {
      const registry: Metric.MetricRegistry = new Map()
      const pubsub = yield* Effect.provideService(standalone(), Metric.MetricRegistry, registry)
      const channel = unique("nometrics")
      yield* pubsub.subscription("channel", channel, { capacity: 1, strategy: "dropping" })
      for (const m of ["1", "2", "3"]) yield* pubsub.publish(channel, m)
      yield* eventually(pubsub.dropped, (n) => n === 2, "2 dropped")
      assert.strictEqual(registry.size, 0)
    })
  )
})
