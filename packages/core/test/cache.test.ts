/**
 * The client-side cache on one server: the shared correctness rules (cache-rules.ts) under
 * RESP2 and RESP3, then what only needs one mode: the bounds, TTL, `invalidate`, metrics.
 */
import { assert, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Metric } from "effect"
import { ClientCache, ValkeyStandalone } from "../src/index.ts"
import { eventually, rules } from "./cache-rules.ts"

layer(ValkeyServer.layer(), { excludeTestServices: true, timeout: 60_000 })("client-side cache, standalone", (it) => {
  const client = (config: Parameters<typeof ValkeyStandalone.make>[0] = {}) =>
    Effect.flatMap(ValkeyServer, (server) => ValkeyStandalone.make({ port: server.port, ...config }))

  rules(it, {
    client,
    everyNode: (args) => Effect.flatMap(ValkeyServer, (server) => Effect.map(server.command(args), (r) => [r]))
  })

  it.effect("LRU: past maxEntries the least recently used entry goes", () =>
    Effect.gen(function* () {
      const { cache, valkey } = yield* client({ cache: { maxEntries: 3 } })
      for (const k of ["lru:a", "lru:b", "lru:c"]) yield* valkey.get(k)
      yield* valkey.get("lru:a") // a is now the youngest: b is the oldest
      yield* valkey.get("lru:d")
      const after = yield* cache.stats
      assert.strictEqual(after.entries, 3)
      assert.strictEqual(after.evictions, 1)
      const hits = after.hits
      yield* valkey.get("lru:a")
      assert.strictEqual((yield* cache.stats).hits, hits + 1, "a stayed")
      yield* valkey.get("lru:b")
      assert.strictEqual((yield* cache.stats).hits, hits + 1, "b was evicted")
    })
  )

  it.effect("maxBytes bounds the estimated size", () =>
    Effect.gen(function* () {
      const { cache, valkey } = yield* client({ cache: { maxBytes: 4_000 } })
      // Each value is about 3,000 bytes as UTF-16: the second one pushes the first out.
      yield* valkey.mset([
        ["bytes:a", "x".repeat(1500)],
        ["bytes:b", "y".repeat(1500)]
      ])
      yield* valkey.get("bytes:a")
      yield* valkey.get("bytes:b")
      const stats = yield* cache.stats
      assert.strictEqual(stats.entries, 1)
      assert.strictEqual(stats.evictions, 1)
      assert.isAtMost(stats.bytes, 4_000)
      assert.isAbove(stats.bytes, 3_000)
    })
  )

  it.effect("TTL: an entry older than ttl is fetched again", () =>
    Effect.gen(function* () {
      const { cache, valkey } = yield* client({ cache: { ttl: "100 millis" } })
      yield* valkey.get("ttl:k")
      yield* valkey.get("ttl:k")
      assert.strictEqual((yield* cache.stats).misses, 1)
      yield* Effect.sleep("150 millis")
      yield* valkey.get("ttl:k")
      assert.strictEqual((yield* cache.stats).misses, 2)
    })
  )

  it.effect("invalidate(keys) drops every entry that read them, MGET's included", () =>
    Effect.gen(function* () {
      const { cache, valkey } = yield* client({ cache: {} })
      yield* valkey.mget(["inv:a", "inv:b"])
      yield* valkey.get("inv:b")
      yield* valkey.get("inv:c")
      assert.strictEqual((yield* cache.stats).entries, 3)
      yield* cache.invalidate(["inv:b"])
      assert.strictEqual((yield* cache.stats).entries, 1)
    })
  )

  it.effect("a read is answered by the entry of its whole line, not another line of its keys", () =>
    Effect.gen(function* () {
      const { cache, valkey } = yield* client({ cache: {} })
      yield* valkey.mset([
        ["line:a", "1"],
        ["line:b", "2"]
      ])
      yield* valkey.hset("line:h", { f: "x", g: "y" })
      assert.deepStrictEqual(yield* valkey.mget(["line:a", "line:b"]), ["1", "2"])
      // Its first key is another MGET's second: not that entry.
      assert.deepStrictEqual(yield* valkey.mget(["line:b", "line:b"]), ["2", "2"])
      assert.deepStrictEqual(yield* valkey.mget(["line:b", "line:a"]), ["2", "1"])
      // Three lines of one key, each its own entry.
      assert.strictEqual(yield* valkey.hget("line:h", "f"), "x")
      assert.strictEqual(yield* valkey.hget("line:h", "g"), "y")
      assert.deepStrictEqual(yield* valkey.hgetall("line:h"), { f: "x", g: "y" })
      const filled = yield* cache.stats
      assert.strictEqual(filled.entries, 6)
      assert.strictEqual(yield* valkey.hget("line:h", "g"), "y")
      assert.deepStrictEqual(yield* valkey.mget(["line:b", "line:a"]), ["2", "1"])
      assert.strictEqual((yield* cache.stats).hits, filled.hits + 2)
      // A write to h drops its three lines; one to b the three MGETs.
      yield* valkey.hset("line:h", { g: "z" })
      assert.strictEqual((yield* cache.stats).entries, 3)
      yield* valkey.set("line:b", "3")
      assert.strictEqual((yield* cache.stats).entries, 0)
      assert.strictEqual(yield* valkey.hget("line:h", "g"), "z")
      assert.deepStrictEqual(yield* valkey.mget(["line:a", "line:b"]), ["1", "3"])
    })
  )

  it.effect("commands: only the listed cacheable commands are cached; others and custom never", () =>
    Effect.gen(function* () {
      const { cache, valkey } = yield* client({ cache: { commands: ["HGET"] } })
      yield* valkey.get("cmd:k")
      yield* valkey.hget("cmd:h", "f")
      yield* valkey.custom(["GET", "cmd:k"])
      assert.strictEqual((yield* cache.stats).entries, 1)
    })
  )

  it.effect("a bad cache option is a ConfigError before anything is sent", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(client({ cache: { maxEntries: 0 } }))
      assert.strictEqual(error._tag, "ConfigError")
    })
  )

  it.effect("metrics: hits, misses, invalidations and entries are Effect metrics when metrics are on", () =>
    Effect.gen(function* () {
      const attributes = { client: "cache-metrics" }
      const { valkey } = yield* client({ cache: {}, metrics: { attributes } })
      const { valkey: other } = yield* client()
      yield* valkey.get("m:k")
      yield* valkey.get("m:k")
      yield* other.set("m:k", "1")
      const value = (metric: Metric.Metric<number, unknown>) =>
        Metric.value(Metric.withAttributes(metric, attributes)) as Effect.Effect<{
          readonly count?: number
          readonly value?: number
        }>
      assert.isTrue(yield* eventually(Effect.map(value(ClientCache.metrics.invalidations), (s) => s.count === 1)))
      assert.strictEqual((yield* value(ClientCache.metrics.hits)).count, 1)
      assert.strictEqual((yield* value(ClientCache.metrics.misses)).count, 1)
      assert.strictEqual((yield* value(ClientCache.metrics.entries)).value, 0)
    })
  )
})
