/**
 * The smoke program of scripts/pack-check.sh. It runs in a fresh project where only the packed
 * tarballs, `effect` and `@effect/platform-node` are installed, with plain `node` (Node's own
 * type stripping; no `source` condition), so every import resolves to a package's built
 * `dist/` exactly as it does for a user. The code is written the way the package READMEs show.
 * Each step asserts its value; any wrong value, error or defect exits non-zero.
 *
 * VALKEY_JSON_MODULE: path of the valkey-json module; the JSON step is skipped without it.
 */

import assert from "node:assert/strict"
import { existsSync } from "node:fs"
import { NodeRuntime } from "@effect/platform-node"
import { IamAuth } from "@effect-valkey/aws-iam"
import { ValkeyCluster } from "@effect-valkey/cluster"
import { Scan, Valkey, ValkeyStandalone } from "@effect-valkey/core"
import { Json } from "@effect-valkey/json"
import { ValkeyRedis } from "@effect-valkey/persistence"
import { PubSub } from "@effect-valkey/pubsub"
import { Search } from "@effect-valkey/search"
import { ValkeyServer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Console, Effect, Layer, Redacted, Schema, Stream } from "effect"
import { RateLimiter } from "effect/persistence"

/** Asserts `actual` deep-equals `expected`, then prints the step and its value. */
const check = <A>(step: string, actual: A, expected: A) =>
  Effect.sync(() => assert.deepStrictEqual(actual, expected, step)).pipe(
    Effect.andThen(Console.log(`ok    ${step}: ${JSON.stringify(actual)}`))
  )

const standalone = Effect.gen(function* () {
  const server = yield* ValkeyServer.make()
  const config = { url: server.url }
  const Live = PubSub.layer().pipe(Layer.provideMerge(ValkeyStandalone.layer(config)))
  yield* Effect.gen(function* () {
    const valkey = yield* Valkey
    yield* check("typed SET", yield* valkey.set("greeting", "hello"), "OK")
    yield* check("typed GET", yield* valkey.get("greeting"), "hello")
    yield* check("typed INCRBY", yield* valkey.incrBy("counter", 41), 41)
    yield* check(
      "typed HSET/HGETALL",
      yield* valkey.hset("user:1", { name: "Ada" }).pipe(Effect.andThen(valkey.hgetall("user:1"))),
      { name: "Ada" }
    )
    const length = yield* valkey.custom(["STRLEN", "greeting"], { schema: Schema.Number })
    yield* check("custom STRLEN with Schema.Number", length, 5)

    const pubsub = yield* PubSub.PubSub
    const news = yield* pubsub.subscription("channel", "news")
    yield* check("PUBLISH reaches the subscriber", yield* pubsub.publish("news", "hello"), 1)
    const message = yield* news.take
    yield* check("subscription receives the message", [message.channel, message.payload], ["news", "hello"])
  }).pipe(Effect.provide(Live))
})

// The IAM token is a credentials provider's password: here an ACL user's, as AWS would check it.
const iam = Effect.gen(function* () {
  const server = yield* ValkeyServer.make()
  const options = { cacheName: "smoke-cache", userId: "smoke", region: "eu-west-1" }
  const aws = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: Redacted.make("smoke-secret") }
  const token = IamAuth.token(options, aws, new Date(0))
  yield* check("IAM token shape", Redacted.value(token).startsWith("smoke-cache/?Action=connect&User=smoke&"), true)
  yield* server.command(["ACL", "SETUSER", "smoke", "on", `>${Redacted.value(token)}`, "+ping"])
  const credentials = Effect.succeed({ username: "smoke", password: token })
  const ping = Effect.gen(function* () {
    const valkey = yield* Valkey
    return yield* valkey.ping()
  })
  const pong = yield* ping.pipe(Effect.provide(ValkeyStandalone.layer({ url: server.url, credentials })))
  yield* check("PING with a credentials provider", pong, "PONG")
})

// As the persistence README shows it: Effect's RateLimiter on Effect's Redis, served by this client.
const persistence = Effect.gen(function* () {
  const server = yield* ValkeyServer.make()
  const Live = RateLimiter.layer.pipe(
    Layer.provide(RateLimiter.layerStoreRedis()),
    Layer.provideMerge(ValkeyRedis.layerStandalone({ url: server.url }))
  )
  yield* Effect.gen(function* () {
    const limiter = yield* RateLimiter.RateLimiter
    const consume = { key: "login:ada", limit: 2, window: "1 minute", onExceeded: "fail" } as const
    const first = yield* limiter.consume(consume)
    const second = yield* limiter.consume(consume)
    const refused = yield* Effect.flip(limiter.consume(consume))
    yield* check(
      "Effect's RateLimiter on ValkeyRedis",
      [first.remaining, second.remaining, refused.reason._tag],
      [1, 0, "RateLimitExceeded"]
    )
  }).pipe(Effect.provide(Live))
})

const KEYS = 1000

const cluster = Effect.gen(function* () {
  const testCluster = yield* ValkeyTestCluster.make({ primaries: 3, replicasPerPrimary: 0 })
  yield* Effect.gen(function* () {
    const valkey = yield* Valkey
    // a, b and c hash to slots 15495, 3300 and 7365: one on each of the three primaries.
    yield* check("cluster MSET across slots", yield* valkey.mset({ a: "1", b: "2", c: "3" }), "OK")
    yield* check("cluster MGET across slots", yield* valkey.mget(["a", "b", "c", "missing"]), ["1", "2", "3", null])

    yield* valkey.mset(Array.from({ length: KEYS }, (_, i) => [`scan:${i}`, "x"] as const))
    const scan = yield* Scan
    const seen = yield* scan.keys({ match: "scan:*", count: 200 }).pipe(
      Stream.runFold(
        () => new Set<string>(),
        (keys, key) => keys.add(key)
      )
    )
    yield* check("cluster scan Stream counts every key", seen.size, KEYS)
  }).pipe(Effect.provide(ValkeyCluster.layer({ seeds: [testCluster.seeds[0]!] })))
})

const json = Effect.gen(function* () {
  const module = process.env.VALKEY_JSON_MODULE
  if (module === undefined || !existsSync(module)) {
    yield* Console.log(`skip  JSON command: no valkey-json module at ${module ?? "(VALKEY_JSON_MODULE unset)"}`)
    return
  }
  const server = yield* ValkeyServer.make({ modules: [module] })
  yield* Effect.gen(function* () {
    const valkey = yield* Valkey
    yield* valkey.run(Json.set("doc:1", "$", { name: "Ada", visits: 3 }))
    yield* check("JSON.GET $.name", yield* valkey.run(Json.get("doc:1", "$.name")), ["Ada"])
    yield* check("JSON.NUMINCRBY .visits", yield* valkey.run(Json.numIncrBy("doc:1", ".visits", 1)), 4)
  }).pipe(Effect.provide(ValkeyStandalone.layer({ port: server.port })))
})

NodeRuntime.runMain(
  Effect.gen(function* () {
    yield* standalone
    yield* iam
    yield* persistence
    yield* cluster
    yield* json
    // No search module runs here (valkey-search needs a KNN clause on 8.0); the package loads and
    // builds its command values.
    yield* check("search command value", Search.dropIndex("idx").args, ["FT.DROPINDEX", "idx"])
    yield* Console.log("smoke: all steps passed")
  }).pipe(Effect.scoped)
)
