/**
 * The client-side cache on a Sentinel client, against a real topology (primary, 1 replica, 3
 * sentinels), under RESP2 and RESP3: reads cached from the replica (`readFrom:
 * "preferReplica"`) are invalidated by the writes it replicates; a failover empties the
 * cache, and tracking (with RESP2 its invalidation connection) starts again on the new
 * primary, so a write there from another client is seen; a replica the client lets go takes
 * the reads it cached with it.
 */
import { expect, layer } from "@effect/vitest"
import { ValkeyTestSentinel } from "@effect-valkey/testkit"
import { Effect, Exit } from "effect"
import { ValkeySentinel } from "../src/index.ts"
import { eventually, roleOf } from "./support.ts"

/** This client's connections of `type` on `node`, found by client name. */
const connectionsNamed = (
  node: { readonly command: (args: ReadonlyArray<string>) => Effect.Effect<unknown, unknown> },
  name: string,
  type: "normal" | "pubsub"
) =>
  Effect.map(
    node.command(["CLIENT", "LIST", "TYPE", type]),
    (list) =>
      String(list)
        .split("\n")
        .filter((line) => line.includes(` name=${name} `)).length
  )

// Real clock: the client checks the sentinels periodically.
layer(ValkeyTestSentinel.layer({ replicas: 1 }), { excludeTestServices: true, timeout: "90 seconds" })(
  "ValkeySentinel with cache",
  (it) => {
    for (const protocol of [3, 2] as const) {
      it.effect(`RESP${protocol}: reads cached from the replica go when it replicates a write`, () =>
        Effect.gen(function* () {
          const topology = yield* ValkeyTestSentinel
          const primary = yield* topology.awaitPrimary()
          const { cache, valkey } = yield* ValkeySentinel.make({
            sentinels: topology.sentinelAddresses,
            name: topology.name,
            protocol,
            readFrom: "preferReplica",
            cache: { maxEntries: 100 }
          })
          const role = roleOf(valkey, true)
          expect(yield* role).toBe("slave")
          const key = `sc${protocol}:replica`
          yield* valkey.set(key, "a")
          expect(yield* valkey.wait(1, 1000)).toBeGreaterThanOrEqual(1)
          expect(yield* valkey.get(key)).toBe("a")
          const before = yield* cache.stats
          expect(yield* valkey.get(key)).toBe("a")
          expect((yield* cache.stats).hits).toBe(before.hits + 1)
          // Another client writes on the primary; the replica applies it and tells this client.
          yield* primary.command(["SET", key, "b"])
          yield* eventually(valkey.get(key), (value) => value === "b", "the replica's invalidation", 5)
          expect((yield* cache.stats).invalidations).toBeGreaterThan(before.invalidations)
        }).pipe(Effect.scoped)
      )
    }

    for (const protocol of [3, 2] as const) {
      it.effect(`RESP${protocol}: a failover empties the cache and tracking follows to the new primary`, () =>
        Effect.gen(function* () {
          const topology = yield* ValkeyTestSentinel
          const before = yield* topology.awaitPrimary()
          const clientName = `sentinel-cache-${protocol}`
          const { cache, sentinel, valkey } = yield* ValkeySentinel.make({
            sentinels: topology.sentinelAddresses,
            name: topology.name,
            protocol,
            clientName,
            checkInterval: "200 millis",
            cache: { maxEntries: 100 }
          })
          const key = `sc${protocol}:failover`
          yield* valkey.set(key, "1")
          expect(yield* valkey.get(key)).toBe("1")
          yield* before.command(["SET", key, "2"])
          yield* eventually(valkey.get(key), (value) => value === "2", "the primary's invalidation", 5)
          expect((yield* cache.stats).entries).toBe(1)
          if (protocol === 2) expect(yield* connectionsNamed(before, clientName, "pubsub")).toBe(1)
          // A forced failover promotes a replica with what it has: wait until it has the write.
          for (const node of topology.nodes.filter((n) => n.address !== before.address)) {
            yield* eventually(node.command(["GET", key]), (value) => value === "2", "the write to replicate")
          }
          // The sentinels refresh what they know of a replica every 10 s: one that was primary
          // a moment ago may not be promotable yet (NOGOODSLAVE).
          yield* eventually(Effect.exit(topology.failover), Exit.isSuccess, "a failover to start")
          const after = yield* topology.awaitPrimary({ not: before.address })
          yield* eventually(Effect.sync(sentinel.primary), (p) => p.address === after.address, "the client to move")
          // The move dropped what the old primary's invalidations would have kept fresh.
          expect((yield* cache.stats).entries).toBe(0)
          // Calls right after the move may still meet the old socket closing.
          yield* eventually(
            Effect.exit(valkey.get(key)),
            (exit) => Exit.isSuccess(exit) && exit.value === "2",
            "a read"
          )
          const hits = (yield* cache.stats).hits
          expect(yield* valkey.get(key)).toBe("2")
          expect((yield* cache.stats).hits).toBe(hits + 1)
          // Tracked on the new primary: another client's write there reaches this cache.
          yield* after.command(["SET", key, "3"])
          yield* eventually(valkey.get(key), (value) => value === "3", "the new primary's invalidation", 5)
          if (protocol === 2) {
            // The invalidation connection moved too: one on the new primary, none left on the old.
            expect(yield* connectionsNamed(after, clientName, "pubsub")).toBe(1)
            yield* eventually(connectionsNamed(before, clientName, "pubsub"), (n) => n === 0, "the old one to close", 5)
          }
        }).pipe(Effect.scoped)
      )
    }

    it.effect("a replica the client lets go takes the reads it cached with it", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const primary = yield* topology.awaitPrimary()
        const replica = topology.nodes.find((node) => node.address !== primary.address)!
        const { cache, router, valkey } = yield* ValkeySentinel.make({
          sentinels: topology.sentinelAddresses,
          name: topology.name,
          readFrom: "preferReplica",
          checkInterval: "200 millis",
          cache: { maxEntries: 100 }
        })
        const role = roleOf(valkey, true)
        // After a failover the sentinels list the old primary as a replica within ~10 s.
        yield* eventually(Effect.exit(role), (exit) => Exit.isSuccess(exit) && exit.value === "slave", "a replica")
        const key = "sc:let-go"
        yield* valkey.set(key, "a")
        expect(yield* valkey.wait(1, 1000)).toBeGreaterThanOrEqual(1)
        expect(yield* valkey.get(key)).toBe("a")
        expect((yield* cache.stats).entries).toBe(1)
        // Paused, the replica leaves the sentinels' healthy list and the client closes its
        // connection: no invalidation comes from there any more. Nothing is sent to it
        // meanwhile, so no request timeout or lost socket empties the cache instead.
        yield* Effect.acquireRelease(replica.pause, () => Effect.ignore(replica.resume))
        yield* eventually(
          Effect.sync(router.connections),
          (connections) => connections.every((c) => c.address !== replica.address),
          "the client to let the replica go"
        )
        expect((yield* cache.stats).entries).toBe(0)
        yield* primary.command(["SET", key, "b"])
        expect(yield* valkey.get(key)).toBe("b")
      }).pipe(Effect.scoped)
    )
  }
)
