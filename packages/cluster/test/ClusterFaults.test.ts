import { assert, layer } from "@effect/vitest"
import { Commands } from "@effect-valkey/core"
import { connectionAttempts, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Deferred, Effect, Exit, Fiber, Ref, Result, Schedule } from "effect"
import { Slot, Topology } from "../src/index.ts"
import { client, keysInSlot } from "./support.ts"

/** 50 callers doing SET then GET of their own keys until `stop`; counts calls and errors. */
const load = (
  valkey: Effect.Success<ReturnType<typeof client>>["valkey"],
  keys: ReadonlyArray<string>,
  stop: Deferred.Deferred<void>
) =>
  Effect.gen(function* () {
    const calls = yield* Ref.make(0)
    const errors = yield* Ref.make<Array<string>>([])
    const worker = (w: number) =>
      Effect.gen(function* () {
        let i = 0
        while (!(yield* Deferred.isDone(stop))) {
          const key = keys[(w + i++ * 50) % keys.length]!
          const value = `${w}-${i}`
          const result = yield* Effect.exit(valkey.set(key, value).pipe(Effect.andThen(valkey.get(key))))
          yield* Ref.update(calls, (n) => n + 2)
          if (Exit.isFailure(result)) yield* Ref.update(errors, (e) => [...e, String(Exit.findErrorOption(result))])
          else if (result.value !== value) yield* Ref.update(errors, (e) => [...e, `lost write on ${key}`])
        }
      })
    const fiber = yield* Effect.forkChild(
      Effect.forEach(
        Array.from({ length: 50 }, (_, w) => w),
        worker,
        {
          concurrency: "unbounded",
          discard: true
        }
      )
    )
    return { fiber, calls, errors }
  })

