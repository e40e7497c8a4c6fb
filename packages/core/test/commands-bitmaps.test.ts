import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { client, protocols } from "./support.ts"

layer(ValkeyServer.layer())("bitmap commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:bit:`

      it.effect("SETBIT, GETBIT, BITCOUNT with BYTE and BIT ranges", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}bits`
          assert.strictEqual(yield* v.setbit(k, 1, 1), 0)
          assert.strictEqual(yield* v.setbit(k, 1, 1), 1)
          assert.strictEqual(yield* v.setbit(k, 7, 1), 0)
          assert.strictEqual(yield* v.setbit(k, 9, 1), 0)
          assert.strictEqual(yield* v.getbit(k, 1), 1)
          assert.strictEqual(yield* v.getbit(k, 2), 0)
          assert.strictEqual(yield* v.getbit(k, 1000), 0)
          assert.strictEqual(yield* v.getbit(`${p}none`, 0), 0)
          assert.strictEqual(yield* v.bitcount(k), 3)
          assert.strictEqual(yield* v.bitcount(k, { start: 0, end: 0 }), 2)
          assert.strictEqual(yield* v.bitcount(k, { start: -1, end: -1, unit: "BYTE" }), 1)
          assert.strictEqual(yield* v.bitcount(k, { start: 2, end: 8, unit: "BIT" }), 1)
          assert.strictEqual(yield* v.bitcount(`${p}none`), 0)
        })
      )

      it.effect("BITPOS with and without ranges", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}pos`
          yield* v.set(k, "\u00ff\u00f0\u0000")
          const ones = `${p}ones`
          yield* v.setbit(ones, 0, 1)
          yield* v.setbit(ones, 5, 1)
          yield* v.setbit(ones, 12, 1)
          assert.strictEqual(yield* v.bitpos(ones, 1), 0)
          assert.strictEqual(yield* v.bitpos(ones, 0), 1)
          assert.strictEqual(yield* v.bitpos(ones, 1, { start: 1 }), 12)
          assert.strictEqual(yield* v.bitpos(ones, 1, { start: 1, end: 11, unit: "BIT" }), 5)
          assert.strictEqual(yield* v.bitpos(ones, 1, { start: 0, end: 0, unit: "BYTE" }), 0)
          assert.strictEqual(yield* v.bitpos(ones, 1, { start: 2 }), -1)
          assert.strictEqual(yield* v.bitpos(`${p}none`, 1), -1)
          assert.strictEqual(yield* v.bitpos(`${p}none`, 0), 0)
        })
      )

      it.effect("BITOP AND, OR, XOR, NOT", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const a = `${p}{op}a`
          const b = `${p}{op}b`
          const d = `${p}{op}dest`
          yield* v.set(a, "\u0003")
          yield* v.set(b, "\u0005\u0001")
          assert.strictEqual(yield* v.bitop("AND", d, [a, b]), 2)
          assert.strictEqual(yield* v.get(d), "\u0001\u0000")
          assert.strictEqual(yield* v.bitop("OR", d, [a, b]), 2)
          assert.strictEqual(yield* v.get(d), "\u0007\u0001")
          assert.strictEqual(yield* v.bitop("XOR", d, [a, b]), 2)
          assert.strictEqual(yield* v.get(d), "\u0006\u0001")
          assert.strictEqual(yield* v.bitop("NOT", d, [b]), 2)
          assert.strictEqual(yield* v.bitcount(d), 13)
        })
      )

      it.effect("BITFIELD with GET, SET, INCRBY, OVERFLOW; BITFIELD_RO", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}field`
          assert.deepStrictEqual(
            yield* v.bitfield(k, [
              { type: "SET", encoding: "u8", offset: 0, value: 200 },
              { type: "GET", encoding: "u8", offset: 0 },
              { type: "INCRBY", encoding: "u8", offset: 0, increment: 100 },
              { type: "OVERFLOW", behavior: "SAT" },
              { type: "INCRBY", encoding: "u8", offset: 0, increment: 250 },
              { type: "OVERFLOW", behavior: "FAIL" },
              { type: "INCRBY", encoding: "u8", offset: 0, increment: 1 },
              { type: "SET", encoding: "i16", offset: "#1", value: -300 },
              { type: "GET", encoding: "i16", offset: "#1" }
            ]),
            [0, 200, 44, 255, null, 0, -300]
          )
          assert.deepStrictEqual(
            yield* v.bitfieldReadOnly(k, [
              { type: "GET", encoding: "u8", offset: 0 },
              { type: "GET", encoding: "i16", offset: 16 },
              { type: "GET", encoding: "u4", offset: 0 }
            ]),
            [255, -300, 15]
          )
          assert.deepStrictEqual(
            yield* v.bitfieldReadOnly(`${p}none`, [{ type: "GET", encoding: "i64", offset: 0 }]),
            [0]
          )
          assert.deepStrictEqual(yield* v.bitfield(k, []), [])
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}invalid`
          const failures = [
            yield* Effect.flip(v.setbit(k, -1, 1)),
            yield* Effect.flip(v.setbit(k, 0, 2 as never)),
            yield* Effect.flip(v.getbit(k, 1.5)),
            yield* Effect.flip(v.bitcount(k, { start: 0, end: 1, unit: "WORD" as never })),
            yield* Effect.flip(v.bitpos(k, 1, { start: 0, unit: "BIT" })),
            yield* Effect.flip(v.bitop("NOT", k, [k, k])),
            yield* Effect.flip(v.bitop("AND", k, [])),
            yield* Effect.flip(v.bitfield(k, [{ type: "SET", encoding: "u64", offset: 0, value: 1 }])),
            yield* Effect.flip(v.bitfield(k, [{ type: "SET", encoding: "i8", offset: "#x" as never, value: 1 }])),
            yield* Effect.flip(v.bitfield(k, [{ type: "OVERFLOW", behavior: "LOUD" as never }])),
            yield* Effect.flip(v.bitfieldReadOnly(k, [])),
            yield* Effect.flip(v.bitfieldReadOnly(k, [{ type: "SET", encoding: "u8", offset: 0, value: 1 } as never]))
          ]
          for (const failure of failures) assert.strictEqual(failure._tag, "InvalidArgumentError")
          assert.strictEqual(yield* v.exists([k]), 0)
        })
      )
    })
  }
})
