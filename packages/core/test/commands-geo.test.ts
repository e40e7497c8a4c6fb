import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { client, protocols } from "./support.ts"

const close = (actual: number | null | undefined, expected: number, within = 1e-4) =>
  assert.isTrue(
    actual !== null && actual !== undefined && Math.abs(actual - expected) <= within,
    `${actual} ≉ ${expected}`
  )

const PALERMO = { longitude: 13.361389, latitude: 38.115556 }
const CATANIA = { longitude: 15.087269, latitude: 37.502669 }

layer(ValkeyServer.layer())("geo commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:geo:`

      it.effect("GEOADD with NX, XX, CH; GEOPOS, GEODIST, GEOHASH", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}sicily`
          assert.strictEqual(yield* v.geoadd(k, { Palermo: PALERMO }), 1)
          assert.strictEqual(yield* v.geoadd(k, [{ member: "Catania", ...CATANIA }]), 1)
          assert.strictEqual(yield* v.geoadd(k, { Palermo: CATANIA, Agrigento: PALERMO }, { condition: "NX" }), 1)
          assert.strictEqual(
            yield* v.geoadd(
              k,
              { Agrigento: { longitude: 13.583333, latitude: 37.316667 }, Nowhere: PALERMO },
              {
                condition: "XX",
                changed: true
              }
            ),
            1
          )
          assert.strictEqual(yield* v.geoadd(k, { Catania: CATANIA }, { changed: true }), 0)
          const [palermo, nope, catania] = yield* v.geopos(k, ["Palermo", "nope", "Catania"])
          close(palermo?.longitude, PALERMO.longitude)
          close(palermo?.latitude, PALERMO.latitude)
          close(catania?.longitude, CATANIA.longitude)
          assert.strictEqual(nope, null)
          assert.deepStrictEqual(yield* v.geopos(`${p}none`, ["a"]), [null])
          close(yield* v.geodist(k, "Palermo", "Catania"), 166274.1516)
          close(yield* v.geodist(k, "Palermo", "Catania", "km"), 166.2742)
          close(yield* v.geodist(k, "Palermo", "Catania", "mi"), 103.3182)
          assert.strictEqual(yield* v.geodist(k, "Palermo", "nope"), null)
          assert.deepStrictEqual(yield* v.geohash(k, ["Palermo", "nope", "Catania"]), [
            "sqc8b49rny0",
            null,
            "sqdtr74hyu0"
          ])
        })
      )

      it.effect("GEOSEARCH from a member or a point, by radius or box, ordered, counted, with info", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}search`
          yield* v.geoadd(k, {
            Palermo: PALERMO,
            Catania: CATANIA,
            Rome: { longitude: 12.496365, latitude: 41.902783 }
          })
          const origin = { longitude: 15, latitude: 37 }
          assert.deepStrictEqual(yield* v.geosearch(k, origin, { radius: 200, unit: "km" }, { order: "ASC" }), [
            "Catania",
            "Palermo"
          ])
          assert.deepStrictEqual(yield* v.geosearch(k, origin, { radius: 200, unit: "km" }, { order: "DESC" }), [
            "Palermo",
            "Catania"
          ])
          assert.deepStrictEqual(
            yield* v.geosearch(k, origin, { radius: 2000, unit: "km" }, { order: "ASC", count: 1 }),
            ["Catania"]
          )
          const any = yield* v.geosearch(k, origin, { radius: 2000, unit: "km" }, { count: 2, any: true })
          assert.strictEqual(any.length, 2)
          assert.deepStrictEqual(
            (yield* v.geosearch(k, { member: "Palermo" }, { width: 400, height: 400, unit: "km" })).sort(),
            ["Catania", "Palermo"]
          )
          assert.deepStrictEqual(yield* v.geosearch(`${p}none`, origin, { radius: 1, unit: "m" }), [])
          const info = yield* v.geosearchWithInfo(k, origin, { radius: 200, unit: "km" }, { order: "ASC" })
          assert.deepStrictEqual(
            info.map((r) => [r.member, r.distance, r.hash]),
            [
              ["Catania", 56.4413, 3479447370796909],
              ["Palermo", 190.4424, 3479099956230698]
            ]
          )
          close(info[0]?.coordinates.longitude, CATANIA.longitude)
          close(info[1]?.coordinates.latitude, PALERMO.latitude)
          const fromMember = yield* v.geosearchWithInfo(
            k,
            { member: "Rome" },
            { radius: 100, unit: "mi" },
            { order: "ASC", count: 5 }
          )
          assert.deepStrictEqual(
            fromMember.map((r) => [r.member, r.distance]),
            [["Rome", 0]]
          )
        })
      )

      it.effect("GEOSEARCHSTORE with and without STOREDIST", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const src = `${p}{st}src`
          const dst = `${p}{st}dst`
          yield* v.geoadd(src, { Palermo: PALERMO, Catania: CATANIA })
          const origin = { longitude: 15, latitude: 37 }
          assert.strictEqual(yield* v.geosearchstore(dst, src, origin, { radius: 100, unit: "km" }), 1)
          close((yield* v.geopos(dst, ["Catania"]))[0]?.longitude ?? null, CATANIA.longitude)
          assert.strictEqual(
            yield* v.geosearchstore(dst, src, origin, { radius: 200, unit: "km" }, { order: "ASC", storeDist: true }),
            2
          )
          const stored = yield* v.zrangeWithScores(dst, { type: "byIndex", start: 0, stop: -1 })
          assert.deepStrictEqual(
            stored.map((m) => m.member),
            ["Catania", "Palermo"]
          )
          close(stored[0]?.score, 56.4413, 1e-3)
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}invalid`
          const origin = { longitude: 15, latitude: 37 }
          const failures = [
            yield* Effect.flip(v.geoadd(k, {})),
            yield* Effect.flip(v.geoadd(k, { x: { longitude: 181, latitude: 0 } })),
            yield* Effect.flip(v.geoadd(k, [{ member: "x", longitude: 0, latitude: 86 }])),
            yield* Effect.flip(v.geoadd(k, { x: { longitude: Number.NaN, latitude: 0 } })),
            yield* Effect.flip(v.geodist(k, "a", "b", "yards" as never)),
            yield* Effect.flip(v.geohash(k, [])),
            yield* Effect.flip(v.geopos(k, [])),
            yield* Effect.flip(v.geosearch(k, origin, { radius: -1, unit: "km" })),
            yield* Effect.flip(v.geosearch(k, origin, { width: 1, height: Infinity, unit: "km" })),
            yield* Effect.flip(v.geosearch(k, origin, { radius: 1, unit: "km" }, { any: true })),
            yield* Effect.flip(v.geosearchWithInfo(k, origin, { radius: 1, unit: "km" }, { count: 0 })),
            yield* Effect.flip(v.geosearchstore(k, k, { longitude: 200, latitude: 0 }, { radius: 1, unit: "km" }))
          ]
          for (const failure of failures) assert.strictEqual(failure._tag, "InvalidArgumentError")
          assert.strictEqual(yield* v.exists([k]), 0)
        })
      )
    })
  }
})
