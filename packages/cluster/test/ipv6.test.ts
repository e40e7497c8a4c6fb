/**
 * A cluster on the IPv6 loopback (`::1`): the nodes announce `::1` in CLUSTER SLOTS, MOVED
 * and ASK, whose `host:port` has no brackets, while connections name their peer `[::1]:port`.
 * Routing, redirects, multi-slot commands and the cache's per-node losses must all see one
 * node behind both forms (pub/sub: packages/pubsub/test/ipv6.test.ts), and so must blocking
 * commands (the node's pool) and a lost node's recovery.
 */
import { assert, layer } from "@effect/vitest"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect, Exit, Fiber, Schedule } from "effect"
import { Slot } from "../src/index.ts"
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

  it.effect("a blocking command waits on the node's pool, not on its shared connection", () =>
    Effect.gen(function* () {
      const { valkey } = yield* client({ topologyRefresh: false })
      const [list, other] = keysInSlot(4321, 2)
      yield* valkey.set(other!, "x")
      const popped = yield* Effect.forkChild(valkey.blpop([list!], 3))
      yield* Effect.sleep("100 millis")
      // On the shared connection the GET would wait behind the BLPOP, and the BLPOP would time
      // out (null) before the RPUSH was sent.
      assert.strictEqual(yield* valkey.get(other!), "x")
      yield* valkey.rpush(list!, ["v"])
      assert.deepStrictEqual(yield* Fiber.join(popped), { key: list!, element: "v" })
    })
  )

  for (const protocol of [2, 3] as const) {
    it.effect(`the cache (RESP${protocol}): a connection lost to one node drops only that node's entries`, () =>
      lossOfOneNode(protocol, `v6cache${protocol}`)
    )
  }
})

layer(ValkeyTestCluster.layer({ host: "::1" }), { excludeTestServices: true, timeout: 120_000 })(
  "cluster on ::1 with replicas",
  (it) => {
    it.effect("a killed primary: the lost node's recovery finds the promoted replica (no periodic refresh)", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const { router, valkey } = yield* client({
          topologyRefresh: false,
          reconnect: Schedule.spaced("50 millis"),
          // No request timeout: no stall watch, which would also start a recovery.
          requestTimeout: 0
        })
        // Not the seed: a topology refresh asks the seeds when no primary answers.
        const victim = cluster.primaries.find((p) => p.address !== cluster.seeds[0])!
        let key = "v6fail:0"
        for (let i = 1; (yield* cluster.slotOwner(Slot.slotOf(key))).address !== victim.address; i++) {
          key = `v6fail:${i}`
        }
        yield* valkey.set(key, "before")
        yield* cluster.kill(victim)
        // Only the recovery the lost connection started can show the client the new primary:
        // it refreshes until the node is back or serves no slot. Bounded: failure detection
        // (2 s) and the replica's election take a few seconds.
        let written = false
        for (const deadline = Date.now() + 30_000; Date.now() < deadline && !written; ) {
          written = Exit.isSuccess(yield* Effect.exit(Effect.timeout(valkey.set(key, "after"), "1 second")))
          if (!written) yield* Effect.sleep("100 millis")
        }
        assert.isTrue(written, `a write to ${victim.address}'s slot after its replica took over`)
        assert.notStrictEqual(router.topology().shardOfSlot(Slot.slotOf(key))?.primary.address, victim.address)
        assert.strictEqual(yield* valkey.get(key), "after")
      })
    )
  }
)
