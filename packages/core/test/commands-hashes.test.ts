import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { client, protocols } from "./support.ts"

layer(ValkeyServer.layer())("more hash commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:hash:`

      it.effect("HRANDFIELD with count and WITHVALUES", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}rand`
          const hash: Record<string, string> = { a: "1", b: "2", c: "3" }
          yield* v.hset(k, hash)
          const one = yield* v.hrandfield(k)
          assert.isTrue(one !== null && one in hash)
          assert.strictEqual(yield* v.hrandfield(`${p}none`), null)
          const two = yield* v.hrandfieldCount(k, 2)
          assert.strictEqual(new Set(two).size, 2)
          assert.strictEqual((yield* v.hrandfieldCount(k, -5)).length, 5)
          assert.deepStrictEqual(yield* v.hrandfieldCount(`${p}none`, 2), [])
          const all = yield* v.hrandfieldWithValues(k, 10)
          assert.deepStrictEqual(
            all.sort(([x], [y]) => x.localeCompare(y)),
            [
              ["a", "1"],
              ["b", "2"],
              ["c", "3"]
            ]
          )
          const repeated = yield* v.hrandfieldWithValues(k, -4)
          assert.strictEqual(repeated.length, 4)
          for (const [field, value] of repeated) assert.strictEqual(value, hash[field])
          assert.deepStrictEqual(yield* v.hrandfieldWithValues(`${p}none`, 3), [])
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}invalid`
          const failures = [
            yield* Effect.flip(v.hrandfieldCount(k, Number.NaN)),
            yield* Effect.flip(v.hrandfieldWithValues(k, 1.5))
          ]
          for (const failure of failures) assert.strictEqual(failure._tag, "InvalidArgumentError")
        })
      )
    })
  }
})
