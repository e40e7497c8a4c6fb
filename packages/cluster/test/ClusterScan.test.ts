import { assert, layer } from "@effect/vitest"
import { Scan } from "@effect-valkey/core"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect, Fiber, Stream } from "effect"
import { ClusterScan, Slot, ValkeyCluster } from "../src/index.ts"

const TOTAL = 100_000
const keyOf = (i: number) => `scan:${i}`

const setup = Effect.gen(function* () {
  const cluster = yield* ValkeyTestCluster
  const client = yield* ValkeyCluster.make({ seeds: [cluster.seeds[0]!] })
  return { cluster, ...client }
})

const fill = Effect.gen(function* () {
  const { valkey } = yield* setup
  for (let start = 0; start < TOTAL; start += 5000) {
    yield* valkey.mset(Array.from({ length: 5000 }, (_, i) => [keyOf(start + i), "v"] as const))
  }
})

const expectAll = (found: ReadonlyArray<string>) => {
  const seen = new Set(found)
  const missing: Array<string> = []
  for (let i = 0; i < TOTAL; i++) if (!seen.has(keyOf(i))) missing.push(keyOf(i))
  assert.deepStrictEqual(missing.slice(0, 10), [], `${missing.length} keys missed`)
}

layer(ValkeyTestCluster.layer(), { excludeTestServices: true, timeout: 300_000 })("cluster scan", (it) => {
  it.effect("100,000 keys over 3 shards: the keys returned are exactly the keys", () =>
    Effect.gen(function* () {
      yield* fill
      const { scan } = yield* setup
      const found = yield* scan.keys({ match: "scan:*", count: 500 }).pipe(Stream.runCollect)
      expectAll(found)
      assert.strictEqual(new Set(found).size, TOTAL)
    })
  )

  it.effect(
    "the same while 200 slots migrate between primaries during the scan",
    () =>
      Effect.gen(function* () {
        const { cluster, scan } = yield* setup
        // Slots that hold test keys, spread over the three shards.
        const slots = [...new Set(Array.from({ length: TOTAL }, (_, i) => Slot.slotOf(keyOf(i))))].slice(0, 200)
        let migrated = 0
        const migrations = yield* Effect.forkChild(
          Effect.forEach(
            slots,
            (slot, i) =>
              Effect.gen(function* () {
                const from = yield* cluster.slotOwner(slot)
                const others = cluster.primaries.filter((p) => p.address !== from.address)
                const to = others[i % others.length]!
                yield* cluster.beginSlotMigration(slot, from, to)
                yield* cluster.moveSlotKeys(slot, from, to)
                yield* cluster.finishSlotMigration(slot, from, to)
                migrated++
              }),
            { discard: true }
          )
        )
        // The consumer keeps pace with the migrations (chunk n waits for n × 200 / 400 of them),
        // so they are spread over the scan however fast either side runs. If the migrations end
        // early (a failed step), it stops waiting: Fiber.join below then reports that failure.
        let chunks = 0
        const migrationsEnded = () => migrations.pollUnsafe() !== undefined
        const found = yield* scan.keys({ match: "scan:*", count: 50 }).pipe(
          Stream.rechunk(200),
          Stream.mapArrayEffect((chunk) => {
            const wanted = Math.min(slots.length, Math.floor((++chunks * slots.length) / 400))
            const caughtUp = Effect.sleep("5 millis").pipe(
              Effect.repeat({ until: () => migrated >= wanted || migrationsEnded() })
            )
            return Effect.as(migrated >= wanted ? Effect.void : caughtUp, chunk)
          }),
          Stream.runCollect
        )
        const duringScan = migrated
        yield* Fiber.join(migrations)
        yield* cluster.waitForConsistency()
        expectAll(found)
        assert.isAbove(duringScan, 100, "most of the 200 migrations happened while the scan ran")
      }),
    120_000
  )

  it.effect("the same while a shard fails over during the scan", () =>
    Effect.gen(function* () {
      const { cluster, scan } = yield* setup
      const replica = cluster.replicas[0]!
      const failover = yield* Effect.forkChild(
        Effect.sleep("300 millis").pipe(Effect.andThen(cluster.failover(replica)))
      )
      const found = yield* scan.keys({ match: "scan:*", count: 50 }).pipe(
        Stream.rechunk(500),
        Stream.mapArrayEffect((chunk) => Effect.as(Effect.sleep("5 millis"), chunk)),
        Stream.runCollect
      )
      yield* Fiber.join(failover)
      expectAll(found)
    })
  )

  it.effect("MATCH, COUNT and TYPE filters", () =>
    Effect.gen(function* () {
      const { scan, valkey } = yield* setup
      yield* valkey.hset("typed:hash:{a}", { f: "1" })
      yield* valkey.hset("typed:hash:{b}", { f: "1" })
      yield* valkey.set("typed:string", "1")
      const hashes = yield* scan.keys({ match: "typed:*", type: "hash", count: 1000 }).pipe(Stream.runCollect)
      assert.deepStrictEqual([...new Set(hashes)].sort(), ["typed:hash:{a}", "typed:hash:{b}"])
      const some = yield* scan.keys({ match: "scan:1234*" }).pipe(Stream.runCollect)
      assert.deepStrictEqual(
        [...new Set(some)].sort(),
        Array.from({ length: TOTAL }, (_, i) => keyOf(i))
          .filter((k) => k.startsWith("scan:1234"))
          .sort()
      )
      // COUNT reaches the servers: the first pages hold about that many keys each.
      const { router } = yield* setup
      const pageSizes = (count: number) =>
        Effect.gen(function* () {
          const sizes: Array<number> = []
          let cursor: ClusterScan.ClusterScanCursor | undefined = ClusterScan.start
          while (cursor !== undefined && sizes.length < 30) {
            const [items, next]: readonly [ReadonlyArray<string>, ClusterScan.ClusterScanCursor | undefined] =
              yield* ClusterScan.step(router, cursor, { match: "scan:*", count })
            if (items.length > 0) sizes.push(items.length)
            cursor = next
          }
          return sizes
        })
      const small = yield* pageSizes(10)
      const large = yield* pageSizes(2000)
      assert.isAtMost(Math.max(...small), 40)
      assert.isAtLeast(large.reduce((a, b) => a + b, 0) / large.length, 500)
    })
  )

  it.effect("paging by hand with the cursor value gives the same keys", () =>
    Effect.gen(function* () {
      const { router } = yield* setup
      const found: Array<string> = []
      let cursor: ClusterScan.ClusterScanCursor | undefined = ClusterScan.start
      let steps = 0
      while (cursor !== undefined) {
        const [items, next]: readonly [ReadonlyArray<string>, ClusterScan.ClusterScanCursor | undefined] =
          yield* ClusterScan.step(router, cursor, { match: "scan:*", count: 1000 })
        found.push(...items)
        cursor = next
        steps++
      }
      expectAll(found)
      assert.isAbove(steps, 3)
    })
  )

  it.effect("interrupting a scan part-way leaves nothing behind", () =>
    Effect.gen(function* () {
      const { cluster, scan } = yield* setup
      const clients = () =>
        Effect.map(
          Effect.forEach(cluster.nodes, (n) => n.command(["CLIENT", "LIST"])),
          (lists) =>
            lists
              .map(
                (l) =>
                  String(l)
                    .split("\n")
                    .filter((x) => x.includes("cmd=")).length
              )
              .reduce((a, b) => a + b, 0)
        )
      // A first complete scan opens the client's connection to every primary.
      yield* scan.keys({ match: "none:*", count: 1000 }).pipe(Stream.runDrain)
      const before = yield* clients()
      const fiber = yield* Effect.forkChild(scan.keys({ count: 10 }).pipe(Stream.runDrain))
      yield* Effect.sleep("50 millis")
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(yield* clients(), before)
      const first = yield* scan.keys({ match: "scan:*", count: 100 }).pipe(Stream.take(5), Stream.runCollect)
      assert.strictEqual(first.length, 5)
    })
  )

  it.effect("the Scan service of ValkeyCluster.layer is the cluster-wide scan", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const pipeline = Effect.gen(function* () {
        const scan = yield* Scan
        return yield* scan.keys({ match: "scan:*", count: 1000 }).pipe(Stream.runCollect)
      })
      const found = yield* pipeline.pipe(Effect.provide(ValkeyCluster.layer({ seeds: [cluster.seeds[0]!] })))
      expectAll(found)
    })
  )

  it.effect("a slot without an owner fails the scan with UncoveredSlotsError, unless allowed", () =>
    Effect.gen(function* () {
      const { cluster, scan } = yield* setup
      const slot = Slot.slotOf(keyOf(0))
      const owner = yield* cluster.slotOwner(slot)
      // Every node forgets the slot's owner, so no view of the cluster covers it.
      const forget = Effect.forEach(cluster.nodes, (n) => n.command(["CLUSTER", "DELSLOTS", String(slot)]), {
        discard: true
      })
      const restore = owner
        .command(["CLUSTER", "ADDSLOTS", String(slot)])
        .pipe(Effect.andThen(cluster.waitForConsistency()), Effect.orDie)
      yield* Effect.ensuring(
        Effect.gen(function* () {
          yield* forget
          const error = yield* Effect.flip(scan.keys({ match: "scan:*", count: 1000 }).pipe(Stream.runDrain))
          assert.strictEqual(error._tag, "UncoveredSlotsError")
          const found = yield* scan
            .keys({ match: "scan:*", count: 1000, allowUncoveredSlots: true })
            .pipe(Stream.runCollect)
          assert.isAbove(new Set(found).size, TOTAL - 100)
        }),
        restore
      )
    })
  )

  it.effect(
    "a slot left in migration ends the scan with UncoveredSlotsError after bounded passes, unless allowed",
    () =>
      Effect.gen(function* () {
        const { cluster, scan } = yield* setup
        const slot = String(Slot.slotOf(keyOf(1)))
        const owner = yield* cluster.slotOwner(Number(slot))
        const target = cluster.primaries.find((p) => p.address !== owner.address)!
        const targetId = String(yield* target.command(["CLUSTER", "MYID"]))
        // An aborted reshard: the marker stays, so no pass can count the slot.
        const restore = owner.command(["CLUSTER", "SETSLOT", slot, "STABLE"]).pipe(Effect.orDie)
        yield* Effect.ensuring(
          Effect.gen(function* () {
            yield* owner.command(["CLUSTER", "SETSLOT", slot, "MIGRATING", targetId])
            const error = yield* Effect.flip(scan.keys({ match: "scan:*", count: 1000 }).pipe(Stream.runDrain))
            assert.strictEqual(error._tag, "UncoveredSlotsError")
            assert.include(error.message, "migration")
            // Allowed: the scan ends; the slot's keys were on the node every pass scanned.
            const found = yield* scan
              .keys({ match: "scan:*", count: 1000, allowUncoveredSlots: true })
              .pipe(Stream.runCollect)
            expectAll(found)
          }),
          restore
        )
      })
  )
})
