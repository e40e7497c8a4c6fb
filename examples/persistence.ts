/**
 * Effect's own Redis-backed modules on Valkey: `RateLimiter` and `PersistedCache` through
 * `@effect-valkey/persistence`, plus the `Redis` service's subscribe and reserve.
 * See docs/persistence.md.
 *
 *   node --conditions=source examples/persistence.ts
 *
 * Starts a throwaway valkey-server, then a throwaway cluster (3 primaries, 3 replicas), on free loopback ports,
 * runs the same program on each, and stops them at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { ValkeyRedis } from "@effect-valkey/persistence"
import { ValkeyServer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Console, Effect, Fiber, Layer, Queue, Schema } from "effect"
import { Persistable, PersistedCache, Persistence, RateLimiter, Redis } from "effect/persistence"

const show = (label: string, value: unknown) =>
  Console.log(`${label.padEnd(48)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

/** A request whose result is worth keeping: stored under `<storeId>:user-<id>`. */
class GetUser extends Persistable.Class<{ payload: { id: number } }>()("GetUser", {
  primaryKey: ({ id }) => `user-${id}`,
  success: Schema.Struct({ id: Schema.Number, name: Schema.String })
}) {}

const rateLimiting = Effect.gen(function* () {
  const limiter = yield* RateLimiter.RateLimiter
  for (let i = 1; i <= 4; i++) {
    const result = yield* limiter
      .consume({ key: "login:ada", limit: 3, window: "1 minute" })
      .pipe(Effect.map((r) => `allowed, ${r.remaining} left`))
      .pipe(Effect.catchTag("RateLimiterError", (e) => Effect.succeed(`refused: ${e.reason._tag}`)))
    yield* show(`login attempt ${i} (3 per minute)`, result)
  }
  const redis = yield* Redis.Redis
  // Effect escapes ":" in the limiter's key, so the counter of "login:ada" is ratelimiter:login%3Aada.
  yield* show("the counter in Valkey: GET ratelimiter:login%3Aada", yield* redis.send("GET", "ratelimiter:login%3Aada"))
})

const caching = Effect.gen(function* () {
  let lookups = 0
  const users = yield* PersistedCache.make(
    ({ id }: GetUser) =>
      Effect.sync(() => {
        lookups++
        return { id, name: `user ${id}` }
      }),
    { storeId: "users", timeToLive: () => "10 minutes" }
  )
  yield* show("users.get(1)", yield* users.get(new GetUser({ id: 1 })))
  yield* show("users.get(1) again", yield* users.get(new GetUser({ id: 1 })))
  yield* show("lookups run", lookups)
  const redis = yield* Redis.Redis
  yield* show("stored in Valkey: GET users:user-1", yield* redis.send("GET", "users:user-1"))
  yield* show("its TTL in ms: PTTL users:user-1", yield* redis.send("PTTL", "users:user-1"))
  // Another cache (a restarted process, say) finds the result in Valkey: no lookup.
  const restarted = yield* PersistedCache.make((_: GetUser) => Effect.die("not called"), {
    storeId: "users",
    timeToLive: () => "10 minutes"
  })
  yield* show("a second cache reads it back", yield* restarted.get(new GetUser({ id: 1 })))
})

const subscribeAndReserve = Effect.gen(function* () {
  const redis = yield* Redis.Redis
  const messages = yield* redis.subscribe("news")
  yield* redis.send("PUBLISH", "news", "hello")
  yield* show("subscribe('news') received", yield* Queue.take(messages))

  // A connection of its own for a blocking pop; the shared one keeps serving.
  const connection = yield* redis.reserve
  const pop = yield* connection.send("BLPOP", "jobs", "0").pipe(Effect.forkChild({ startImmediately: true }))
  yield* redis.send("RPUSH", "jobs", "job-1")
  yield* show("BLPOP on a reserved connection", yield* Fiber.join(pop))
}).pipe(Effect.scoped)

/** Effect's own Redis-backed layers, on Effect's Redis from `@effect-valkey/persistence`. */
const run = (redis: Layer.Layer<Redis.Redis, unknown>) =>
  Effect.gen(function* () {
    yield* rateLimiting
    yield* Console.log("")
    yield* caching
    yield* Console.log("")
    yield* subscribeAndReserve
  }).pipe(
    Effect.scoped,
    Effect.provide(
      Layer.mergeAll(RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreRedis())), Persistence.layerRedis).pipe(
        Layer.provideMerge(redis)
      )
    )
  )

const main = Effect.gen(function* () {
  const server = yield* ValkeyServer.make()
  yield* Console.log(`standalone server up at ${server.address}\n`)
  yield* run(ValkeyRedis.layerStandalone({ port: server.port }))

  // The same program on a cluster: only the layer changes.
  const cluster = yield* ValkeyTestCluster.make()
  yield* Console.log(`\ncluster up, seeds ${cluster.seeds.join(" ")}\n`)
  yield* run(ValkeyRedis.layerCluster({ seeds: [cluster.seeds[0]!] }))
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
