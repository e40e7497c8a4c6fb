/**
 * The Sentinel client against a real topology (primary, 1 replica, 3 sentinels): discovery,
 * following a SENTINEL FAILOVER, a credentials provider and its refresh, and the typed errors
 * of a wrong name or dead sentinels.
 */
import { assert, expect, layer } from "@effect/vitest"
import { collectingTracer, freePort, ValkeyTestSentinel } from "@effect-valkey/testkit"
import { Config, ConfigProvider, Effect, Exit, Fiber, Layer, Redacted, Schedule, Tracer } from "effect"
import { Command, Reply, Valkey, ValkeySentinel } from "../src/index.ts"
import { eventually, roleOf } from "./support.ts"

// Real clock: the client checks the sentinels periodically.
layer(ValkeyTestSentinel.layer({ replicas: 1 }), { excludeTestServices: true, timeout: "90 seconds" })(
  "ValkeySentinel",
  (it) => {
    it.effect("finds the primary through the sentinels and serves Valkey on it", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const primary = yield* topology.awaitPrimary()
        const { sentinel, valkey } = yield* ValkeySentinel.make({
          sentinels: topology.sentinelAddresses,
          name: topology.name
        })
        expect(sentinel.primary().address).toBe(primary.address)
        yield* valkey.set("sentinel:k", "v")
        expect(yield* valkey.get("sentinel:k")).toBe("v")
        const role = yield* valkey.custom(["ROLE"])
        assert.isTrue(Array.isArray(role) && role[0] === "master")
      }).pipe(Effect.scoped)
    )

    it.effect("accepts sentinels as host:port strings and skips a dead one", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const dead = yield* freePort
        const { sentinel } = yield* ValkeySentinel.make({
          sentinels: [`127.0.0.1:${dead}`, ...topology.sentinelAddresses.map((s) => `${s.host}:${s.port}`)],
          name: topology.name,
          connectTimeout: "500 millis"
        })
        expect(sentinel.primary().address).toBe((yield* topology.awaitPrimary()).address)
      }).pipe(Effect.scoped)
    )

    it.effect("a name no sentinel knows is a PrimaryNotFoundError naming what each said", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const error = yield* Effect.flip(ValkeySentinel.make({ sentinels: topology.sentinelAddresses, name: "nobody" }))
        expect(error._tag).toBe("PrimaryNotFoundError")
        assert.isTrue(error._tag === "PrimaryNotFoundError" && error.sentinels.length === 3)
        expect(error.message).toContain('does not know "nobody"')
      }).pipe(Effect.scoped)
    )

    it.effect("no sentinel answering is a SentinelUnavailableError; secrets stay out of it", () =>
      Effect.gen(function* () {
        const ports = [yield* freePort, yield* freePort]
        const error = yield* Effect.flip(
          ValkeySentinel.make({
            sentinels: ports.map((port) => ({ host: "127.0.0.1", port })),
            name: "primary",
            password: Redacted.make("data-secret"),
            sentinel: { password: Redacted.make("sentinel-secret") },
            connectTimeout: "500 millis"
          })
        )
        expect(error._tag).toBe("SentinelUnavailableError")
        expect(error.message).not.toContain("secret")
        expect(error.message).toContain(`127.0.0.1:${ports[0]}`)
      }).pipe(Effect.scoped)
    )

    it.effect("layerConfig reads the sentinels, the name and the data nodes' fields from Effect Config", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const env = ConfigProvider.layer(
          ConfigProvider.fromEnv({
            env: {
              VALKEY_SENTINELS: topology.sentinelAddresses.map((s) => `${s.host}:${s.port}`).join(", "),
              VALKEY_SENTINEL_NAME: topology.name,
              VALKEY_CLIENT_NAME: "via-sentinel"
            }
          })
        )
        const name = yield* Valkey.use((v) => v.clientGetName()).pipe(
          Effect.provide(
            ValkeySentinel.layerConfig(ValkeySentinel.config.pipe(Config.nested("VALKEY"))).pipe(Layer.provide(env))
          )
        )
        expect(name).toBe("via-sentinel")
      })
    )

    it.effect("bad settings are ConfigErrors before any socket", () =>
      Effect.gen(function* () {
        const noSentinels = yield* Effect.exit(ValkeySentinel.make({ sentinels: [], name: "primary" }))
        const badAddress = yield* Effect.exit(ValkeySentinel.make({ sentinels: ["nowhere"], name: "primary" }))
        const badCache = yield* Effect.exit(
          ValkeySentinel.make({ sentinels: ["127.0.0.1:1"], name: "primary", cache: { maxEntries: 0 } })
        )
        expect(Exit.isFailure(badCache) && String(badCache.cause)).toContain("maxEntries")
        for (const exit of [noSentinels, badAddress, badCache]) {
          assert.isTrue(Exit.isFailure(exit))
          expect(Exit.isFailure(exit) && String(exit.cause)).toContain("ConfigError")
        }
      }).pipe(Effect.scoped)
    )

    it.effect("readFrom preferReplica: read-only commands go to a replica, the rest to the primary", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const { valkey } = yield* ValkeySentinel.make({
          sentinels: topology.sentinelAddresses,
          name: topology.name,
          readFrom: "preferReplica"
        })
        const role = (readonly: boolean) => roleOf(valkey, readonly)
        expect(yield* role(false)).toBe("master")
        expect(yield* role(true)).toBe("slave")
        yield* valkey.set("sentinel:read", "r")
        expect(yield* valkey.wait(1, 1000)).toBeGreaterThanOrEqual(1)
        expect(yield* valkey.get("sentinel:read")).toBe("r")
        const bad = yield* Effect.flip(
          ValkeySentinel.make({
            sentinels: topology.sentinelAddresses,
            name: topology.name,
            readFrom: "nearest" as "primary"
          })
        )
        expect(bad._tag).toBe("ConfigError")
      }).pipe(Effect.scoped)
    )

    it.effect(
      "readFrom preferReplica: spans name the node; a replica answering LOADING leaves the read to the primary",
      () =>
        Effect.gen(function* () {
          const topology = yield* ValkeyTestSentinel
          const primary = yield* topology.awaitPrimary()
          const replica = topology.nodes.find((node) => node.address !== primary.address)!
          const { valkey } = yield* ValkeySentinel.make({
            sentinels: topology.sentinelAddresses,
            name: topology.name,
            readFrom: "preferReplica",
            tracing: true
          })
          const role = roleOf(valkey, true)
          yield* eventually(Effect.exit(role), (exit) => Exit.isSuccess(exit) && exit.value === "slave", "a replica")
          // Enough keys for a reload of about a second (250 µs a key), as in loading.test.ts.
          yield* valkey.mset(Array.from({ length: 4000 }, (_, i) => [`sentinel:load:${i}`, "v"] as const))
          expect(yield* valkey.wait(1, 5000)).toBeGreaterThanOrEqual(1)
          const { spans, tracer } = collectingTracer()
          yield* Effect.provideService(
            Effect.andThen(valkey.set("sentinel:load:0", "w"), valkey.get("sentinel:load:1")),
            Tracer.Tracer,
            tracer
          )
          expect(spans.map((span) => [span.name, span.attributes.get("server.port")])).toEqual([
            ["SET", primary.port],
            ["GET", replica.port]
          ])
          yield* replica.command(["CONFIG", "SET", "key-load-delay", "250"])
          yield* replica.command(["CONFIG", "SET", "loading-process-events-interval-bytes", "1024"])
          yield* Effect.addFinalizer(() => Effect.ignore(replica.command(["CONFIG", "SET", "key-load-delay", "0"])))
          const reload = yield* Effect.forkChild(replica.command(["DEBUG", "RELOAD"], { timeout: "30 seconds" }))
          yield* eventually(
            replica.command(["INFO", "persistence"]),
            (info) => String(info).includes("loading:1"),
            "the replica to load",
            5
          )
          // The replica answers LOADING without retrying (it may be loading a full sync).
          expect(yield* valkey.get("sentinel:load:2")).toBe("v")
          yield* Fiber.join(reload)
        }).pipe(Effect.scoped)
    )

    it.effect("its Router refuses connection-state commands, replica reads and tracing on too", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const { router, valkey } = yield* ValkeySentinel.make({
          sentinels: topology.sentinelAddresses,
          name: topology.name,
          readFrom: "preferReplica",
          tracing: true
        })
        for (const line of [["SELECT", "1"], ["MULTI"], ["SUBSCRIBE", "ch"]]) {
          const error = yield* Effect.flip(router.run(Command.make(line, Reply.raw)))
          expect(error._tag).toBe("InvalidArgumentError")
        }
        yield* valkey.set("sentinel:guard", "1")
        expect(yield* router.run(Command.make(["GET", "sentinel:guard"], Reply.raw, { keys: 1 }))).toBe("1")
      }).pipe(Effect.scoped)
    )

    it.effect("readFrom preferReplica after a failover: reads find a replica again, writes the new primary", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const before = yield* topology.awaitPrimary()
        const { sentinel, valkey } = yield* ValkeySentinel.make({
          sentinels: topology.sentinelAddresses,
          name: topology.name,
          readFrom: "preferReplica",
          checkInterval: "200 millis"
        })
        const reader = (readonly: boolean) => roleOf(valkey, readonly)
        yield* topology.failover
        const after = yield* topology.awaitPrimary({ not: before.address })
        yield* eventually(Effect.sync(sentinel.primary), (p) => p.address === after.address, "the client to move")
        yield* eventually(reader(false).pipe(Effect.exit), (e) => Exit.isSuccess(e) && e.value === "master", "writes")
        // The old primary becomes a replica of the new one; reads go there once the sentinels
        // see it linked (their INFO refresh of replicas is every 10 s).
        // The same Effect value, run again and again: the replica is chosen when it runs.
        yield* eventually(reader(true).pipe(Effect.exit), (e) => Exit.isSuccess(e) && e.value === "slave", "reads")
      }).pipe(Effect.scoped)
    )

    it.effect("a credentials provider and its refresh reach the primary's and the replica's connections", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        yield* topology.awaitPrimary()
        const onAll = (args: ReadonlyArray<string>) =>
          Effect.forEach(topology.nodes, (node) => node.command(args), { discard: true })
        const authCalls = Effect.forEach(topology.nodes, (node) =>
          Effect.map(node.command(["INFO", "commandstats"]), (info) =>
            Number(/cmdstat_auth:calls=(\d+)/.exec(String(info))?.[1] ?? 0)
          )
        )
        yield* onAll(["ACL", "SETUSER", "sprov", "on", ">s-0", "~*", "&*", "+@all"])
        let secret = "s-0"
        const { valkey } = yield* ValkeySentinel.make({
          sentinels: topology.sentinelAddresses,
          name: topology.name,
          readFrom: "preferReplica",
          credentials: Effect.sync(() => ({ username: "sprov", password: Redacted.make(secret) })),
          credentialsRefresh: Schedule.spaced("50 millis")
        })
        yield* valkey.set("sentinel:cred", "v")
        yield* eventually(valkey.get("sentinel:cred"), (v) => v === "v", "the replica has the write")
        const before = yield* authCalls
        yield* onAll(["ACL", "SETUSER", "sprov", ">s-1"])
        secret = "s-1"
        // The refresh sends AUTH on the primary's connection and on the replica's.
        yield* eventually(authCalls, (now) => now.every((calls, i) => calls > before[i]!), "AUTH on every data node")
        yield* onAll(["ACL", "SETUSER", "sprov", "<s-0"])
        yield* onAll(["CLIENT", "KILL", "USER", "sprov"])
        // Reconnected with the new secret: the write goes to the primary, the read to the replica.
        yield* eventually(Effect.exit(valkey.set("sentinel:cred", "w")), Exit.isSuccess, "a write after the kill")
        yield* eventually(
          Effect.exit(valkey.get("sentinel:cred")),
          (read) => Exit.isSuccess(read) && read.value === "w",
          "a read after the kill"
        )
      }).pipe(Effect.scoped)
    )

    it.effect("follows SENTINEL FAILOVER: later calls go to the new primary", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const before = yield* topology.awaitPrimary()
        const { sentinel, valkey } = yield* ValkeySentinel.make({
          sentinels: topology.sentinelAddresses,
          name: topology.name
        })
        const moves: Array<ValkeySentinel.Switch> = []
        yield* sentinel.onSwitch((change) => moves.push(change))
        yield* valkey.set("sentinel:before", "1")
        // A forced failover promotes a replica with what it has: wait until the write reached
        // every replica (read on the replicas themselves).
        for (const node of topology.nodes.filter((n) => n.address !== before.address)) {
          yield* eventually(
            node.command(["GET", "sentinel:before"]),
            (value) => value === "1",
            "the write to replicate"
          )
        }
        yield* topology.failover
        const after = yield* topology.awaitPrimary({ not: before.address })
        yield* eventually(Effect.sync(sentinel.primary), (p) => p.address === after.address, "the client to move")
        // Calls right after the move may still meet the old socket closing; they settle quickly
        yield* eventually(
          valkey.set("sentinel:after", "2").pipe(Effect.exit),
          (exit) => Exit.isSuccess(exit),
          "a write to succeed on the new primary"
        )
        expect(yield* valkey.get("sentinel:before")).toBe("1")
        expect(yield* after.command(["GET", "sentinel:after"])).toBe("2")
        expect(moves.map((m) => m.to.address)).toEqual([after.address])
        yield* Effect.logInfo(`moved via ${moves[0]!.via}`)
      }).pipe(Effect.scoped)
    )
  }
)
