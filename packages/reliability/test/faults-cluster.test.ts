/**
 * Faults under load, cluster (3 primaries x 1 replica), 100 callers each:
 *
 * - 100 slots migrated live (beginSlotMigration / moveSlotKeys / finishSlotMigration) while the
 *   callers write into exactly those slots: zero errors, every write readable afterwards.
 * - A primary paused (SIGSTOP) for twice the request timeout: calls to it fail with
 *   `TimeoutError` only, the other shards go on, and after SIGCONT every connection answers
 *   its own requests again (values read back match).
 * - A primary SIGKILLed and its replica promoted (CLUSTER FAILOVER TAKEOVER): every write that
 *   was acknowledged (SET answered OK and WAIT confirmed it reached the replica) is on the
 *   cluster afterwards; every call settles; writes to the shard are acknowledged again after
 *   the promotion (the time it took is reported, bounded at 10 s). A SET that was not
 *   confirmed by WAIT may be lost with the killed primary: that is Valkey's asynchronous
 *   replication, not the client, and those are counted separately.
 *
 * Existing coverage: cluster/test/ClusterFaults.test.ts (one slot migrated under 50 callers,
 * a coordinated manual failover, a partial MultiSlotError, a redirect loop).
 *
 * CI: 100 slots, one pause, one kill. Chaos: 300 slots, three pauses, three kill/promote/rejoin
 * cycles.
 */