layer(ValkeyTestCluster.layer(), { excludeTestServices: true, timeout: 180_000 })("cluster faults", (it) => {
  it.effect("a live slot migration under load: MOVED and ASK are followed with zero errors", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client()
      const slot = 1234
      const keys = keysInSlot(slot, 200)
      yield* valkey.mset(keys.map((k) => [k, "start"] as const))
      const from = yield* cluster.slotOwner(slot)
      const to = cluster.primaries.find((p) => p.address !== from.address)!
      const stop = yield* Deferred.make<void>()
      const running = yield* load(valkey, keys, stop)
      yield* Effect.sleep("200 millis")
      yield* cluster.beginSlotMigration(slot, from, to)
      yield* Effect.sleep("200 millis")
      yield* cluster.moveSlotKeys(slot, from, to)
      yield* Effect.sleep("200 millis")
      yield* cluster.finishSlotMigration(slot, from, to)
      yield* Effect.sleep("300 millis")
      yield* Deferred.succeed(stop, undefined)
      yield* Fiber.join(running.fiber)
      assert.deepStrictEqual(yield* Ref.get(running.errors), [])
      assert.isAbove(yield* Ref.get(running.calls), 1000)
      assert.strictEqual((yield* cluster.slotOwner(slot)).address, to.address)
      assert.strictEqual(yield* valkey.exists(keys), keys.length)
    })
  )

  it.effect("a manual failover under load: calls resume on the new primary, none hangs", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client({ requestTimeout: 2000 })
      const slot = 9000
      const keys = keysInSlot(slot, 100)
      const owner = yield* cluster.slotOwner(slot)
      const replica = cluster.replicas.find((r) => r.primaryId === owner.id)!
      const stop = yield* Deferred.make<void>()
      const running = yield* load(valkey, keys, stop)
      yield* Effect.sleep("200 millis")
      yield* cluster.failover(replica)
      yield* Effect.sleep("1500 millis")
      const errorsBefore = (yield* Ref.get(running.errors)).length
      const callsBefore = yield* Ref.get(running.calls)
      yield* Effect.sleep("500 millis")
      yield* Deferred.succeed(stop, undefined)
      // Every worker finishes: no call hangs past its timeout.
      yield* Fiber.join(running.fiber).pipe(Effect.timeout("10 seconds"))
      assert.isAbove((yield* Ref.get(running.calls)) - callsBefore, 100)
      // After the takeover settles, no new errors.
      assert.strictEqual((yield* Ref.get(running.errors)).length, errorsBefore)
      assert.strictEqual((yield* cluster.slotOwner(slot)).address, replica.address)
      assert.strictEqual(yield* valkey.get(keys[0]!).pipe(Effect.map((v) => v !== null)), true)
    })
  )

  it.effect("a partial failure of a split MSET is a MultiSlotError whose parts match the servers", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client({ requestTimeout: 500 })
      const keys = Array.from({ length: 300 }, (_, i) => `partial:${i}`)
      const paused = cluster.primaries[0]!
      yield* paused.pause
      const error = yield* Effect.flip(valkey.mset(keys.map((k) => [k, "v"] as const)))
      yield* paused.resume
      assert.strictEqual(error._tag, "MultiSlotError")
      if (error._tag !== "MultiSlotError") return
      const slots = new Set(keys.map((k) => Slot.slotOf(k)))
      assert.strictEqual(error.parts.length, slots.size)
      yield* Effect.sleep("300 millis")
      for (const part of error.parts) {
        const owner = yield* cluster.slotOwner(part.slot)
        const stored = yield* owner.command(["EXISTS", ...part.keys])
        if (part.outcome === "success") assert.strictEqual(stored, part.keys.length)
        else {
          assert.strictEqual(owner.address, paused.address)
          assert.strictEqual((part.error as { readonly _tag: string })._tag, "TimeoutError")
        }
      }
      assert.isTrue(error.parts.some((p) => p.outcome === "failure"))
      assert.isTrue(error.parts.some((p) => p.outcome === "success"))
    })
  )

  it.effect("refused parts of a split MSET: every part's outcome is exactly what its server holds", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      yield* Effect.forEach(
        cluster.nodes,
        (n) => n.command(["ACL", "SETUSER", "limited", "on", ">pw", "~ok:*", "+@all"]),
        { discard: true }
      )
      const { valkey } = yield* client({ username: "limited", password: "pw" })
      // Hash tags put each group in a slot of its own: a part is all allowed or all refused.
      const allowed = [1, 2, 3].flatMap((g) => [`ok:{acl${g}}:a`, `ok:{acl${g}}:b`])
      const refused = [4, 5].flatMap((g) => [`no:{acl${g}}:a`, `no:{acl${g}}:b`])
      const error = yield* Effect.flip(valkey.mset([...allowed, ...refused].map((k) => [k, "v"] as const)))
      assert.strictEqual(error._tag, "MultiSlotError")
      if (error._tag !== "MultiSlotError") return
      assert.strictEqual(error.parts.length, 5)
      for (const part of error.parts) {
        const owner = yield* cluster.slotOwner(part.slot)
        const stored = yield* owner.command(["EXISTS", ...part.keys])
        const allowedPart = part.keys.every((k) => k.startsWith("ok:"))
        assert.strictEqual(part.outcome, allowedPart ? "success" : "failure")
        assert.strictEqual(stored, allowedPart ? part.keys.length : 0)
        if (part.outcome === "failure") assert.strictEqual((part.error as { readonly _tag: string })._tag, "ReplyError")
      }
    })
  )

  it.effect("a pipeline over several nodes keeps the other nodes' results when one node's share is refused", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client({ inflightLimit: 20 })
      const [a, b] = [500, 9000]
      assert.notStrictEqual((yield* cluster.slotOwner(a)).address, (yield* cluster.slotOwner(b)).address)
      const { get, set } = Commands.strings
      // 30 commands for one node is past its connection's limit of 20: that share is refused whole.
      const many = keysInSlot(a, 30).map((k) => get(k))
      const few = keysInSlot(b, 3).map((k) => set(k, "x"))
      const results = yield* valkey.batch([...many, ...few])
      for (const r of results.slice(0, 30)) {
        assert.isTrue(Result.isFailure(r) && r.failure._tag === "InflightLimitError")
      }
      assert.deepStrictEqual(results.slice(30), [Result.succeed("OK"), Result.succeed("OK"), Result.succeed("OK")])
    })
  )

  it.effect("a redirect loop ends with a RedirectError", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client({ maxRedirects: 2 })
      const slot = 4321
      const [key] = keysInSlot(slot, 1)
      const from = yield* cluster.slotOwner(slot)
      const to = cluster.primaries.find((p) => p.address !== from.address)!
      // The owner says the slot moved, the target still says it belongs to the owner.
      yield* from.command(["CLUSTER", "SETSLOT", String(slot), "NODE", to.id])
      const error = yield* Effect.flip(valkey.get(key!))
      yield* from.command(["CLUSTER", "SETSLOT", String(slot), "NODE", from.id])
      yield* cluster.waitForConsistency()
      assert.oneOf(error._tag, ["RedirectError"])
    })
  )

  // Last in this file: it leaves a primary dead, replaced by its replica.
  it.effect("a killed primary its replica replaced is let go, not reconnected while listed as failed", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey, router } = yield* client({
        reconnect: Schedule.spaced("50 millis"),
        topologyRefresh: "300 millis"
      })
      // Not the seed: a topology refresh asks the seeds when no primary answers.
      const victim = cluster.primaries.find((p) => p.address !== cluster.seeds[0])!
      let key = "failed:0"
      for (let i = 1; (yield* cluster.slotOwner(Slot.slotOf(key))).address !== victim.address; i++) key = `failed:${i}`
      // The router's connection to the victim is open when it dies.
      yield* valkey.set(key, "before")
      yield* cluster.kill(victim)
      const listedFailed = () =>
        router
          .topology()
          .nodes()
          .some((n) => n.address === victim.address && Topology.isFailed(n))
      const replaced = () => router.topology().shardOfSlot(Slot.slotOf(key))?.primary.address !== victim.address
      // Failure detection (2 s) and the replica's election, bounded.
      for (let i = 0; i < 300 && !(replaced() && listedFailed()); i++) yield* Effect.sleep("100 millis")
      assert.isTrue(replaced(), "the replica took over")
      assert.isTrue(listedFailed(), `${victim.address} listed as failed`)
      yield* valkey.set(key, "after")
      // A quiet half second on its port, then none for 1.5 s: a client still retrying it (every
      // 50 ms) is never quiet.
      let settled = false
      for (let i = 0; i < 20 && !settled; i++) settled = (yield* connectionAttempts(victim.port, "500 millis")) === 0
      assert.isTrue(settled, `500 ms without a connection to ${victim.address}`)
      assert.strictEqual(yield* connectionAttempts(victim.port, "1500 millis"), 0, `connections to ${victim.address}`)
      assert.isTrue(listedFailed(), "still listed: the cluster has not forgotten it")
      assert.isFalse(router.connections().some((c) => c.address === victim.address))
      assert.strictEqual(yield* valkey.get(key), "after")
    })
  )

  it.effect("a transaction queued for a primary that dies is failed whole, not split over other nodes", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey, router } = yield* client({
        reconnect: Schedule.spaced("50 millis"),
        requestTimeout: "30 seconds"
      })
      // A primary with a live replica to take over, and not the seed.
      const shard = router
        .topology()
        .shards.find((s) => s.primary.address !== cluster.seeds[0] && s.replicas.some((r) => !Topology.isFailed(r)))!
      const victim = cluster.primaries.find((p) => p.address === shard.primary.address)!
      let key = "tx:0"
      for (let i = 1; (yield* cluster.slotOwner(Slot.slotOf(key))).address !== victim.address; i++) key = `tx:${i}`
      yield* valkey.set(key, "before")
      yield* cluster.kill(victim)
      // The connection has seen the loss: the transaction waits unsent for it to come back.
      for (let i = 0; i < 100 && router.connections().every((c) => c.status() === "ready"); i++) {
        yield* Effect.sleep("20 millis")
      }
      const transaction = yield* Effect.forkChild(
        valkey.batch([Commands.commands.set(key, "in tx"), Commands.commands.get(key)], { atomic: true })
      )
      const outcome = yield* Fiber.await(transaction)
      // Re-routed once its slots have a new primary: never as MULTI on one node and the rest
      // elsewhere, which would leave a shared connection inside MULTI.
      assert.isTrue(Exit.isFailure(outcome))
      const error = Exit.findErrorOption(outcome as Exit.Exit<unknown, { readonly _tag: string }>)
      assert.strictEqual(error._tag === "Some" ? error.value._tag : "none", "ConnectionError")
      for (const primary of router.topology().primaries()) {
        let probe = `probe:${primary.port}:0`
        for (let i = 1; (yield* cluster.slotOwner(Slot.slotOf(probe))).address !== primary.address; i++) {
          probe = `probe:${primary.port}:${i}`
        }
        yield* valkey.set(probe, "ok")
        assert.strictEqual(yield* valkey.get(probe), "ok", `${primary.address} answers plainly`)
      }
      assert.strictEqual(yield* valkey.get(key), "before")
    })
  )
})
