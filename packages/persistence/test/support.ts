/**
 * Test helpers: Effect's `Redis` (and the client under it) on the testkit server or cluster in
 * context, Effect's `RateLimiter` and `Persistence` on top, closed with the test's scope.
 */
import { Valkey, type ValkeyConfig } from "@effect-valkey/core"
import { ValkeyServer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Context, Effect, Layer, Schema } from "effect"
import { Persistable, Persistence, RateLimiter, Redis } from "effect/persistence"
import { ValkeyRedis } from "../src/index.ts"

/** Effect's `Redis` and the `Valkey` client under it, on the `ValkeyServer` in context. */
export const standalone = (options: ValkeyRedis.Options = {}, config: ValkeyConfig.ValkeyConfig = {}) =>
  Effect.gen(function* () {
    const server = yield* ValkeyServer
    const context = yield* Layer.build(ValkeyRedis.layerStandalone({ port: server.port, ...config }, options))
    return { redis: Context.get(context, Redis.Redis), valkey: Context.get(context, Valkey) }
  })

/** Effect's `Redis` and the `Valkey` client under it, on the `ValkeyTestCluster` in context. */
export const cluster = (options: ValkeyRedis.Options = {}) =>
  Effect.gen(function* () {
    const handle = yield* ValkeyTestCluster
    const context = yield* Layer.build(ValkeyRedis.layerCluster({ seeds: [handle.seeds[0]!] }, options))
    return { redis: Context.get(context, Redis.Redis), valkey: Context.get(context, Valkey) }
  })

/** Effect's `RateLimiter` with its Redis-backed store, on `redis`. */
export const rateLimiter = (redis: Redis.Redis["Service"], prefix?: string) =>
  Effect.map(
    Layer.build(
      RateLimiter.layer.pipe(
        Layer.provide(RateLimiter.layerStoreRedis(prefix === undefined ? {} : { prefix })),
        Layer.provide(Layer.succeed(Redis.Redis, redis))
      )
    ),
    Context.get(RateLimiter.RateLimiter)
  )

/** Effect's `Persistence` with its Redis backing (`Persistence.layerRedis`), on `redis`. */
export const persistence = (redis: Redis.Redis["Service"]) =>
  Effect.map(
    Layer.build(Persistence.layerRedis.pipe(Layer.provide(Layer.succeed(Redis.Redis, redis)))),
    Context.get(Persistence.Persistence)
  )

export class UserNotFound extends Schema.TaggedError<UserNotFound>()("UserNotFound", { id: Schema.Number }) {}

/** A persistable request: its result (or `UserNotFound`) is stored under `<storeId>:user-<id>`. */
export class GetUser extends Persistable.Class<{ payload: { id: number } }>()("GetUser", {
  primaryKey: ({ id }) => `user-${id}`,
  success: Schema.Struct({ id: Schema.Number, name: Schema.String }),
  error: UserNotFound
}) {}

/**
 * The Valkey key of a RateLimiter counter. Effect (since 4.1.x) escapes `%` and `:` in the
 * limiter's key, so that a key with a colon cannot collide with another store's namespace.
 */
export const rateLimiterKey = (key: string) => `ratelimiter:${key.replace(/%/g, "%25").replace(/:/g, "%3A")}`

/** A name no other test uses. */
export const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`

/** Calls of a command on a server so far (INFO commandstats). */
export const commandCalls = (
  node: { command: (args: ReadonlyArray<string>) => Effect.Effect<unknown, unknown> },
  name: string
) =>
  Effect.map(node.command(["INFO", "commandstats"]), (info) =>
    Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(String(info))?.[1] ?? 0)
  )
