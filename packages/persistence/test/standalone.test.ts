import { assert, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Duration, Effect, Exit, Fiber, Queue } from "effect"
import { PersistedCache, Persistence, Redis } from "effect/persistence"
import {
  commandCalls,
  GetUser,
  persistence,
  rateLimiter,
  rateLimiterKey,
  standalone,
  UserNotFound,
  unique
} from "./support.ts"

const counter = Redis.script((key: string, by: number) => [key, by], {
  numberOfKeys: 1,
  lua: `return redis.call("INCRBY", KEYS[1], ARGV[1])`
}).withReturnType<number>()

layer(ValkeyServer.layer(), { excludeTestServices: true, timeout: 60_000 })("Redis on a standalone server", (it) => {
  it.effect("send: commands with plain replies; server errors as RedisError with the cause kept", () =>
    Effect.gen(function* () {
      const { redis } = yield* standalone()
      const key = unique("send")
      assert.strictEqual(yield* redis.send("SET", key, "v", "PX", "60000"), "OK")
      assert.strictEqual(yield* redis.send("GET", key), "v")
      assert.isNull(yield* redis.send("GET", `${key}:absent`))
      assert.deepStrictEqual(yield* redis.send("mget", key, `${key}:absent`), ["v", null])
      assert.strictEqual(yield* redis.send("HSET", `${key}:h`, "a", "1", "b", "2"), 2)
      // A RESP3 map comes back as the flat array a RESP2 client gives.
      assert.deepStrictEqual(yield* redis.send("HGETALL", `${key}:h`), ["a", "1", "b", "2"])
      const error = yield* Effect.flip(redis.send("INCR", key))
      assert.strictEqual(error._tag, "RedisError")
      const cause = error.cause as { _tag: string; code: string }
      assert.strictEqual(cause._tag, "ReplyError")
      assert.strictEqual(cause.code, "ERR")
      // A command that would change the shared connection's state is refused before sending.
      const refused = yield* Effect.flip(redis.send("SELECT", "1"))
      assert.strictEqual((refused.cause as { _tag: string })._tag, "InvalidArgumentError")
    })
  )

  it.effect("eval: EVALSHA, one EVAL on NOSCRIPT, then EVALSHA again (after SCRIPT FLUSH too)", () =>
    Effect.gen(function* () {
      const { redis } = yield* standalone()
      const server = yield* ValkeyServer
      yield* redis.send("SCRIPT", "FLUSH")
      const key = unique("eval")
      const incr = redis.eval(counter)
      const evals = yield* commandCalls(server, "eval")
      const shas = yield* commandCalls(server, "evalsha")
      assert.strictEqual(yield* incr(key, 2), 2)
      assert.strictEqual(yield* incr(key, 3), 5)
      assert.strictEqual(yield* incr(key, 5), 10)
      assert.strictEqual((yield* commandCalls(server, "eval")) - evals, 1)
      assert.strictEqual((yield* commandCalls(server, "evalsha")) - shas, 3)
      yield* redis.send("SCRIPT", "FLUSH")
      assert.strictEqual(yield* incr(key, 1), 11)
      assert.strictEqual((yield* commandCalls(server, "eval")) - evals, 2)
      // A script error is a RedisError carrying the server's reply.
      const failing = Redis.script(() => [], { numberOfKeys: 0, lua: `return redis.error_reply("BOOM no")` })
      const error = yield* Effect.flip(redis.eval(failing)())
      assert.strictEqual((error.cause as { code: string }).code, "BOOM")
    })
  )

  it.effect("RateLimiter (fixed window): the limit holds across clients; the counter lives in the server", () =>
    Effect.gen(function* () {
      const { redis } = yield* standalone()
      const other = yield* standalone()
      const server = yield* ValkeyServer
      const limiterA = yield* rateLimiter(redis)
      const limiterB = yield* rateLimiter(other.redis)
      const key = unique("api")
      const consume = { key, limit: 3, window: "1 minute", onExceeded: "fail" } as const
      const first = yield* limiterA.consume(consume)
      assert.strictEqual(first.remaining, 2)
      assert.strictEqual(first.limit, 3)
      assert.isTrue(Duration.isZero(first.delay))
      assert.strictEqual((yield* limiterB.consume(consume)).remaining, 1)
      assert.strictEqual((yield* limiterA.consume(consume)).remaining, 0)
      const exceeded = yield* Effect.flip(limiterB.consume(consume))
      assert.strictEqual(exceeded.reason._tag, "RateLimitExceeded")
      // Stored under the store's prefix, expiring with the window.
      assert.strictEqual(yield* server.command(["GET", rateLimiterKey(key)]), "3")
      const pttl = Number(yield* server.command(["PTTL", rateLimiterKey(key)]))
      assert.isTrue(pttl > 0 && pttl <= 60_000, `pttl ${pttl}`)
      // Another key has its own budget.
      assert.strictEqual((yield* limiterA.consume({ ...consume, key: `${key}:other` })).remaining, 2)
      // "delay" instead of "fail": the call is admitted with a delay of up to one window.
      const delayed = yield* limiterA.consume({ ...consume, onExceeded: "delay" })
      assert.isTrue(Duration.isGreaterThan(delayed.delay, Duration.zero))
      assert.isTrue(Duration.isLessThanOrEqualTo(delayed.delay, Duration.minutes(1)))
    })
  )

  it.effect("RateLimiter (token bucket, custom prefix): tokens run out; state and refill time are stored", () =>
    Effect.gen(function* () {
      const { redis } = yield* standalone()
      const server = yield* ValkeyServer
      const limiter = yield* rateLimiter(redis, "rl-test:")
      const key = unique("bucket")
      const consume = { key, limit: 4, window: "1 minute", algorithm: "token-bucket", onExceeded: "fail" } as const
      assert.strictEqual((yield* limiter.consume({ ...consume, tokens: 3 })).remaining, 1)
      assert.strictEqual((yield* limiter.consume(consume)).remaining, 0)
      const exceeded = yield* Effect.flip(limiter.consume(consume))
      assert.strictEqual(exceeded.reason._tag, "RateLimitExceeded")
      assert.strictEqual(yield* server.command(["GET", `rl-test:${key}`]), "0")
      assert.isNotNull(yield* server.command(["GET", `rl-test:${key}:refill`]))
      assert.isTrue(Number(yield* server.command(["PTTL", `rl-test:${key}`])) > 0)
      // More tokens than the limit is refused outright.
      const tooMany = yield* Effect.flip(limiter.consume({ ...consume, tokens: 5 }))
      assert.strictEqual(tooMany.reason._tag, "RateLimitExceeded")
    })
  )

  it.effect("PersistedCache: results (and failures) are stored with their TTL and read back by another cache", () =>
    Effect.gen(function* () {
      const { redis } = yield* standalone()
      const server = yield* ValkeyServer
      const storeId = unique("users")
      let lookups = 0
      const lookup = ({ id }: GetUser) =>
        Effect.suspend(() => {
          lookups++
          return id < 0 ? Effect.fail(new UserNotFound({ id })) : Effect.succeed({ id, name: `user ${id}` })
        })
      const options = {
        storeId,
        timeToLive: (exit: Exit.Exit<unknown, unknown>) => (Exit.isSuccess(exit) ? "1 minute" : "10 seconds")
      }
      const store = yield* persistence(redis)
      const cache = yield* PersistedCache.make(lookup, options).pipe(
        Effect.provideService(Persistence.Persistence, store)
      )
      assert.deepStrictEqual(yield* cache.get(new GetUser({ id: 1 })), { id: 1, name: "user 1" })
      assert.deepStrictEqual(yield* cache.get(new GetUser({ id: 1 })), { id: 1, name: "user 1" })
      assert.strictEqual(lookups, 1)
      const failure = yield* Effect.flip(cache.get(new GetUser({ id: -1 })))
      assert.strictEqual(failure._tag, "UserNotFound")
      assert.strictEqual(lookups, 2)

      // In the server: the encoded Exit, JSON, under <storeId>:<primary key>, with the TTL.
      const stored = JSON.parse(String(yield* server.command(["GET", `${storeId}:user-1`])))
      assert.deepStrictEqual(stored, { _tag: "Success", value: { id: 1, name: "user 1" } })
      const pttl = Number(yield* server.command(["PTTL", `${storeId}:user-1`]))
      assert.isTrue(pttl > 10_000 && pttl <= 60_000, `pttl ${pttl}`)
      const failedTtl = Number(yield* server.command(["PTTL", `${storeId}:user--1`]))
      assert.isTrue(failedTtl > 0 && failedTtl <= 10_000, `pttl ${failedTtl}`)

      // A second cache (another process, in effect) reads both from the server: no lookup.
      const other = yield* standalone()
      const otherStore = yield* persistence(other.redis)
      const second = yield* PersistedCache.make(lookup, options).pipe(
        Effect.provideService(Persistence.Persistence, otherStore)
      )
      assert.deepStrictEqual(yield* second.get(new GetUser({ id: 1 })), { id: 1, name: "user 1" })
      assert.strictEqual((yield* Effect.flip(second.get(new GetUser({ id: -1 }))))._tag, "UserNotFound")
      assert.strictEqual(lookups, 2)

      // invalidate removes the entry from the server; the next get looks it up again.
      yield* second.invalidate(new GetUser({ id: 1 }))
      assert.isNull(yield* server.command(["GET", `${storeId}:user-1`]))
      yield* second.get(new GetUser({ id: 1 }))
      assert.strictEqual(lookups, 3)
    })
  )

  it.effect("Persistence: getMany/setMany/clear on the store's own keys only", () =>
    Effect.gen(function* () {
      const { redis } = yield* standalone()
      const server = yield* ValkeyServer
      const storeId = unique("many")
      const store = yield* persistence(redis)
      const persisted = yield* store.make({ storeId, timeToLive: () => "1 minute" })
      const users = [1, 2, 3].map((id) => new GetUser({ id }))
      yield* persisted.setMany(users.map((user) => [user, Exit.succeed({ id: user.id, name: `n${user.id}` })] as const))
      const read = yield* persisted.getMany([...users, new GetUser({ id: 4 })])
      assert.deepStrictEqual(
        read.map((exit) => (exit === undefined ? undefined : Exit.isSuccess(exit) ? exit.value.name : "failure")),
        ["n1", "n2", "n3", undefined]
      )
      assert.isTrue(Number(yield* server.command(["PTTL", `${storeId}:user-2`])) > 0)
      yield* server.command(["SET", `${storeId}x:user-1`, "untouched"])
      yield* persisted.clear
      assert.strictEqual(yield* server.command(["EXISTS", `${storeId}:user-1`, `${storeId}:user-2`]), 0)
      assert.strictEqual(yield* server.command(["GET", `${storeId}x:user-1`]), "untouched")
    })
  )

  it.effect("subscribe: a queue of the channel's messages, subscribed before it returns", () =>
    Effect.gen(function* () {
      const { redis } = yield* standalone()
      const channel = unique("events")
      const queue = yield* redis.subscribe(channel)
      assert.strictEqual(yield* redis.send("PUBLISH", channel, "one"), 1)
      yield* redis.send("PUBLISH", `${channel}:other`, "ignored")
      yield* redis.send("PUBLISH", channel, "two")
      assert.deepStrictEqual(yield* Queue.take(queue), { channel, message: "one" })
      assert.deepStrictEqual(yield* Queue.take(queue), { channel, message: "two" })
    }).pipe(Effect.scoped)
  )

  it.effect("reserve: a connection of its own (pooled), for blocking commands and MULTI/EXEC", () =>
    Effect.gen(function* () {
      const { redis } = yield* standalone()
      const sharedId = yield* redis.send<number>("CLIENT", "ID")
      const key = unique("jobs")
      const reservedId = yield* Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* redis.reserve
          const id = yield* connection.send<number>("CLIENT", "ID")
          assert.notStrictEqual(id, sharedId)
          // BLPOP blocks only this connection: the shared one keeps working meanwhile.
          const waiting = yield* connection.send("BLPOP", key, "0").pipe(Effect.forkChild({ startImmediately: true }))
          assert.strictEqual(yield* redis.send("PING"), "PONG")
          yield* redis.send("RPUSH", key, "job-1")
          assert.deepStrictEqual(yield* Fiber.join(waiting), [key, "job-1"])
          // Connection state is allowed here: a transaction of its own.
          assert.strictEqual(yield* connection.send("MULTI"), "OK")
          assert.strictEqual(yield* connection.send("INCR", `${key}:n`), "QUEUED")
          assert.strictEqual(yield* connection.send("INCR", `${key}:n`), "QUEUED")
          assert.deepStrictEqual(yield* connection.send("EXEC"), [1, 2])
          assert.strictEqual(yield* connection.eval(counter)(`${key}:n`, 10), 12)
          return id
        })
      )
      // Released to the pool in good health: the next reservation gets it back.
      const again = yield* Effect.scoped(Effect.flatMap(redis.reserve, (c) => c.send<number>("CLIENT", "ID")))
      assert.strictEqual(again, reservedId)
      // A BLPOP interrupted by the end of its scope: that connection is closed, not reused.
      yield* Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* redis.reserve
          yield* connection.send("BLPOP", `${key}:never`, "0").pipe(Effect.forkScoped)
          yield* Effect.sleep("50 millis")
        })
      )
      const fresh = yield* Effect.scoped(Effect.flatMap(redis.reserve, (c) => c.send<number>("CLIENT", "ID")))
      assert.notStrictEqual(fresh, reservedId)
    })
  )

  it.effect("blocking commands wait their own block time, not requestTimeout", () =>
    Effect.gen(function* () {
      const { redis } = yield* standalone({}, { requestTimeout: "100 millis" })
      const key = unique("slow")
      // BLPOP with a 0.4 s timeout outlives the 100 ms request timeout: it answers nil.
      assert.isNull(yield* redis.send("BLPOP", key, "0.4"))
      const connection = yield* redis.reserve
      assert.isNull(yield* connection.send("XREAD", "BLOCK", "300", "STREAMS", `${key}:s`, "$"))
      // An ordinary command still has the 100 ms deadline (DEBUG SLEEP holds the server).
      const slow = yield* Effect.flip(redis.send("DEBUG", "SLEEP", "0.3"))
      assert.strictEqual((slow.cause as { _tag: string })._tag, "TimeoutError")
    }).pipe(Effect.scoped)
  )
})
