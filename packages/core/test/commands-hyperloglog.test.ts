import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { client, protocols } from "./support.ts"

layer(ValkeyServer.layer())("hyperloglog commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:hll:`

      it.effect("PFADD, PFCOUNT, PFMERGE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const a = `${p}{h}a`
          const b = `${p}{h}b`
          const d = `${p}{h}dest`
          assert.strictEqual(yield* v.pfadd(a, ["x", "y", "z", "x"]), true)
          assert.strictEqual(yield* v.pfadd(a, ["x"]), false)
          assert.strictEqual(yield* v.pfadd(b, ["z", "w", 1]), true)
          assert.strictEqual(yield* v.pfadd(`${p}{h}empty`, []), true)
          assert.strictEqual(yield* v.pfcount([`${p}{h}empty`]), 0)
          assert.strictEqual(yield* v.pfcount([a]), 3)
          assert.strictEqual(yield* v.pfcount([a, b]), 5)
          assert.strictEqual(yield* v.pfcount([`${p}{h}none`]), 0)
          assert.strictEqual(yield* v.pfmerge(d, [a, b]), "OK")
          assert.strictEqual(yield* v.pfcount([d]), 5)
          assert.strictEqual(yield* v.pfmerge(`${p}{h}alone`, []), "OK")
          assert.strictEqual(yield* v.pfcount([`${p}{h}alone`]), 0)
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const failure = yield* Effect.flip(v.pfcount([]))
          assert.strictEqual(failure._tag, "InvalidArgumentError")
          const wrongType = `${p}str`
          yield* v.set(wrongType, "not a hll")
          const error = yield* Effect.flip(v.pfadd(wrongType, ["a"]))
          assert.strictEqual(error._tag, "ReplyError")
        })
      )
    })
  }
})
