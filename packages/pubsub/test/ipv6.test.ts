/**
 * Cluster pub/sub on the IPv6 loopback (`::1`), where the nodes announce `::1:port` and a
 * connection names its peer `[::1]:port`: subscriptions land on the slot's owner, events
 * name the node as the topology does, and a sharded subscription follows its slot.
 */
import { assert, layer } from "@effect/vitest"
import { Slot } from "@effect-valkey/cluster"
import { type ClusterNode, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { cluster, migrateShardedChannel, unique } from "./support.ts"

const count = (node: ClusterNode, sub: "NUMSUB" | "SHARDNUMSUB", channel: string) =>
  Effect.map(node.command(["PUBSUB", sub, channel]), (reply) => Number((reply as ReadonlyArray<unknown>)[1]))

layer(ValkeyTestCluster.layer({ host: "::1", replicasPerPrimary: 0 }), {
  excludeTestServices: true,
  timeout: 120_000
})("cluster pub/sub on ::1", (it) => {
  it.effect("plain and sharded subscriptions on the owner; a sharded one follows its slot", () =>
    Effect.gen(function* () {
      const handle = yield* ValkeyTestCluster
      const pubsub = yield* cluster({ reconcileInterval: "300 millis" })
      const channel = unique("v6")
      const slot = Slot.slotOf(channel)
      const plain = yield* pubsub.subscription("channel", channel)
      const sharded = yield* pubsub.subscription("sharded", channel)
      const from = yield* handle.slotOwner(slot)
      assert.strictEqual(yield* count(from, "NUMSUB", channel), 1)
      assert.strictEqual(yield* count(from, "SHARDNUMSUB", channel), 1)
      yield* pubsub.publish(channel, "plain")
      yield* pubsub.publish(channel, "sharded", { sharded: true })
      assert.strictEqual((yield* plain.take).payload, "plain")
      assert.strictEqual((yield* sharded.take).payload, "sharded")

      yield* migrateShardedChannel(pubsub, channel)
      yield* pubsub.publish(channel, "moved", { sharded: true })
      assert.strictEqual((yield* sharded.take).payload, "moved")
    })
  )
})
