import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { client, protocols } from "./support.ts"

layer(ValkeyServer.layer())("more string commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:str:`

      it.effect("GETEX with every expiry option and PERSIST", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}getex`
          assert.strictEqual(yield* v.getEx(`${p}none`, { ex: 10 }), null)
          yield* v.set(k, "v")
          assert.strictEqual(yield* v.getEx(k), "v")
          assert.strictEqual(yield* v.ttl(k), -1)
          assert.strictEqual(yield* v.getEx(k, { ex: 100 }), "v")
          assert.isTrue((yield* v.ttl(k)) > 90)
          assert.strictEqual(yield* v.getEx(k, { px: 200_000 }), "v")
          assert.isTrue((yield* v.pttl(k)) > 190_000)
          const at = Math.floor(Date.now() / 1000) + 1000
          assert.strictEqual(yield* v.getEx(k, { exat: at }), "v")
          assert.strictEqual(yield* v.expireTime(k), at)
          assert.strictEqual(yield* v.getEx(k, { pxat: at * 1000 + 5 }), "v")
          assert.strictEqual(yield* v.pexpireTime(k), at * 1000 + 5)
          assert.strictEqual(yield* v.getEx(k, { persist: true }), "v")
          assert.strictEqual(yield* v.ttl(k), -1)
        })
      )

      it.effect("SETNX, SETEX, PSETEX", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}setnx`
          assert.strictEqual(yield* v.setnx(k, "a"), true)
          assert.strictEqual(yield* v.setnx(k, "b"), false)
          assert.strictEqual(yield* v.get(k), "a")
          assert.strictEqual(yield* v.setex(k, 100, "c"), "OK")
          assert.strictEqual(yield* v.get(k), "c")
          assert.isTrue((yield* v.ttl(k)) > 90)
          assert.strictEqual(yield* v.psetex(k, 100_000, 7), "OK")
          assert.strictEqual(yield* v.get(k), "7")
          const pttl = yield* v.pttl(k)
          assert.isTrue(pttl > 90_000 && pttl <= 100_000)
        })
      )

      it.effect("LCS, LCS LEN, LCS IDX", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const a = `${p}{lcs}a`
          const b = `${p}{lcs}b`
          yield* v.mset({ [a]: "ohmytext", [b]: "mynewtext" })
          assert.strictEqual(yield* v.lcs(a, b), "mytext")
          assert.strictEqual(yield* v.lcsLen(a, b), 6)
          assert.strictEqual(yield* v.lcs(a, `${p}{lcs}none`), "")
          assert.deepStrictEqual(yield* v.lcsIdx(a, b), {
            matches: [
              { key1: { start: 4, end: 7 }, key2: { start: 5, end: 8 }, length: 4 },
              { key1: { start: 2, end: 3 }, key2: { start: 0, end: 1 }, length: 2 }
            ],
            length: 6
          })
          assert.deepStrictEqual(yield* v.lcsIdx(a, b, { minMatchLength: 4 }), {
            matches: [{ key1: { start: 4, end: 7 }, key2: { start: 5, end: 8 }, length: 4 }],
            length: 6
          })
          assert.deepStrictEqual(yield* v.lcsIdx(`${p}{lcs}none`, b), { matches: [], length: 0 })
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}invalid`
          yield* v.set(k, "kept")
          const failures = [
            yield* Effect.flip(v.getEx(k, { ex: 10, persist: true })),
            yield* Effect.flip(v.getEx(k, { ex: 10, px: 10 })),
            yield* Effect.flip(v.getEx(k, { ex: 0 })),
            yield* Effect.flip(v.setex(k, -1, "x")),
            yield* Effect.flip(v.psetex(k, 1.5, "x")),
            yield* Effect.flip(v.lcsIdx(k, k, { minMatchLength: -1 }))
          ]
          for (const failure of failures) assert.strictEqual(failure._tag, "InvalidArgumentError")
          assert.strictEqual(yield* v.get(k), "kept")
          assert.strictEqual(yield* v.ttl(k), -1)
        })
      )
    })
  }
})
