/**
 * Numbered databases in cluster mode (Valkey 9.0+ with `cluster-databases`): the client's
 * `database` is selected on every connection to every node (one that joins later too) and
 * again after reconnects; a
 * cluster that refuses it (8.x, or a number past `cluster-databases`) fails the client with a
 * ConfigError on `database`.
 */
import { assert, layer } from "@effect/vitest"
import { collectingTracer, ServerVersion, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect, Stream, Tracer } from "effect"
import { client, keysInSlot } from "./support.ts"

const on90 = ServerVersion.atLeast("9.0")

layer(
  ValkeyTestCluster.layer({
    primaries: 3,
    replicasPerPrimary: 0,
    ...(on90 ? { config: { "cluster-databases": 4 } } : {})
  }),
  { excludeTestServices: true, timeout: 120_000 }
)("numbered databases in a cluster", (it) => {
  it.effect("a database the cluster refuses fails the client with a ConfigError on database", () =>
    Effect.gen(function* () {
      // 8.x refuses any SELECT in cluster mode; 9.x refuses numbers past cluster-databases.
      const error = yield* Effect.flip(client({ database: on90 ? 4 : 1 }))
      assert.strictEqual(error._tag, "ConfigError")
      assert.isTrue(error._tag === "ConfigError" && error.field === "database")
      assert.match(error.message, /SELECT/)
    })
  )

  it.effect.skipIf(!on90)(
    `the database is selected on every node, one that joins later too, and after reconnects ${ServerVersion.needs("9.0")}`,
    () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const { valkey: db0 } = yield* client()
        const { valkey: db2, scan } = yield* client({ database: 2 })
        const keys = [...keysInSlot(100, 3), ...keysInSlot(9000, 3), ...keysInSlot(16000, 3)]
        yield* db2.mset(Object.fromEntries(keys.map((k) => [k, `in 2 ${k}`])))
        assert.deepStrictEqual(
          yield* db2.mget(keys),
          keys.map((k) => `in 2 ${k}`)
        )
        assert.deepStrictEqual(
          yield* db0.mget(keys),
          keys.map(() => null)
        )
        assert.strictEqual(yield* db2.dbsize(), keys.length)
        const scanned = yield* Stream.runCollect(scan.keys())
        assert.deepStrictEqual([...new Set(scanned)].sort(), [...keys].sort())
        // Drop every client connection: the client reconnects and selects database 2 again.
        for (const node of cluster.primaries) yield* node.command(["CLIENT", "KILL", "TYPE", "normal"])
        const again = yield* Effect.eventually(db2.mget(keys))
        assert.deepStrictEqual(
          again,
          keys.map((k) => `in 2 ${k}`)
        )
        yield* db2.set(keys[0]!, "after the reconnect")
        assert.strictEqual(yield* db0.get(keys[0]!), null)
        assert.strictEqual(yield* db2.get(keys[0]!), "after the reconnect")
        // A node that joins later: its slot's keys (in database 2) are read through a
        // connection the client opens to it then, which selects database 2 too.
        const added = yield* cluster.addNode()
        const from = yield* cluster.slotOwner(9000)
        yield* cluster.migrateSlotsAtomically([[9000, 9000]], from, added)
        const moved = keys.filter((k) => k.includes(keysInSlot(9000, 1)[0]!.split(":")[0]!))
        assert.strictEqual(moved.length, 3)
        assert.deepStrictEqual(
          yield* Effect.eventually(db2.mget(moved)),
          moved.map((k) => `in 2 ${k}`)
        )
        assert.deepStrictEqual(
          yield* db0.mget(moved),
          moved.map(() => null)
        )
        const onAdded = yield* added.command(["CLIENT", "LIST", "TYPE", "normal"])
        assert.match(String(onAdded), /db=2 /)
        yield* db2.del(keys)
      })
  )

  it.effect.skipIf(!on90)(`spans carry the database as db.namespace ${ServerVersion.needs("9.0")}`, () =>
    Effect.gen(function* () {
      const { valkey } = yield* client({ database: 3, tracing: true })
      const { spans, tracer } = collectingTracer()
      yield* Effect.provideService(valkey.set("ns:k", "v"), Tracer.Tracer, tracer)
      assert.strictEqual(spans[0]!.attributes.get("db.namespace"), "3")
    })
  )
})
