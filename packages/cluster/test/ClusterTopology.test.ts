/**
 * The router's view of the cluster as the cluster changes under it: periodic checks (on and
 * off), a node added and given a slot, the node removed again (its connection closed), and a
 * multi-key command that meets TRYAGAIN during a migration. The cluster is this file's own:
 * the tests change its shape.
 */
import { assert, layer } from "@effect/vitest"
import { ValkeyServer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect, Fiber } from "effect"
import type { ClusterRouterService } from "../src/ClusterRouter.ts"
import { ValkeyCluster } from "../src/index.ts"
import { client, keysInSlot } from "./support.ts"

/** Polls `check` every 50 ms for up to `tries` times; the last result is returned. */
const eventually = <E>(check: Effect.Effect<boolean, E>, tries = 100) =>
  Effect.gen(function* () {
    for (let i = 0; i < tries; i++) {
      if (yield* check) return true
      yield* Effect.sleep("50 millis")
    }
    return false
  })

/** The addresses of the nodes in the router's view of the cluster. */
const nodeAddresses = (router: ClusterRouterService) =>
  router
    .topology()
    .nodes()
    .map((n) => n.address)

// A primary emptied of its slots stays a primary (no automatic replica migration), so the
// added node can be taken out again.
layer(ValkeyTestCluster.layer({ replicasPerPrimary: 0, config: { "cluster-allow-replica-migration": false } }), {
  excludeTestServices: true,
  timeout: 120_000
})("cluster topology changes", (it) => {
  it.effect("periodic checks learn a moved slot without any command; with checks off the map stays", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const watching = yield* client({ topologyRefresh: "100 millis" })
      const idle = yield* client({ topologyRefresh: false })
      const slot = 1000
      const from = yield* cluster.slotOwner(slot)
      const to = cluster.primaries.find((p) => p.address !== from.address)!
      yield* cluster.migrateSlot(slot, from, to)
      const ownerIn = (router: typeof watching.router) => router.topology().shardOfSlot(slot)?.primary.address
      assert.isTrue(yield* eventually(Effect.sync(() => ownerIn(watching.router) === to.address)))
      assert.strictEqual(ownerIn(idle.router), from.address)
      // The idle client still serves the slot: MOVED fixes its map on first use.
      const [key] = keysInSlot(slot, 1)
      yield* idle.valkey.set(key!, "v")
      assert.strictEqual(yield* to.command(["GET", key!]), "v")
      yield* cluster.migrateSlot(slot, to, from)
    })
  )

  it.effect("a multi-key command meeting TRYAGAIN mid-migration is retried until the slot settles", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client({ maxRedirects: 20 })
      const slot = 3000
      const keys = keysInSlot(slot, 2)
      yield* valkey.mset(keys.map((k) => [k, k] as const))
      const from = yield* cluster.slotOwner(slot)
      const to = cluster.primaries.find((p) => p.address !== from.address)!
      yield* cluster.beginSlotMigration(slot, from, to)
      // One key moved, one not: the source cannot serve MGET of both and answers TRYAGAIN.
      yield* from.command(["MIGRATE", to.host, String(to.port), "", "0", "5000", "KEYS", keys[0]!])
      const mget = yield* Effect.forkChild(valkey.mget(keys))
      yield* Effect.sleep("300 millis")
      yield* cluster.moveSlotKeys(slot, from, to)
      yield* cluster.finishSlotMigration(slot, from, to)
      assert.deepStrictEqual(yield* Fiber.join(mget), keys)
      const errors = String(yield* from.command(["INFO", "errorstats"]))
      assert.isAbove(
        Number(/errorstat_TRYAGAIN:count=(\d+)/.exec(errors)?.[1] ?? 0),
        0,
        "the source did answer TRYAGAIN"
      )
    })
  )

  it.effect("a node added and given a slot is used; removed again, its connection is closed", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { router, valkey } = yield* client({ topologyRefresh: false })
      const added = yield* cluster.addNode()
      const slot = 2000
      const from = yield* cluster.slotOwner(slot)
      yield* cluster.migrateSlot(slot, from, added)
      const keys = keysInSlot(slot, 10)
      yield* valkey.mset(keys.map((k) => [k, "new"] as const))
      assert.strictEqual(yield* added.command(["DBSIZE"]), 10)
      assert.include(
        router.connections().map((c) => c.address),
        added.address
      )
      // Empty the node, make every other node forget it, and stop it.
      yield* valkey.del(keys)
      yield* cluster.migrateSlot(slot, added, from)
      yield* Effect.forEach(
        cluster.nodes.filter((n) => n.address !== added.address),
        (n) => n.command(["CLUSTER", "FORGET", added.id]),
        { discard: true }
      )
      yield* cluster.kill(added)
      yield* router.refreshTopology
      assert.notInclude(nodeAddresses(router), added.address)
      assert.notInclude(
        router.connections().map((c) => c.address),
        added.address
      )
      assert.strictEqual(yield* valkey.set(keys[0]!, "back"), "OK")
    })
  )

  it.effect("a node outside the cluster (it knows no slot owner) is passed over, never applied", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      // Cluster mode, never joined: CLUSTER SHARDS names itself alone, with no slot.
      const lone = yield* ValkeyServer.make({ cluster: true })
      const { router, valkey } = yield* ValkeyCluster.make({
        seeds: [lone.address, cluster.seeds[0]!],
        topologyRefresh: false
      })
      assert.strictEqual(router.topology().coveredSlots, 16384)
      assert.notInclude(nodeAddresses(router), lone.address)
      assert.strictEqual(yield* valkey.set("{lone}k", "v"), "OK")
    })
  )
})
