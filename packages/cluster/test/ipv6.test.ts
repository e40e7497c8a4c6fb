/**
 * A cluster on the IPv6 loopback (`::1`): the nodes announce `::1` in CLUSTER SLOTS, MOVED
 * and ASK, whose `host:port` has no brackets, while connections name their peer `[::1]:port`.
 * Routing, redirects, multi-slot commands and the cache's per-node losses must all see one
 * node behind both forms (pub/sub: packages/pubsub/test/ipv6.test.ts).
 */
import { assert, layer } from "@effect/vitest"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { client, keysInSlot, lossOfOneNode } from "./support.ts"

layer(ValkeyTestCluster.layer({ host: "::1", replicasPerPrimary: 0 }), {
  excludeTestServices: true,
  timeout: 120_000
})("cluster on ::1", (it) => {
  it.effect("routes by slot, splits multi-slot commands and follows MOVED", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      assert.match(cluster.seeds[0]!, /^::1:\d+$/)
      const { router, valkey } = yield* client({ topologyRefresh: false })
      const keys = Array.from({ length: 30 }, (_, i) => `v6:${i}`)
      assert.strictEqual(yield* valkey.mset(keys.map((k, i) => [k, String(i)] as const)), "OK")
      assert.deepStrictEqual(
        yield* valkey.mget(keys),
        keys.map((_, i) => String(i))
      )
      const shards = router.topology().shards
      assert.strictEqual(shards.length, 3)
      for (const shard of shards) assert.strictEqual(shard.primary.host, "::1")
      // A slot moved behind the client's back: the next command is redirected (MOVED ::1:port).
      const slot = 1234
      const [k] = keysInSlot(slot, 1)
      yield* valkey.set(k!, "before")
      const from = yield* cluster.slotOwner(slot)
      const to = cluster.primaries.find((p) => p.address !== from.address)!
      yield* cluster.migrateSlot(slot, from, to)
      assert.strictEqual(yield* valkey.get(k!), "before")
      yield* valkey.set(k!, "after")
      assert.strictEqual(String(yield* to.command(["GET", k!])), "after")
      // No connection is opened twice to one node under its two spellings.
      assert.strictEqual(router.connections().length, 3)
    })
  )

  for (const protocol of [2, 3] as const) {
    it.effect(`the cache (RESP${protocol}): a connection lost to one node drops only that node's entries`, () =>
      lossOfOneNode(protocol, `v6cache${protocol}`)
    )
  }
})
