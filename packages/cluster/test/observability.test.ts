import { assert, layer } from "@effect/vitest"
import { collectingTracer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Context, Effect, Metric, Tracer } from "effect"
import { Slot, ValkeyCluster } from "../src/index.ts"

layer(ValkeyTestCluster.layer(), { excludeTestServices: true, timeout: 120_000 })("cluster observability", (it) => {
  it.effect("spans name the node a keyed command goes to; metrics count every command", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const registry: Metric.MetricRegistry = new Map()
      const { valkey } = yield* Effect.provideService(
        ValkeyCluster.make({ seeds: [cluster.seeds[0]!], tracing: true, metrics: true }),
        Metric.MetricRegistry,
        registry
      )
      const { spans, tracer } = collectingTracer()
      const keys = ["obs:a", "obs:b", "obs:c", "obs:d", "obs:e", "obs:f"]
      yield* Effect.provideService(
        Effect.gen(function* () {
          for (const key of keys) yield* valkey.set(key, "secret-value")
          yield* valkey.mget(keys)
          yield* valkey.dbsize()
        }),
        Tracer.Tracer,
        tracer
      )
      assert.deepStrictEqual(
        spans.map((s) => s.name),
        [...keys.map(() => "SET"), "MGET", "DBSIZE"]
      )
      for (const [i, key] of keys.entries()) {
        const owner = yield* cluster.slotOwner(Slot.slotOf(key))
        const attributes = spans[i]!.attributes
        assert.strictEqual(attributes.get("server.port"), owner.port)
        assert.strictEqual(attributes.get("db.namespace"), "0")
        assert.strictEqual(attributes.get("db.system.name"), "valkey")
      }
      // Across slots (a split MGET) or every node (DBSIZE): no single server.
      assert.isFalse(spans[keys.length]!.attributes.has("server.address"))
      assert.isFalse(spans[keys.length + 1]!.attributes.has("server.port"))
      assert.notInclude(JSON.stringify(spans.map((s) => [...s.attributes])), "secret")

      const snapshot = Metric.snapshotUnsafe(Context.make(Metric.MetricRegistry, registry))
      const sets = snapshot.find((m) => m.id === "valkey.commands" && m.attributes?.["db.operation.name"] === "SET")
      assert.strictEqual((sets?.state as { count: number } | undefined)?.count, keys.length)
      const inflight = snapshot.find((m) => m.id === "valkey.commands.inflight")
      assert.strictEqual((inflight?.state as { value: number } | undefined)?.value, 0)
    })
  )
})
