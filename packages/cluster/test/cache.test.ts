/**
 * The client-side cache on a 3-primary cluster: the shared correctness rules
 * (core/test/cache-rules.ts) under RESP2 and RESP3, where tracking is per node, then what
 * only a cluster has: a slot that changes owner drops its keys, and an MGET split over
 * nodes is one entry invalidated by any of its keys.
 */
import { assert, describe, layer } from "@effect/vitest"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { eventually, rules } from "../../core/test/cache-rules.ts"
import { Slot, ValkeyCluster } from "../src/index.ts"
import { keysInSlot, lossOfOneNode } from "./support.ts"

// No replicas: the slot tests hand slots between primaries. An added primary emptied of its
// slots stays a primary (no replica migration), so it can be taken out again.
layer(ValkeyTestCluster.layer({ replicasPerPrimary: 0, config: { "cluster-allow-replica-migration": false } }), {
  excludeTestServices: true,
  timeout: 120_000
})("client-side cache, cluster", (it) => {
  const client = (config: Partial<Parameters<typeof ValkeyCluster.make>[0]> = {}) =>
    Effect.flatMap(ValkeyTestCluster, (cluster) => ValkeyCluster.make({ seeds: [cluster.seeds[0]!], ...config }))

  rules(it, {
    client,
    everyNode: (args) =>
      Effect.flatMap(ValkeyTestCluster, (cluster) => Effect.forEach(cluster.primaries, (node) => node.command(args)))
  })

  it.effect("RESP2: a node that leaves the cluster has its invalidation connection closed", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { router, valkey } = yield* client({ protocol: 2, topologyRefresh: false, cache: {} })
      const added = yield* cluster.addNode()
      // Killed whatever happens: a node left behind would keep the next tests' cluster from converging.
      yield* Effect.addFinalizer(() => Effect.ignore(cluster.kill(added)))
      const slot = 2500
      const from = yield* cluster.slotOwner(slot)
      yield* cluster.migrateSlot(slot, from, added)
      const [k] = keysInSlot(slot, 1)
      yield* valkey.get(k!)
      const pubsubOn = (node: typeof added) =>
        Effect.map(node.command(["CLIENT", "LIST", "TYPE", "pubsub"]), (list) => String(list).includes("cmd=subscribe"))
      assert.isTrue(yield* pubsubOn(added), "the added node got an invalidation connection")
      yield* cluster.migrateSlot(slot, added, from)
      // The node leaves both ways: the others forget it, and it forgets them (so whichever
      // node the client asks, the answer no longer has it).
      const others = cluster.nodes.filter((n) => n.address !== added.address)
      yield* Effect.forEach(others, (n) => n.command(["CLUSTER", "FORGET", added.id]), { discard: true })
      yield* Effect.forEach(others, (n) => added.command(["CLUSTER", "FORGET", n.id]), { discard: true })
      yield* router.refreshTopology
      assert.isTrue(yield* eventually(Effect.map(pubsubOn(added), (on) => !on)))
    })
  )

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      it.effect("a slot that moves to another node drops its entries", () =>
        Effect.gen(function* () {
          const cluster = yield* ValkeyTestCluster
          const slot = 4000 + protocol
          const [k] = keysInSlot(slot, 1)
          const { cache, router, valkey } = yield* client({
            protocol,
            topologyRefresh: "100 millis",
            cache: {}
          })
          // A key that does not exist: moving its (empty) slot moves no key, so the old
          // owner never sends an invalidation for it. Only the slot move can drop it.
          assert.strictEqual(yield* valkey.get(k!), null)
          assert.strictEqual((yield* cache.stats).entries, 1)
          const from = yield* cluster.slotOwner(slot)
          const to = cluster.primaries.find((p) => p.address !== from.address)!
          yield* cluster.migrateSlot(slot, from, to)
          assert.isTrue(
            yield* eventually(Effect.sync(() => router.topology().shardOfSlot(slot)?.primary.address === to.address))
          )
          yield* to.command(["SET", k!, "on the new owner"])
          assert.strictEqual(yield* valkey.get(k!), "on the new owner")
          yield* cluster.migrateSlot(slot, to, from)
        })
      )

      it.effect("a connection lost to one node drops only the entries of that node's slots", () =>
        lossOfOneNode(protocol, `onenode${protocol}`)
      )

      it.effect("an MGET split over nodes is one entry, invalidated by a write to any of its keys", () =>
        Effect.gen(function* () {
          const { valkey: other } = yield* client({ protocol })
          const { cache, valkey } = yield* client({ protocol, cache: {} })
          const keys = [`mget${protocol}:a`, `mget${protocol}:b`, `mget${protocol}:c`]
          assert.isAbove(new Set(keys.map((k) => Slot.slotOf(k))).size, 1)
          yield* other.mset(keys.map((k) => [k, "1"] as const))
          assert.deepStrictEqual(yield* valkey.mget(keys), ["1", "1", "1"])
          assert.deepStrictEqual(yield* valkey.mget(keys), ["1", "1", "1"])
          assert.strictEqual((yield* cache.stats).hits, 1)
          yield* other.set(keys[2]!, "2")
          assert.isTrue(yield* eventually(Effect.map(cache.stats, (s) => s.entries === 0)))
          assert.deepStrictEqual(yield* valkey.mget(keys), ["1", "1", "2"])
        })
      )
    })
  }
})
