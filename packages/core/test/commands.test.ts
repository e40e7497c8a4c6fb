import { assert, describe, layer } from "@effect/vitest"
import { ServerVersion, ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { client, protocols } from "./support.ts"

layer(ValkeyServer.layer())("typed commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:`

      it.effect("PING, ECHO, INFO", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          assert.strictEqual(yield* v.ping(), "PONG")
          assert.strictEqual(yield* v.ping("hi"), "hi")
          assert.strictEqual(yield* v.echo("héllo ✓"), "héllo ✓")
          const info = yield* v.info(["server"])
          assert.include(info, `valkey_version:${ServerVersion.of().text}\r\n`)
        })
      )

      it.effect("GET and SET with every option", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}str`
          assert.strictEqual(yield* v.set(k, "a"), "OK")
          assert.strictEqual(yield* v.get(k), "a")
          assert.strictEqual(yield* v.get(`${p}missing`), null)
          assert.strictEqual(yield* v.set(k, "b", { condition: "NX" }), null)
          assert.strictEqual(yield* v.set(`${p}absent`, "b", { condition: "XX" }), null)
          assert.strictEqual(yield* v.set(k, "c", { condition: "XX", ex: 100 }), "OK")
          assert.isTrue((yield* v.ttl(k)) > 90)
          assert.strictEqual(yield* v.set(k, "d", { keepTtl: true }), "OK")
          assert.isTrue((yield* v.ttl(k)) > 90)
          assert.strictEqual(yield* v.set(k, "e", { px: 100_000 }), "OK")
          assert.isTrue((yield* v.pttl(k)) > 90_000)
          const at = Math.floor(Date.now() / 1000) + 1000
          assert.strictEqual(yield* v.set(k, "f", { exat: at }), "OK")
          assert.strictEqual(yield* v.expireTime(k), at)
          assert.strictEqual(yield* v.set(k, "g", { pxat: at * 1000 }), "OK")
          assert.strictEqual(yield* v.pexpireTime(k), at * 1000)
          assert.strictEqual(yield* v.setGet(k, "h"), "g")
          assert.strictEqual(yield* v.getDel(k), "h")
          assert.strictEqual(yield* v.get(k), null)
        })
      )

      it.effect("bad SET options are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const both = yield* Effect.flip(v.set(`${p}x`, "1", { ex: 1, px: 1 }))
          assert.strictEqual(both._tag, "InvalidArgumentError")
          const negative = yield* Effect.flip(v.set(`${p}x`, "1", { ex: -5 }))
          assert.strictEqual(negative._tag, "InvalidArgumentError")
          assert.strictEqual(yield* v.exists([`${p}x`]), 0)
        })
      )

      it.effect("MGET, MSET, MSETNX, DEL, UNLINK, EXISTS, TOUCH", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          assert.strictEqual(yield* v.mset({ [`${p}m1`]: "1", [`${p}m2`]: 2 }), "OK")
          assert.deepStrictEqual(yield* v.mget([`${p}m1`, `${p}m2`, `${p}m3`]), ["1", "2", null])
          assert.strictEqual(
            yield* v.msetnx([
              [`${p}m1`, "x"],
              [`${p}m3`, "y"]
            ]),
            false
          )
          assert.strictEqual(yield* v.msetnx([[`${p}m3`, "y"]]), true)
          assert.strictEqual(yield* v.exists([`${p}m1`, `${p}m1`, `${p}none`]), 2)
          assert.strictEqual(yield* v.touch([`${p}m1`, `${p}m2`]), 2)
          assert.strictEqual(yield* v.del([`${p}m1`, `${p}none`]), 1)
          assert.strictEqual(yield* v.unlink([`${p}m2`, `${p}m3`]), 2)
          const empty = yield* Effect.flip(v.del([]))
          assert.strictEqual(empty._tag, "InvalidArgumentError")
        })
      )

      it.effect("EXPIRE family, TTL, PERSIST, TYPE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}exp`
          yield* v.set(k, "1")
          assert.strictEqual(yield* v.ttl(k), -1)
          assert.strictEqual(yield* v.expire(k, 100), true)
          assert.strictEqual(yield* v.expire(k, 50, "GT"), false)
          assert.strictEqual(yield* v.pexpire(k, 200_000, "GT"), true)
          assert.strictEqual(yield* v.expireAt(k, Math.floor(Date.now() / 1000) + 500), true)
          assert.strictEqual(yield* v.pexpireAt(k, Date.now() + 600_000), true)
          assert.strictEqual(yield* v.persist(k), true)
          assert.strictEqual(yield* v.ttl(k), -1)
          assert.strictEqual(yield* v.ttl(`${p}none`), -2)
          assert.strictEqual(yield* v.type(k), "string")
          assert.strictEqual(yield* v.type(`${p}none`), "none")
          assert.strictEqual(yield* v.expire(`${p}none`, 10), false)
        })
      )

      it.effect("INCR family and string ranges", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}n`
          assert.strictEqual(yield* v.incr(k), 1)
          assert.strictEqual(yield* v.incrBy(k, 10), 11)
          assert.strictEqual(yield* v.decr(k), 10)
          assert.strictEqual(yield* v.decrBy(k, 4), 6)
          assert.strictEqual(yield* v.incrByFloat(k, 0.5), 6.5)
          const nan = yield* Effect.flip(v.incrBy(k, Number.NaN))
          assert.strictEqual(nan._tag, "InvalidArgumentError")
          const s = `${p}s`
          assert.strictEqual(yield* v.append(s, "hello"), 5)
          assert.strictEqual(yield* v.strlen(s), 5)
          assert.strictEqual(yield* v.getRange(s, 1, 3), "ell")
          assert.strictEqual(yield* v.setRange(s, 5, " world"), 11)
          const wrong = yield* Effect.flip(v.incr(s))
          assert.strictEqual(wrong._tag, "ReplyError")
          if (wrong._tag === "ReplyError") {
            assert.strictEqual(wrong.code, "ERR")
            assert.strictEqual(wrong.command, "INCR")
          }
        })
      )

      it.effect("hashes: same values under both protocols", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const h = `${p}h`
          assert.strictEqual(yield* v.hset(h, { a: "1", b: 2 }), 2)
          assert.strictEqual(yield* v.hset(h, [["c", "3"]]), 1)
          assert.strictEqual(yield* v.hget(h, "a"), "1")
          assert.strictEqual(yield* v.hget(h, "zz"), null)
          assert.deepStrictEqual(yield* v.hgetall(h), { a: "1", b: "2", c: "3" })
          assert.deepStrictEqual(yield* v.hgetall(`${p}nohash`), {})
          assert.deepStrictEqual(yield* v.hmget(h, ["a", "zz"]), ["1", null])
          assert.strictEqual(yield* v.hexists(h, "b"), true)
          assert.strictEqual(yield* v.hlen(h), 3)
          assert.deepStrictEqual((yield* v.hkeys(h)).sort(), ["a", "b", "c"])
          assert.deepStrictEqual((yield* v.hvals(h)).sort(), ["1", "2", "3"])
          assert.strictEqual(yield* v.hincrBy(h, "a", 5), 6)
          assert.strictEqual(yield* v.hincrByFloat(h, "a", 0.25), 6.25)
          assert.strictEqual(yield* v.hsetnx(h, "a", "x"), false)
          assert.strictEqual(yield* v.hstrlen(h, "a"), 4)
          assert.strictEqual(yield* v.hdel(h, ["a", "b", "zz"]), 2)
        })
      )

      it.effect("server: DBSIZE, TIME, CONFIG GET/SET", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          assert.isTrue((yield* v.dbsize()) >= 0)
          const t = yield* v.time()
          assert.isTrue(Math.abs(t.seconds - Date.now() / 1000) < 60)
          assert.strictEqual(yield* v.configSet({ "slowlog-max-len": 200 }), "OK")
          assert.deepStrictEqual(yield* v.configGet(["slowlog-max-len"]), { "slowlog-max-len": "200" })
        })
      )

      it.effect("binary keys and values round-trip", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const key = new Uint8Array([0, 255, 13, 10, 36, 42])
          const value = new Uint8Array(Array.from({ length: 256 }, (_, i) => i))
          assert.strictEqual(yield* v.set(key, value), "OK")
          const { Command, Commands } = yield* Effect.promise(() => import("../src/index.ts"))
          const back = yield* v.run(Command.bytes(Commands.strings.get(key)))
          assert.deepStrictEqual(back === null ? null : Array.from(back), Array.from(value))
        })
      )
    })
  }
})
