import { assert, layer } from "@effect/vitest"
import { Slot } from "@effect-valkey/cluster"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { type Duration, Effect, Exit, Fiber, Queue } from "effect"
import { PersistedCache, Persistence, Redis } from "effect/persistence"
import {
  cluster,
  commandCalls,
  GetUser,
  persistence,
  rateLimiter,
  rateLimiterKey,
  UserNotFound,
  unique
} from "./support.ts"

const counter = Redis.script((key: string, by: number) => [key, by], {
  numberOfKeys: 1,
  lua: `return redis.call("INCRBY", KEYS[1], ARGV[1])`
}).withReturnType<number>()

/** The value of `key` on the primary that owns its slot, read by the admin client. */
const ownerGet = (key: string) =>
  Effect.gen(function* () {
    const handle = yield* ValkeyTestCluster
    const owner = yield* handle.slotOwner(Slot.slotOf(key))
    return yield* owner.command(["GET", key])
  })

/** Keys whose slots are served by every primary (3 shards: a few dozen random keys do). */
const spreadKeys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}:${i}`)

layer(ValkeyTestCluster.layer(), { excludeTestServices: true, timeout: 120_000 })("Redis on a cluster", (it) => {
  it.effect("send: keyed commands go to their slot's owner; MGET, DEL and KEYS span every node", () =>
    Effect.gen(function* () {
      const { redis } = yield* cluster()
      const prefix = unique("send")
      const keys = spreadKeys(prefix, 40)
      yield* Effect.forEach(keys, (key) => redis.send("SET", key, `v-${key}`), { concurrency: 10, discard: true })
      for (const key of keys.slice(0, 10)) assert.strictEqual(yield* ownerGet(key), `v-${key}`)
      const handle = yield* ValkeyTestCluster
      const owners = new Set<string>()
      for (const key of keys) owners.add((yield* handle.slotOwner(Slot.slotOf(key))).address)
      assert.strictEqual(owners.size, handle.primaries.length)
      // Multi-slot MGET (Persistence's getMany) and DEL are split over the nodes and recombined.
      assert.deepStrictEqual(yield* redis.send("MGET", ...keys, `${prefix}:absent`), [
        ...keys.map((key) => `v-${key}`),
        null
      ])
      // KEYS (Persistence's clear) asks every primary.
      const found = yield* redis.send<Array<string>>("KEYS", `${prefix}:*`)
      assert.deepStrictEqual([...found].sort(), [...keys].sort())
      assert.strictEqual(yield* redis.send("DEL", ...keys), keys.length)
      assert.deepStrictEqual(yield* redis.send("KEYS", `${prefix}:*`), [])
    })
  )

  it.effect("eval: EVALSHA on the key's node, one EVAL per node that lacks the script", () =>
    Effect.gen(function* () {
      const { redis } = yield* cluster()
      const handle = yield* ValkeyTestCluster
      yield* Effect.forEach(handle.primaries, (node) => node.command(["SCRIPT", "FLUSH"]), { discard: true })
      const evalsBefore = yield* Effect.forEach(handle.primaries, (node) => commandCalls(node, "eval"))
      const keys = spreadKeys(unique("eval"), 30)
      const incr = redis.eval(counter)
      for (const key of keys) assert.strictEqual(yield* incr(key, 2), 2)
      for (const key of keys) assert.strictEqual(yield* incr(key, 3), 5)
      const evalsAfter = yield* Effect.forEach(handle.primaries, (node) => commandCalls(node, "eval"))
      // Each primary got the source exactly once; every other call was an EVALSHA.
      assert.deepStrictEqual(
        evalsAfter.map((n, i) => n - evalsBefore[i]!),
        handle.primaries.map(() => 1)
      )
      for (const key of keys.slice(0, 5)) assert.strictEqual(yield* ownerGet(key), "5")
    })
  )

  it.effect("RateLimiter: fixed window on any key; token bucket with a hash tag (its two keys share a slot)", () =>
    Effect.gen(function* () {
      const { redis } = yield* cluster()
      const limiter = yield* rateLimiter(redis)
      const keys = spreadKeys(unique("api"), 6)
      for (const key of keys) {
        const consume = { key, limit: 2, window: "1 minute", onExceeded: "fail" } as const
        assert.strictEqual((yield* limiter.consume(consume)).remaining, 1)
        assert.strictEqual((yield* limiter.consume(consume)).remaining, 0)
        assert.strictEqual((yield* Effect.flip(limiter.consume(consume))).reason._tag, "RateLimitExceeded")
        assert.strictEqual(yield* ownerGet(rateLimiterKey(key)), "2")
      }
      // A second client (another process, in effect) sees the same counters.
      const other = yield* cluster()
      const otherLimiter = yield* rateLimiter(other.redis)
      const exceeded = yield* Effect.flip(otherLimiter.consume({ key: keys[0]!, limit: 2, window: "1 minute" }))
      assert.strictEqual(exceeded.reason._tag, "RateLimitExceeded")

      const tagged = `{${unique("bucket")}}`
      const bucket = { key: tagged, limit: 3, window: "1 minute", algorithm: "token-bucket" } as const
      assert.strictEqual((yield* limiter.consume({ ...bucket, tokens: 3 })).remaining, 0)
      assert.strictEqual((yield* Effect.flip(limiter.consume(bucket))).reason._tag, "RateLimitExceeded")
      assert.strictEqual(yield* ownerGet(rateLimiterKey(tagged)), "0")
      // Without a hash tag, the bucket's two keys hash to different slots: the script cannot
      // run in a cluster, and the store error keeps the client's CrossSlotError as its cause.
      const plain = yield* Effect.flip(limiter.consume({ ...bucket, key: unique("plain") }))
      assert.strictEqual(plain.reason._tag, "RateLimitStoreError")
      const cause = (plain.reason as { cause?: { cause?: { _tag?: string } } }).cause
      assert.strictEqual(cause?.cause?._tag ?? (cause as { _tag?: string } | undefined)?._tag, "CrossSlotError")
    })
  )

  it.effect("PersistedCache: entries on their slot's owner, with TTL, read back by another client", () =>
    Effect.gen(function* () {
      const { redis } = yield* cluster()
      const handle = yield* ValkeyTestCluster
      const storeId = unique("users")
      let lookups = 0
      const lookup = ({ id }: GetUser) =>
        Effect.suspend(() => {
          lookups++
          return id < 0 ? Effect.fail(new UserNotFound({ id })) : Effect.succeed({ id, name: `user ${id}` })
        })
      const options = { storeId, timeToLive: (): Duration.Input => "1 minute" }
      const ids = Array.from({ length: 12 }, (_, i) => i + 1)
      const store = yield* persistence(redis)
      const cache = yield* PersistedCache.make(lookup, options).pipe(
        Effect.provideService(Persistence.Persistence, store)
      )
      for (const id of ids) assert.strictEqual((yield* cache.get(new GetUser({ id }))).name, `user ${id}`)
      assert.strictEqual((yield* Effect.flip(cache.get(new GetUser({ id: -1 }))))._tag, "UserNotFound")
      assert.strictEqual(lookups, ids.length + 1)
      for (const id of ids.slice(0, 4)) {
        const key = `${storeId}:user-${id}`
        assert.deepStrictEqual(JSON.parse(String(yield* ownerGet(key))), {
          _tag: "Success",
          value: { id, name: `user ${id}` }
        })
        const owner = yield* handle.slotOwner(Slot.slotOf(key))
        const pttl = Number(yield* owner.command(["PTTL", key]))
        assert.isTrue(pttl > 0 && pttl <= 60_000, `pttl ${pttl}`)
      }
      const other = yield* cluster()
      const otherStore = yield* persistence(other.redis)
      const second = yield* PersistedCache.make(lookup, options).pipe(
        Effect.provideService(Persistence.Persistence, otherStore)
      )
      for (const id of ids) assert.strictEqual((yield* second.get(new GetUser({ id }))).name, `user ${id}`)
      assert.strictEqual(lookups, ids.length + 1)
      yield* second.invalidate(new GetUser({ id: 1 }))
      assert.isNull(yield* ownerGet(`${storeId}:user-1`))

      // The raw store: getMany over many slots, and clear over every node.
      const persisted = yield* store.make({ storeId, timeToLive: () => "1 minute" })
      const read = yield* persisted.getMany(ids.map((id) => new GetUser({ id })))
      assert.deepStrictEqual(
        read.map((exit) => exit !== undefined && Exit.isSuccess(exit)),
        ids.map((id) => id !== 1)
      )
      yield* persisted.clear
      assert.deepStrictEqual(yield* redis.send("KEYS", `${storeId}:*`), [])
    })
  )

  it.effect("subscribe: messages published through any node", () =>
    Effect.gen(function* () {
      const { redis } = yield* cluster()
      const channel = unique("events")
      const queue = yield* redis.subscribe(channel)
      yield* redis.send("PUBLISH", channel, "one")
      yield* redis.send("PUBLISH", channel, "two")
      // Each PUBLISH may go to another node; one published elsewhere crosses the cluster bus
      // and can arrive after one published on the subscriber's own node: no order between them.
      const received = [yield* Queue.take(queue), yield* Queue.take(queue)]
      assert.deepStrictEqual(
        received.sort((a, b) => a.message.localeCompare(b.message)),
        [
          { channel, message: "one" },
          { channel, message: "two" }
        ]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("reserve: one dedicated connection per node used, chosen by each command's key", () =>
    Effect.gen(function* () {
      const { redis } = yield* cluster()
      const prefix = unique("jobs")
      const keys = spreadKeys(prefix, 30)
      const connection = yield* redis.reserve
      // Keys of every slot, on one reserved connection: each goes to its owner.
      for (const key of keys) assert.strictEqual(yield* connection.send("SET", key, "x"), "OK")
      for (const key of keys.slice(0, 6)) assert.strictEqual(yield* ownerGet(key), "x")
      assert.strictEqual(yield* connection.eval(counter)(`${keys[1]}:n`, 7), 7)
      // A blocking pop on the reserved connection, fed through the shared client.
      const queue = `${prefix}:queue`
      const waiting = yield* connection.send("BLPOP", queue, "0").pipe(Effect.forkChild({ startImmediately: true }))
      yield* redis.send("RPUSH", queue, "job-1")
      assert.deepStrictEqual(yield* Fiber.join(waiting), [queue, "job-1"])
      // Movable keys (XREAD ... STREAMS key) are located with COMMAND GETKEYS.
      const stream = `${prefix}:stream`
      yield* redis.send("XADD", stream, "1-1", "f", "v")
      const read = yield* connection.send<Array<unknown>>("XREAD", "COUNT", "1", "STREAMS", stream, "0")
      assert.strictEqual((read[0] as Array<unknown>)[0], stream)
      // A transaction on the node of its (hash-tagged) keys.
      const tag = `{${prefix}}`
      assert.strictEqual(yield* connection.send("MULTI"), "OK")
      assert.strictEqual(yield* connection.send("SET", `${tag}:a`, "1"), "QUEUED")
      assert.strictEqual(yield* connection.send("INCR", `${tag}:a`), "QUEUED")
      assert.deepStrictEqual(yield* connection.send("EXEC"), ["OK", 2])
      assert.strictEqual(yield* ownerGet(`${tag}:a`), "2")
      // WATCH pins its key's node: a change made meanwhile aborts the transaction.
      assert.strictEqual(yield* connection.send("WATCH", `${tag}:a`), "OK")
      yield* redis.send("SET", `${tag}:a`, "changed")
      assert.strictEqual(yield* connection.send("MULTI"), "OK")
      assert.strictEqual(yield* connection.send("SET", `${tag}:a`, "mine"), "QUEUED")
      assert.isNull(yield* connection.send("EXEC"))
      assert.strictEqual(yield* ownerGet(`${tag}:a`), "changed")
    }).pipe(Effect.scoped)
  )
})