import { assert, layer } from "@effect/vitest"
import { Slot, ValkeyCluster } from "@effect-valkey/cluster"
import { Commands } from "@effect-valkey/core"
import { ownsSlot, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { firstAckAfter, lostLastWrites, missing, startLoad } from "./load.ts"
import { report, scale } from "./scale.ts"

/** A hash tag whose slot is `slot`, found by search. */
const tagOf = (slot: number): string => {
  for (let i = 0; i < 1_000_000; i++) if (Slot.slotOf(`t${i}`) === slot) return `t${i}`
  throw new Error(`no tag found for slot ${slot}`)
}

const client = (requestTimeout: number) =>
  Effect.gen(function* () {
    const cluster = yield* ValkeyTestCluster
    return yield* ValkeyCluster.make({ seeds: [cluster.seeds[0]!], requestTimeout })
  })

// hz 100: a WAIT no replica can satisfy ends at the server's next timer tick, not at its own
// timeout (see the killed-primary test); 10 ms here instead of the default 100 ms.
layer(ValkeyTestCluster.layer({ primaries: 3, replicasPerPrimary: 1, config: { hz: 100 } }), {
  excludeTestServices: true,
  timeout: scale(120_000, 1_200_000)
})("faults under load: cluster", (it) => {
  it.effect(`${scale(100, 300)} slots migrated while 100 callers write into them: zero errors`, () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client(2000)
      const count = scale(100, 300)
      const from = yield* cluster.slotOwner(100)
      const to = cluster.primaries.find((p) => p.address !== from.address)!
      const slots = Array.from({ length: count }, (_, i) => 100 + i)
      const tags = slots.map(tagOf)
      const load = yield* startLoad({
        callers: 100,
        prefix: "migrate",
        // Caller w's i-th write goes to one of the migrating slots, round robin; the key space
        // is bounded (one key per caller and slot, overwritten), so the slots being moved do
        // not grow without end while the migration runs. The value is the write's own name.
        key: (w, i) => `{${tags[(w + i) % count]}}:${w}|${i}`,
        write: (name) => valkey.set(name.split("|")[0]!, name)
      })
      yield* Effect.sleep("200 millis")
      const started = Date.now()
      let keysMoved = 0
      const others = cluster.primaries.filter((p) => p.id !== from.id && p.id !== to.id)
      for (const slot of slots) {
        yield* cluster.beginSlotMigration(slot, from, to)
        keysMoved += yield* cluster.moveSlotKeys(slot, from, to)
        // finishSlotMigration's own steps (SETSLOT NODE on the destination, the source, then
        // the other primaries), without its wait for the whole cluster to settle after every
        // slot: that wait runs once at the end.
        for (const node of [to, from, ...others])
          yield* node.command(["CLUSTER", "SETSLOT", String(slot), "NODE", to.id])
      }
      yield* cluster.waitForConsistency()
      const migrationMs = Date.now() - started
      yield* Effect.sleep("200 millis")
      const result = yield* load.finish("10 seconds")
      // The last acknowledged write of every key is what the key holds.
      const { keys: keysChecked, lost } = yield* lostLastWrites(result.acked, (keys) => valkey.mget(keys))
      const owners = yield* cluster.topology
      const owner = owners.find((n) => n.id === to.id)!
      report("slot migration", {
        slots: count,
        keysMoved,
        migrationMs,
        calls: result.calls,
        acknowledged: result.acked.length,
        keysChecked,
        lost: lost.length,
        failures: result.failures,
        slowestCallMs: result.slowestMs
      })
      assert.deepStrictEqual(result.failures, {})
      assert.deepStrictEqual(lost, [])
      assert.isTrue(slots.every((s) => ownsSlot(owner, s)))
      assert.isAbove(keysMoved, 0)
    })
  )

  it.effect("a primary paused for twice the request timeout: TimeoutError, then consistent again", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const timeout = 500
      const { valkey } = yield* client(timeout)
      const pauses = scale(1, 3)
      const load = yield* startLoad({ callers: 100, prefix: "pause", write: (key) => valkey.set(key, key) })
      yield* Effect.sleep("200 millis")
      const paused = cluster.primaries[2]!
      const resumedAt: Array<number> = []
      for (let p = 0; p < pauses; p++) {
        yield* paused.pause
        yield* Effect.sleep(2 * timeout).pipe(Effect.ensuring(Effect.orDie(paused.resume)))
        resumedAt.push(Date.now())
        yield* Effect.sleep("700 millis")
      }
      const result = yield* load.finish("10 seconds")
      // Every acknowledged write reads back as itself: no reply went to the wrong caller.
      const lost = yield* missing(result.acked, (keys) => valkey.mget(keys))
      const recoveries = resumedAt.map((t) => firstAckAfter(result, t))
      report("paused primary", {
        pauses,
        pauseMs: 2 * timeout,
        calls: result.calls,
        acknowledged: result.acked.length,
        lost: lost.length,
        failures: result.failures,
        slowestCallMs: result.slowestMs,
        firstAckAfterResumeMs: recoveries
      })
      assert.deepStrictEqual(Object.keys(result.failures), ["TimeoutError"])
      assert.deepStrictEqual(lost, [])
      // A timed-out call settles at its deadline (plus the timer's granularity), not later.
      assert.isAtMost(result.slowestMs, timeout + 500)
      // Nothing was failed over: the paused node is still a primary.
      assert.strictEqual((yield* cluster.topology).find((n) => n.id === paused.id)?.role, "primary")
    })
  )

  it.effect("a primary killed, its replica promoted: no confirmed write lost, writes resume", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const cycles = scale(1, 3)
      const unconfirmedLost: Array<number> = []
      const figures: Array<Record<string, unknown>> = []
      let totalChecked = 0
      for (let c = 0; c < cycles; c++) {
        const victim = yield* cluster.slotOwner(0)
        const topology = yield* cluster.topology
        const victimInfo = topology.find((n) => n.id === victim.id)!
        // SETs answered OK on the victim's shard, timed, to see when that shard serves again.
        const shardSets: Array<number> = []
        // The writers' client closes after the load (so its connections' leftovers go with it).
        const { killedAt, promoted, promotedAt, result } = yield* Effect.scoped(
          Effect.gen(function* () {
            const writers = (yield* ValkeyCluster.make({ seeds: [cluster.seeds[0]!], requestTimeout: 500 })).valkey
            // Until the victim is dead, a write is acknowledged once SET is OK and WAIT says a
            // replica has it (async replication may lose a write only its primary saw). WAIT
            // counts the writes of its connection, so both go in one batch on the key's node's
            // shared connection. A call started after the victim died is a plain SET: only
            // nodes that stay up can answer it. It must not WAIT: the promoted primary has no
            // replica, so each WAIT holds its connection until the server's next timer tick:
            // at the default hz 10 the shard answered ~10 writes a second, the callers piled up
            // there and all timed out (seen on 9.1 in CI). Batches sent before the kill and
            // re-routed to the promoted primary still WAIT there, ~10 ms each at hz 100.
            let dead = false
            const confirmed = (key: string) =>
              Effect.flatMap(
                writers.batch([Commands.commands.set(key, key), Commands.commands.wait(1, 10)], {
                  raiseOnError: true
                }),
                ([, replicas]) => (replicas >= 1 ? Effect.void : Effect.fail({ _tag: "NotReplicated" as const }))
              )
            const write = (key: string) =>
              Effect.suspend(() => (dead ? Effect.asVoid(writers.set(key, key)) : confirmed(key))).pipe(
                Effect.tap(() =>
                  Effect.sync(() => {
                    if (ownsSlot(victimInfo, Slot.slotOf(key))) shardSets.push(Date.now())
                  })
                )
              )
            const load = yield* startLoad({ callers: 100, prefix: `kill${c}`, write })
            yield* Effect.sleep("500 millis")
            const killedAt = Date.now()
            yield* cluster.kill(victim)
            dead = true
            yield* Effect.sleep("300 millis")
            const promoted = yield* cluster.failover(victim, { mode: "takeover" })
            const promotedAt = Date.now()
            // The load goes on until the shard acknowledged a write again (at most 10 s), then
            // 500 ms more. How long that took is a figure of the report, not an assertion:
            // on a loaded machine it varies with the scheduler (150-1500 ms seen in CI).
            for (let waited = 0; waited < 10_000 && !shardSets.some((t) => t >= promotedAt); waited += 50) {
              yield* Effect.sleep("50 millis")
            }
            yield* Effect.sleep("500 millis")
            return { killedAt, promoted, promotedAt, result: yield* load.finish("15 seconds") }
          })
        )
        // Read by a client of the topology after the failover (seeded away from the dead node).
        const { valkey } = yield* ValkeyCluster.make({ seeds: [promoted.address] })
        const lost = yield* missing(result.acked, (keys) => valkey.mget(keys))
        const lostUnconfirmed = yield* missing(result.unconfirmed, (keys) => valkey.mget(keys))
        unconfirmedLost.push(lostUnconfirmed.length)
        totalChecked += result.acked.length
        const recovery = shardSets.find((t) => t >= promotedAt)
        figures.push({
          calls: result.calls,
          acknowledged: result.acked.length,
          lost: lost.length,
          unconfirmed: result.unconfirmed.length,
          unconfirmedNotOnServer: lostUnconfirmed.length,
          failures: result.failures,
          slowestCallMs: result.slowestMs,
          killToPromotedMs: promotedAt - killedAt,
          firstShardSetAfterPromotionMs: recovery === undefined ? null : recovery - promotedAt,
          shardSetsAfterPromotion: shardSets.filter((t) => t >= promotedAt).length
        })
        assert.deepStrictEqual(result.defects, [], `cycle ${c}: defects`)
        assert.deepStrictEqual(lost, [], `cycle ${c}: acknowledged writes lost`)
        // One batch: its WAIT ends within its 10 ms plus the 500 ms blocking margin.
        assert.isAtMost(result.slowestMs, 500 + 10 + 500 + 800, `cycle ${c}: a call took too long`)
        assert.isDefined(recovery, `cycle ${c}: the shard acknowledged no write within 10 s of the promotion`)
        assert.strictEqual((yield* cluster.slotOwner(0)).id, promoted.id)
        for (const tag of Object.keys(result.failures))
          assert.oneOf(tag, ["ConnectionError", "TimeoutError", "NotReplicated", "ReplyError:CLUSTERDOWN"])
        // The old primary comes back as a replica of the new one (ready for the next cycle).
        yield* cluster.start(victim)
      }
      report("killed primary", { cycles, checked: totalChecked, perCycle: figures })
    })
  )
})
