import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { client, protocols } from "./support.ts"

layer(ValkeyServer.layer())("set commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:set:`

      it.effect("SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}basic`
          assert.strictEqual(yield* v.sadd(k, ["a", "b", "c", "a", 1]), 4)
          assert.strictEqual(yield* v.sadd(k, ["a"]), 0)
          assert.deepStrictEqual(yield* v.smembers(k), new Set(["a", "b", "c", "1"]))
          assert.deepStrictEqual(yield* v.smembers(`${p}none`), new Set())
          assert.strictEqual(yield* v.sismember(k, "a"), true)
          assert.strictEqual(yield* v.sismember(k, "z"), false)
          assert.deepStrictEqual(yield* v.smismember(k, ["a", "z", 1]), [true, false, true])
          assert.strictEqual(yield* v.scard(k), 4)
          assert.strictEqual(yield* v.srem(k, ["a", "z"]), 1)
          assert.strictEqual(yield* v.scard(k), 3)
          assert.strictEqual(yield* v.scard(`${p}none`), 0)
        })
      )

      it.effect("SPOP, SRANDMEMBER with and without count", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}random`
          const all = new Set(["a", "b", "c"])
          yield* v.sadd(k, [...all])
          const one = yield* v.srandmember(k)
          assert.isTrue(one !== null && all.has(one))
          const two = yield* v.srandmemberCount(k, 2)
          assert.strictEqual(new Set(two).size, 2)
          const repeated = yield* v.srandmemberCount(k, -7)
          assert.strictEqual(repeated.length, 7)
          for (const m of repeated) assert.isTrue(all.has(m))
          assert.strictEqual(yield* v.srandmember(`${p}none`), null)
          assert.deepStrictEqual(yield* v.srandmemberCount(`${p}none`, 3), [])
          const popped = yield* v.spop(k)
          assert.isTrue(popped !== null && all.has(popped))
          const rest = yield* v.spopCount(k, 5)
          assert.instanceOf(rest, Set)
          assert.strictEqual(rest.size, 2)
          assert.deepStrictEqual(new Set([popped, ...rest]), all)
          assert.strictEqual(yield* v.spop(k), null)
          assert.deepStrictEqual(yield* v.spopCount(k, 2), new Set())
        })
      )

      it.effect("SMOVE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const a = `${p}{mv}a`
          const b = `${p}{mv}b`
          yield* v.sadd(a, ["x", "y"])
          assert.strictEqual(yield* v.smove(a, b, "x"), true)
          assert.strictEqual(yield* v.smove(a, b, "nope"), false)
          assert.deepStrictEqual(yield* v.smembers(a), new Set(["y"]))
          assert.deepStrictEqual(yield* v.smembers(b), new Set(["x"]))
        })
      )

      it.effect("SINTER, SUNION, SDIFF, their STORE variants, SINTERCARD", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const a = `${p}{alg}a`
          const b = `${p}{alg}b`
          const d = `${p}{alg}dest`
          yield* v.sadd(a, ["1", "2", "3", "4"])
          yield* v.sadd(b, ["3", "4", "5"])
          assert.deepStrictEqual(yield* v.sinter([a, b]), new Set(["3", "4"]))
          assert.deepStrictEqual(yield* v.sunion([a, b]), new Set(["1", "2", "3", "4", "5"]))
          assert.deepStrictEqual(yield* v.sdiff([a, b]), new Set(["1", "2"]))
          assert.deepStrictEqual(yield* v.sinter([a, `${p}{alg}none`]), new Set())
          assert.strictEqual(yield* v.sinterCard([a, b]), 2)
          assert.strictEqual(yield* v.sinterCard([a, b], 1), 1)
          assert.strictEqual(yield* v.sinterCard([a, b], 0), 2)
          assert.strictEqual(yield* v.sinterstore(d, [a, b]), 2)
          assert.deepStrictEqual(yield* v.smembers(d), new Set(["3", "4"]))
          assert.strictEqual(yield* v.sunionstore(d, [a, b]), 5)
          assert.strictEqual(yield* v.sdiffstore(d, [b, a]), 1)
          assert.deepStrictEqual(yield* v.smembers(d), new Set(["5"]))
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}invalid`
          const failures = [
            yield* Effect.flip(v.sadd(k, [])),
            yield* Effect.flip(v.smismember(k, [])),
            yield* Effect.flip(v.spopCount(k, -1)),
            yield* Effect.flip(v.srandmemberCount(k, 0.5)),
            yield* Effect.flip(v.sinter([])),
            yield* Effect.flip(v.sunionstore(k, [])),
            yield* Effect.flip(v.sinterCard([k], -1))
          ]
          for (const failure of failures) assert.strictEqual(failure._tag, "InvalidArgumentError")
          assert.strictEqual(yield* v.exists([k]), 0)
        })
      )
    })
  }
})
