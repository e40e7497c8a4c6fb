import { assert, layer } from "@effect/vitest"
import { Slot } from "@effect-valkey/cluster"
import { type ClusterNode, connectionAttempts, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect, Fiber, Schedule } from "effect"
import { cluster, eventually, migrateShardedChannel, unique, watchEvents } from "./support.ts"

const count = (node: ClusterNode, sub: "NUMSUB" | "SHARDNUMSUB", channel: string) =>
  Effect.map(node.command(["PUBSUB", sub, channel]), (reply) => Number((reply as ReadonlyArray<unknown>)[1]))

const options = { reconcileInterval: "300 millis" } as const

layer(ValkeyTestCluster.layer({ primaries: 3, replicasPerPrimary: 1 }), {
  excludeTestServices: true,
  timeout: 120_000
})("cluster pub/sub", (it) => {
  it.effect("each subscription lives on the primary owning its name's slot; counts are summed", () =>
    Effect.gen(function* () {
      const handle = yield* ValkeyTestCluster
      const pubsub = yield* cluster(options)
      const channels = Array.from({ length: 6 }, (_, i) => unique(`cl${i}`))
      const plain = yield* pubsub.subscription("channel", channels)
      const sharded = yield* pubsub.subscription("sharded", channels)
      const pattern = yield* pubsub.subscription("pattern", "clpat:*")
      for (const channel of channels) {
        const owner = yield* handle.slotOwner(Slot.slotOf(channel))
        assert.strictEqual(yield* count(owner, "NUMSUB", channel), 1)
        assert.strictEqual(yield* count(owner, "SHARDNUMSUB", channel), 1)
      }
      const totals = yield* pubsub.numsub(channels)
      assert.deepStrictEqual(
        [...totals.values()],
        channels.map(() => 1)
      )
      const shardTotals = yield* pubsub.shardNumsub(channels)
      assert.deepStrictEqual(
        [...shardTotals.values()],
        channels.map(() => 1)
      )
      assert.includeMembers(yield* pubsub.channels(), channels)
      assert.includeMembers(yield* pubsub.shardChannels(), channels)
      assert.strictEqual(yield* pubsub.numpat, 1)
      for (const channel of channels) {
        yield* pubsub.publish(channel, `p-${channel}`)
        yield* pubsub.publish(channel, `s-${channel}`, { sharded: true })
      }
      yield* pubsub.publish("clpat:1", "pattern")
      // The channels live on different primaries, each heard on its own socket: messages from
      // two nodes may arrive in either order, so compare what arrived, not its order.
      const received = (subscription: typeof plain) =>
        Effect.map(
          Effect.forEach(channels, () => subscription.take),
          (messages) => messages.map((m) => m.payload).sort()
        )
      assert.deepStrictEqual(yield* received(plain), channels.map((c) => `p-${c}`).sort())
      assert.deepStrictEqual(yield* received(sharded), channels.map((c) => `s-${c}`).sort())
      assert.strictEqual((yield* pattern.take).pattern, "clpat:*")
    })
  )

  it.effect("a sharded subscription follows its slot when the slot migrates", () =>
    Effect.gen(function* () {
      const pubsub = yield* cluster(options)
      const channel = unique("migrate")
      const sub = yield* pubsub.subscription("sharded", channel)
      yield* migrateShardedChannel(pubsub, channel)
      const messages = Array.from({ length: 20 }, (_, i) => `after-${i}`)
      for (const m of messages) yield* pubsub.publish(channel, m, { sharded: true })
      const received = yield* Effect.forEach(messages, () => Effect.map(sub.take, (m) => m.payload))
      assert.deepStrictEqual(received, messages)
    })
  )

  it.effect("sharded and plain subscriptions follow a failover to the new primary", () =>
    Effect.gen(function* () {
      const handle = yield* ValkeyTestCluster
      const pubsub = yield* cluster(options)
      const channel = unique("failover")
      const slot = Slot.slotOf(channel)
      const sharded = yield* pubsub.subscription("sharded", channel)
      const plain = yield* pubsub.subscription("channel", channel)
      const primary = yield* handle.slotOwner(slot)
      // failover(primary) promotes its first replica
      const successor = handle.replicasOf(primary)[0]!
      const events = yield* watchEvents(
        pubsub,
        2,
        (e) => e.name === channel && e._tag === "Resubscribed" && e.node === successor.address
      )
      const promoted = yield* handle.failover(primary)
      assert.strictEqual(promoted.address, successor.address)
      // Both end up on the new primary (a sharded one may pass through an interim node first).
      const seen = yield* Fiber.join(events)
      assert.deepStrictEqual(seen.map((e) => `${e.kind} ${e.node}`).sort(), [
        `channel ${promoted.address}`,
        `sharded ${promoted.address}`
      ])
      yield* eventually(count(promoted, "SHARDNUMSUB", channel), (n) => n === 1, "sharded on the new primary")
      yield* eventually(count(primary, "NUMSUB", channel), (n) => n === 0, "plain left the old primary")
      // everything published from now on arrives (a plain message may have come twice
      // while it moved: read past what came before)
      for (const m of ["x1", "x2", "x3"]) {
        yield* pubsub.publish(channel, m, { sharded: true })
        yield* pubsub.publish(channel, m)
      }
      assert.deepStrictEqual(yield* Effect.forEach([1, 2, 3], () => Effect.map(sharded.take, (m) => m.payload)), [
        "x1",
        "x2",
        "x3"
      ])
      assert.deepStrictEqual(yield* Effect.forEach([1, 2, 3], () => Effect.map(plain.take, (m) => m.payload)), [
        "x1",
        "x2",
        "x3"
      ])
    })
  )

  // Last in this file: it leaves the killed primary forgotten (its replica took over).
  it.effect("the connection to a killed node is let go once it is flagged failed, and stays gone once forgotten", () =>
    Effect.gen(function* () {
      const handle = yield* ValkeyTestCluster
      const pubsub = yield* cluster(options, { reconnect: Schedule.spaced("50 millis") })
      const channel = unique("forgotten")
      const plain = yield* pubsub.subscription("channel", channel)
      const primary = yield* handle.slotOwner(Slot.slotOf(channel))
      const moved = yield* watchEvents(
        pubsub,
        1,
        (e) => e.name === channel && e._tag === "Resubscribed" && e.node !== primary.address
      )
      yield* handle.kill(primary)
      yield* Fiber.join(moved)
      yield* handle.waitForConsistency({ timeout: "30 seconds" })
      // Still listed, flagged failed: reconcile rounds (300 ms each) let it go. Wait for a quiet
      // half second on its port; a client still trying it (every 50 ms) is never quiet.
      const quiet = (what: string) =>
        Effect.gen(function* () {
          yield* eventually(connectionAttempts(primary.port, "500 millis"), (n) => n === 0, `${what}: 500 ms quiet`)
          const attempts = yield* connectionAttempts(primary.port, "1500 millis")
          assert.strictEqual(attempts, 0, `${what}: connections to ${primary.address}`)
        })
      yield* quiet("listed as failed")
      for (const node of handle.nodes) {
        if (node !== primary && node.status === "running") yield* node.command(["CLUSTER", "FORGET", primary.id])
      }
      yield* quiet("forgotten")
      yield* pubsub.publish(channel, "still here")
      assert.strictEqual((yield* plain.take).payload, "still here")
    })
  )
})
