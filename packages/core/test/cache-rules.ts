/**
 * The client-side cache's correctness rules, as one suite run against a standalone server
 * (core/test/cache.test.ts) and a 3-primary cluster (cluster/test/cache.test.ts), under RESP2
 * and RESP3. `Target` is what differs between the two: how a cached client is made, and how
 * the test reaches every node behind the client's back.
 */
import { assert, describe, type Vitest } from "@effect/vitest"
import { Effect } from "effect"
import type { Scope } from "effect/Scope"
import { type ClientCacheService, Commands, type ValkeyConfig, type ValkeyService } from "../src/index.ts"

export interface Target<R> {
  /** A client of the server(s) under test, closed with the test's scope. */
  readonly client: (
    config: ValkeyConfig.ValkeyConfig
  ) => Effect.Effect<{ readonly valkey: ValkeyService; readonly cache: ClientCacheService }, unknown, Scope | R>
  /** Runs `args` on every primary (CLIENT LIST, INFO, …), each reply in order. */
  readonly everyNode: (args: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<unknown>, unknown, R>
}

/** Polls `check` every 20 ms, up to 5 s; true once it held. */
export const eventually = <E, R>(check: Effect.Effect<boolean, E, R>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 250; i++) {
      if (yield* check) return true
      yield* Effect.sleep("20 millis")
    }
    return false
  })

/** GETs the servers ran, summed over the nodes: to see what a cache hit did not send. */
const serverGets = <R>(target: Target<R>) =>
  Effect.map(target.everyNode(["INFO", "commandstats"]), (replies) =>
    replies.reduce<number>((sum, info) => sum + Number(/cmdstat_get:calls=(\d+)/.exec(String(info))?.[1] ?? 0), 0)
  )

/** Kills, on every node, the connections named `name` of `type` (normal or pubsub). */
const kill = <R>(target: Target<R>, name: string, type: "normal" | "pubsub") =>
  Effect.flatMap(target.everyNode(["CLIENT", "LIST", "TYPE", type]), (lists) =>
    Effect.forEach(
      lists.flatMap((list) =>
        String(list)
          .split("\n")
          .filter((line) => line.includes(` name=${name} `))
          .map((line) => /id=(\d+)/.exec(line)![1]!)
      ),
      (id) => target.everyNode(["CLIENT", "KILL", "ID", id]).pipe(Effect.ignore),
      { discard: true }
    )
  )

const stats = (cache: ClientCacheService) => cache.stats

