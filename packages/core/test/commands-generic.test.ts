import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import type { ValkeyService } from "../src/index.ts"
import { client, protocols } from "./support.ts"

/** How often the server ran `command`, from INFO commandstats. */
const calls = (v: ValkeyService, command: string) =>
  v.info(["commandstats"]).pipe(
    Effect.map((text) => {
      const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, "m").exec(text)
      return match === null ? 0 : Number(match[1])
    })
  )

/** Runs `effect` with an LFU eviction policy (OBJECT FREQ, RESTORE FREQ need one). */
const withLfu = <A, E>(v: ValkeyService, effect: Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    v.configSet({ "maxmemory-policy": "allkeys-lfu" }),
    () => effect,
    () => Effect.orDie(v.configSet({ "maxmemory-policy": "noeviction" }))
  )

const codeOf = (error: { readonly _tag: string; readonly code?: string }) =>
  error._tag === "ReplyError" ? error.code : error._tag

layer(ValkeyServer.layer())("more generic key commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:gen:`

      it.effect("SORT, SORT_RO and SORT … STORE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const list = `${p}list`
          yield* v.rpush(list, ["3", "1", "2", "10"])
          assert.deepStrictEqual(yield* v.sort(list), ["1", "2", "3", "10"])
          assert.deepStrictEqual(yield* v.sort(list, { order: "DESC", limit: { offset: 1, count: 2 } }), ["3", "2"])
          assert.deepStrictEqual(yield* v.sort(list, { alpha: true }), ["1", "10", "2", "3"])
          assert.deepStrictEqual(yield* v.sortReadOnly(list, { order: "DESC" }), ["10", "3", "2", "1"])
          yield* v.mset({ [`${p}w_1`]: 30, [`${p}w_2`]: 10, [`${p}w_3`]: 20, [`${p}w_10`]: 40 })
          yield* v.hset(`${p}d_1`, { name: "one" })
          yield* v.hset(`${p}d_2`, { name: "two" })
          assert.deepStrictEqual(yield* v.sort(list, { by: `${p}w_*`, get: ["#", `${p}d_*->name`] }), [
            "2",
            "two",
            "3",
            null,
            "1",
            "one",
            "10",
            null
          ])
          assert.deepStrictEqual(yield* v.sortReadOnly(list, { by: "nosort", get: [`${p}w_*`] }), [
            "20",
            "30",
            "10",
            "40"
          ])
          const dest = `${p}sorted`
          assert.strictEqual(yield* v.sortStore(list, dest, { order: "DESC" }), 4)
          assert.deepStrictEqual(yield* v.lrange(dest, 0, -1), ["10", "3", "2", "1"])
          assert.strictEqual(yield* v.sortStore(`${p}none`, dest), 0)
          assert.strictEqual(yield* v.exists([dest]), 0)
          assert.strictEqual(codeOf(yield* Effect.flip(v.sort(`${p}w_1`))), "WRONGTYPE")
        })
      )

      it.effect("OBJECT ENCODING, REFCOUNT, IDLETIME, FREQ", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          yield* v.set(`${p}int`, "12345")
          yield* v.set(`${p}str`, "abc")
          yield* v.rpush(`${p}l`, ["a"])
          assert.strictEqual(yield* v.objectEncoding(`${p}int`), "int")
          assert.strictEqual(yield* v.objectEncoding(`${p}str`), "embstr")
          assert.strictEqual(yield* v.objectEncoding(`${p}l`), "listpack")
          assert.strictEqual(yield* v.objectEncoding(`${p}none`), null)
          assert.strictEqual(yield* v.objectRefcount(`${p}str`), 1)
          assert.strictEqual(yield* v.objectRefcount(`${p}none`), null)
          const idle = yield* v.objectIdletime(`${p}str`)
          assert.isTrue(idle !== null && idle >= 0 && idle < 60)
          assert.strictEqual(yield* v.objectIdletime(`${p}none`), null)
          // FREQ needs an LFU policy (and IDLETIME then refuses).
          assert.strictEqual(codeOf(yield* Effect.flip(v.objectFreq(`${p}str`))), "ERR")
          const [freq, idleUnderLfu] = yield* withLfu(
            v,
            Effect.all([v.objectFreq(`${p}str`), Effect.flip(v.objectIdletime(`${p}str`))])
          )
          assert.isTrue(freq !== null && freq >= 0 && freq <= 255)
          assert.strictEqual(codeOf(idleUnderLfu), "ERR")
          assert.strictEqual(yield* withLfu(v, v.objectFreq(`${p}none`)), null)
        })
      )

      it.effect("DUMP and RESTORE with REPLACE, ABSTTL, IDLETIME, FREQ", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}dump`
          yield* v.hset(k, { a: "1", b: "2" })
          const payload = yield* v.dump(k)
          assert.instanceOf(payload, Uint8Array)
          assert.strictEqual(yield* v.dump(`${p}none`), null)
          if (payload === null) return
          const copy = `${p}restored`
          assert.strictEqual(yield* v.restore(copy, 0, payload), "OK")
          assert.deepStrictEqual(yield* v.hgetall(copy), { a: "1", b: "2" })
          assert.strictEqual(yield* v.ttl(copy), -1)
          assert.strictEqual(codeOf(yield* Effect.flip(v.restore(copy, 0, payload))), "BUSYKEY")
          assert.strictEqual(yield* v.restore(copy, 100_000, payload, { replace: true, idletime: 1000 }), "OK")
          assert.isTrue((yield* v.pttl(copy)) > 90_000)
          assert.isTrue(((yield* v.objectIdletime(copy)) ?? 0) >= 1000)
          const at = Date.now() + 600_000
          assert.strictEqual(yield* v.restore(copy, at, payload, { replace: true, absttl: true }), "OK")
          assert.strictEqual(yield* v.pexpireTime(copy), at)
          const [restored, freq] = yield* withLfu(
            v,
            Effect.all([v.restore(copy, 0, payload, { replace: true, frequency: 200 }), v.objectFreq(copy)])
          )
          assert.strictEqual(restored, "OK")
          assert.strictEqual(freq, 200)
          assert.strictEqual(codeOf(yield* Effect.flip(v.restore(`${p}bad`, 0, new Uint8Array([1, 2, 3])))), "ERR")
        })
      )

      it.effect("COPY, RENAME, RENAMENX, MOVE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const other = yield* client({ protocol, database: 1 })
          const a = `${p}a`
          const b = `${p}b`
          yield* v.set(a, "1")
          assert.strictEqual(yield* v.copy(a, b), true)
          assert.strictEqual(yield* v.copy(a, b), false)
          yield* v.set(a, "2")
          assert.strictEqual(yield* v.copy(a, b, { replace: true }), true)
          assert.strictEqual(yield* v.get(b), "2")
          assert.strictEqual(yield* v.copy(a, a, { destinationDb: 1 }), true)
          assert.strictEqual(yield* other.get(a), "2")
          assert.strictEqual(yield* v.copy(`${p}none`, b), false)
          assert.strictEqual(yield* v.rename(a, `${p}c`), "OK")
          assert.strictEqual(yield* v.get(`${p}c`), "2")
          assert.strictEqual(codeOf(yield* Effect.flip(v.rename(a, b))), "ERR")
          assert.strictEqual(yield* v.renamenx(`${p}c`, b), false)
          assert.strictEqual(yield* v.renamenx(`${p}c`, `${p}d`), true)
          assert.strictEqual(yield* v.move(`${p}d`, 1), true)
          assert.strictEqual(yield* v.exists([`${p}d`]), 0)
          assert.strictEqual(yield* other.get(`${p}d`), "2")
          assert.strictEqual(yield* v.move(`${p}none`, 1), false)
          yield* v.set(`${p}d`, "3")
          assert.strictEqual(yield* v.move(`${p}d`, 1), false)
        })
      )

      it.effect("RANDOMKEY and KEYS", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol, database: 10 + protocol })
          yield* v.flushdb()
          assert.strictEqual(yield* v.randomKey(), null)
          assert.deepStrictEqual(yield* v.keys("*"), [])
          yield* v.mset({ k1: "1", k2: "2", other: "3" })
          const random = yield* v.randomKey()
          assert.isTrue(random === "k1" || random === "k2" || random === "other")
          assert.deepStrictEqual((yield* v.keys("k*")).sort(), ["k1", "k2"])
          assert.deepStrictEqual(yield* v.keys("nothing*"), [])
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const names = ["move", "restore", "copy", "sort"]
          const before = yield* Effect.forEach(names, (name) => calls(v, name))
          const failures = [
            v.move(`${p}x`, -1),
            v.restore(`${p}x`, 0, new Uint8Array([1]), { idletime: 1, frequency: 1 }),
            v.restore(`${p}x`, -5, new Uint8Array([1])),
            v.restore(`${p}x`, 0, new Uint8Array([1]), { frequency: 256 }),
            v.copy(`${p}x`, `${p}y`, { destinationDb: Number.NaN }),
            v.sort(`${p}x`, { limit: { offset: 0.5, count: 1 } }),
            v.sortStore(`${p}x`, `${p}y`, { limit: { offset: 0, count: Number.POSITIVE_INFINITY } })
          ]
          for (const failure of failures) {
            const error = yield* Effect.flip(failure as Effect.Effect<unknown, { readonly _tag: string }>)
            assert.strictEqual(error._tag, "InvalidArgumentError")
          }
          assert.deepStrictEqual(yield* Effect.forEach(names, (name) => calls(v, name)), before)
        })
      )
    })
  }
})