export const rules = <R>(it: Vitest.MethodsNonLive<R>, target: Target<R>) => {
  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const p = `{cache${protocol}}:`
      const cached = (name: string, extra: Partial<ValkeyConfig.ValkeyConfig> = {}) =>
        target.client({ protocol, clientName: name, cache: { maxEntries: 1000 }, ...extra })
      /** A cached client whose cache holds `k` = "1", written by `other`, a client without one. */
      const holding = (name: string, k: string) =>
        Effect.gen(function* () {
          const { cache, valkey } = yield* cached(name)
          const { valkey: other } = yield* target.client({ protocol })
          yield* other.set(k, "1")
          assert.strictEqual(yield* valkey.get(k), "1")
          return { cache, valkey, other }
        })

      it.effect("a hit costs no round trip; another client's write invalidates it", () =>
        Effect.gen(function* () {
          const k = `${p}other`
          const { cache, other, valkey } = yield* holding(`w${protocol}`, k)
          const before = yield* serverGets(target)
          assert.strictEqual(yield* valkey.get(k), "1")
          assert.strictEqual(yield* serverGets(target), before, "the second GET was not sent")
          assert.strictEqual((yield* stats(cache)).hits, 1)
          const invalidations = (yield* stats(cache)).invalidations
          yield* other.set(k, "2")
          assert.isTrue(yield* eventually(Effect.map(stats(cache), (s) => s.invalidations > invalidations)))
          // The invalidation has arrived: no read that starts now sees the old value.
          assert.strictEqual(yield* valkey.get(k), "2")
          assert.strictEqual(yield* valkey.get(k), "2")
        })
      )

      it.effect("keys the wire spells otherwise: a leading U+FEFF is invalidated, a lone surrogate never kept", () =>
        Effect.gen(function* () {
          const bom = `\uFEFF${p}bom`
          const { cache, other, valkey } = yield* holding(`bom${protocol}`, bom)
          const invalidations = (yield* stats(cache)).invalidations
          yield* other.set(bom, "2")
          assert.isTrue(yield* eventually(Effect.map(stats(cache), (s) => s.invalidations > invalidations)))
          assert.strictEqual(yield* valkey.get(bom), "2")
          // Sent (and invalidated) as U+FFFD: an entry under the caller's string would stay.
          const lone = `${p}\uD800lone`
          yield* other.set(lone, "1")
          assert.strictEqual(yield* valkey.get(lone), "1")
          yield* other.set(lone, "2")
          assert.strictEqual(yield* valkey.get(lone), "2")
        })
      )

      it.effect("read-your-writes: after this client's SET returns, its GET sees the new value", () =>
        Effect.gen(function* () {
          const { valkey } = yield* cached(`ryw${protocol}`)
          const k = `${p}ryw`
          const h = `${p}ryw-hash`
          yield* valkey.set(k, "a")
          yield* valkey.hset(h, { f: "1" })
          for (let i = 0; i < 20; i++) {
            assert.strictEqual(yield* valkey.get(k), i === 0 ? "a" : String(i - 1))
            yield* valkey.set(k, String(i))
            assert.strictEqual(yield* valkey.get(k), String(i))
            assert.strictEqual(yield* valkey.hget(h, "f"), i === 0 ? "1" : String(i - 1))
            yield* valkey.batch([Commands.hashes.hset(h, { f: String(i) })])
            assert.strictEqual(yield* valkey.hget(h, "f"), String(i))
          }
        })
      )

      it.effect("a read whose reply races an invalidation of its key is answered but not kept", () =>
        Effect.gen(function* () {
          const { valkey } = yield* cached(`race${protocol}`)
          const k = `${p}race`
          yield* valkey.set(k, "old")
          for (let i = 0; i < 10; i++) {
            // The GET is in flight when the SET drops its key: its reply ("old" or the new
            // value, whichever ran first) must not be kept.
            const [read] = yield* Effect.all([valkey.get(k), valkey.set(k, `new${i}`)], { concurrency: "unbounded" })
            assert.include(["old", `new${i - 1}`, `new${i}`], read)
            assert.strictEqual(yield* valkey.get(k), `new${i}`)
          }
        })
      )

      it.effect("concurrent misses of one key send one request", () =>
        Effect.gen(function* () {
          const { cache, valkey } = yield* cached(`flight${protocol}`)
          const k = `${p}flight`
          yield* valkey.set(k, "v")
          const before = yield* serverGets(target)
          const reads = yield* Effect.all(
            Array.from({ length: 50 }, () => valkey.get(k)),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(new Set(reads), new Set(["v"]))
          assert.strictEqual((yield* serverGets(target)) - before, 1)
          assert.strictEqual((yield* stats(cache)).misses, 1)
        })
      )

      it.effect("a lost connection empties the cache, and invalidations work again after", () =>
        Effect.gen(function* () {
          const name = `lost${protocol}`
          const k = `${p}lost`
          const { cache, other, valkey } = yield* holding(name, k)
          assert.strictEqual((yield* stats(cache)).entries, 1)
          yield* kill(target, name, "normal")
          assert.isTrue(yield* eventually(Effect.map(stats(cache), (s) => s.entries === 0)))
          assert.strictEqual(
            yield* eventually(Effect.map(Effect.option(valkey.get(k)), (v) => v._tag === "Some")),
            true
          )
          assert.strictEqual((yield* stats(cache)).entries, 1)
          yield* other.set(k, "2")
          assert.isTrue(yield* eventually(Effect.map(valkey.get(k), (v) => v === "2")))
        })
      )

      if (protocol === 2) {
        it.effect("a lost invalidation connection empties the cache; the redirect follows its new id", () =>
          Effect.gen(function* () {
            const name = `redir${protocol}`
            const k = `${p}redirect`
            const { cache, other, valkey } = yield* holding(name, k)
            yield* kill(target, name, "pubsub")
            assert.isTrue(yield* eventually(Effect.map(stats(cache), (s) => s.entries === 0)))
            // Once re-subscribed and redirected, a read is kept again and invalidated again.
            assert.isTrue(
              yield* eventually(
                Effect.andThen(
                  valkey.get(k),
                  Effect.map(stats(cache), (s) => s.entries === 1)
                )
              )
            )
            yield* other.set(k, "2")
            assert.isTrue(yield* eventually(Effect.map(stats(cache), (s) => s.entries === 0)))
            assert.strictEqual(yield* valkey.get(k), "2")
          })
        )
      }

      it.effect("FLUSHALL from another client empties the cache", () =>
        Effect.gen(function* () {
          const { cache, valkey } = yield* cached(`flush${protocol}`)
          const { valkey: other } = yield* target.client({ protocol })
          const keys = [`${p}f1`, `${p}f2`]
          for (const k of keys) yield* other.set(k, "x")
          for (const k of keys) assert.strictEqual(yield* valkey.get(k), "x")
          assert.strictEqual((yield* stats(cache)).entries, 2)
          yield* target.everyNode(["FLUSHALL"])
          assert.isTrue(yield* eventually(Effect.map(stats(cache), (s) => s.entries === 0)))
          for (const k of keys) assert.strictEqual(yield* valkey.get(k), null)
        })
      )

      it.effect("this client's own FLUSHALL is seen by its next read", () =>
        Effect.gen(function* () {
          const { valkey } = yield* cached(`ownflush${protocol}`)
          const k = `${p}ownflush`
          for (let i = 0; i < 5; i++) {
            yield* valkey.set(k, "x")
            assert.strictEqual(yield* valkey.get(k), "x")
            assert.strictEqual(yield* valkey.get(k), "x")
            yield* valkey.flushall()
            assert.strictEqual(yield* valkey.get(k), null)
          }
        })
      )

      it.effect("values are stored decoded once, shared and frozen", () =>
        Effect.gen(function* () {
          const { valkey } = yield* cached(`frozen${protocol}`)
          const k = `${p}frozen`
          yield* valkey.rpush(k, ["a", "b"])
          const first = yield* valkey.lrange(k, 0, -1)
          const second = yield* valkey.lrange(k, 0, -1)
          assert.strictEqual(first, second, "one decoded value, shared")
          assert.isTrue(Object.isFrozen(first))
          assert.throws(() => (first as Array<string>).push("c"))
          assert.deepStrictEqual(yield* valkey.lrange(k, 0, -1), ["a", "b"])
        })
      )

      it.effect("broadcast mode: only keys under the prefixes are cached, and any write to them invalidates", () =>
        Effect.gen(function* () {
          const { cache, valkey } = yield* cached(`bcast${protocol}`, {
            cache: { mode: "broadcast", prefixes: [`${p}b:`] }
          })
          const { valkey: other } = yield* target.client({ protocol })
          const inside = `${p}b:1`
          const outside = `${p}x:1`
          yield* other.set(inside, "1")
          yield* other.set(outside, "1")
          assert.strictEqual(yield* valkey.get(inside), "1")
          assert.strictEqual(yield* valkey.get(outside), "1")
          assert.strictEqual((yield* stats(cache)).entries, 1)
          yield* other.set(inside, "2")
          assert.isTrue(yield* eventually(Effect.map(stats(cache), (s) => s.entries === 0)))
          assert.strictEqual(yield* valkey.get(inside), "2")
        })
      )
    })
  }
}
