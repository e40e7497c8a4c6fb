import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Fiber } from "effect"
import { client, protocols } from "./support.ts"

// Real time: the blocking commands below wait on the server.
layer(ValkeyServer.layer(), { excludeTestServices: true })("list commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:list:`

      it.effect("LPUSH, RPUSH, the X variants, LRANGE, LLEN, LINDEX", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}push`
          assert.strictEqual(yield* v.lpushx(k, ["x"]), 0)
          assert.strictEqual(yield* v.rpushx(k, ["x"]), 0)
          assert.strictEqual(yield* v.lpush(k, ["b", "a"]), 2)
          assert.strictEqual(yield* v.rpush(k, ["c", 4]), 4)
          assert.strictEqual(yield* v.lpushx(k, ["z"]), 5)
          assert.strictEqual(yield* v.rpushx(k, ["y"]), 6)
          assert.deepStrictEqual(yield* v.lrange(k, 0, -1), ["z", "a", "b", "c", "4", "y"])
          assert.deepStrictEqual(yield* v.lrange(k, 1, 2), ["a", "b"])
          assert.deepStrictEqual(yield* v.lrange(`${p}none`, 0, -1), [])
          assert.strictEqual(yield* v.llen(k), 6)
          assert.strictEqual(yield* v.llen(`${p}none`), 0)
          assert.strictEqual(yield* v.lindex(k, 0), "z")
          assert.strictEqual(yield* v.lindex(k, -1), "y")
          assert.strictEqual(yield* v.lindex(k, 99), null)
        })
      )

      it.effect("LPOP, RPOP with and without count", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}pop`
          yield* v.rpush(k, ["a", "b", "c", "d", "e"])
          assert.strictEqual(yield* v.lpop(k), "a")
          assert.strictEqual(yield* v.rpop(k), "e")
          assert.deepStrictEqual(yield* v.lpopCount(k, 2), ["b", "c"])
          assert.deepStrictEqual(yield* v.rpopCount(k, 5), ["d"])
          assert.strictEqual(yield* v.lpop(k), null)
          assert.strictEqual(yield* v.rpop(k), null)
          assert.strictEqual(yield* v.lpopCount(k, 2), null)
          assert.strictEqual(yield* v.rpopCount(k, 2), null)
        })
      )

      it.effect("LSET, LINSERT, LREM, LTRIM", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}edit`
          yield* v.rpush(k, ["a", "b", "a", "c", "a"])
          assert.strictEqual(yield* v.lset(k, 1, "B"), "OK")
          assert.strictEqual(yield* v.linsert(k, "BEFORE", "c", "x"), 6)
          assert.strictEqual(yield* v.linsert(k, "AFTER", "c", "y"), 7)
          assert.strictEqual(yield* v.linsert(k, "AFTER", "nope", "y"), -1)
          assert.strictEqual(yield* v.linsert(`${p}none`, "AFTER", "a", "y"), 0)
          assert.deepStrictEqual(yield* v.lrange(k, 0, -1), ["a", "B", "a", "x", "c", "y", "a"])
          assert.strictEqual(yield* v.lrem(k, -1, "a"), 1)
          assert.strictEqual(yield* v.lrem(k, 0, "a"), 2)
          assert.deepStrictEqual(yield* v.lrange(k, 0, -1), ["B", "x", "c", "y"])
          assert.strictEqual(yield* v.ltrim(k, 1, 2), "OK")
          assert.deepStrictEqual(yield* v.lrange(k, 0, -1), ["x", "c"])
          const outOfRange = yield* Effect.flip(v.lset(k, 10, "z"))
          assert.strictEqual(outOfRange._tag, "ReplyError")
        })
      )

      it.effect("LPOS with RANK, COUNT, MAXLEN", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}pos`
          yield* v.rpush(k, ["a", "b", "c", "1", "2", "3", "c", "c"])
          assert.strictEqual(yield* v.lpos(k, "c"), 2)
          assert.strictEqual(yield* v.lpos(k, "c", { rank: 2 }), 6)
          assert.strictEqual(yield* v.lpos(k, "c", { rank: -1 }), 7)
          assert.strictEqual(yield* v.lpos(k, "zz"), null)
          assert.strictEqual(yield* v.lpos(k, "c", { maxLength: 2 }), null)
          assert.deepStrictEqual(yield* v.lposCount(k, "c", 2), [2, 6])
          assert.deepStrictEqual(yield* v.lposCount(k, "c", 0), [2, 6, 7])
          assert.deepStrictEqual(yield* v.lposCount(k, "c", 0, { rank: -1 }), [7, 6, 2])
          assert.deepStrictEqual(yield* v.lposCount(k, "c", 0, { maxLength: 7 }), [2, 6])
          assert.deepStrictEqual(yield* v.lposCount(k, "zz", 0), [])
        })
      )

      it.effect("LMOVE, RPOPLPUSH, LMPOP", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const src = `${p}{m}src`
          const dst = `${p}{m}dst`
          yield* v.rpush(src, ["a", "b", "c", "d"])
          assert.strictEqual(yield* v.lmove(src, dst, "LEFT", "RIGHT"), "a")
          assert.strictEqual(yield* v.lmove(src, dst, "RIGHT", "LEFT"), "d")
          assert.strictEqual(yield* v.rpoplpush(src, dst), "c")
          assert.deepStrictEqual(yield* v.lrange(dst, 0, -1), ["c", "d", "a"])
          assert.strictEqual(yield* v.lmove(`${p}{m}none`, dst, "LEFT", "LEFT"), null)
          assert.strictEqual(yield* v.rpoplpush(`${p}{m}none`, dst), null)
          assert.deepStrictEqual(yield* v.lmpop([`${p}{m}none`, dst], "LEFT"), { key: dst, elements: ["c"] })
          assert.deepStrictEqual(yield* v.lmpop([dst, src], "RIGHT", 5), { key: dst, elements: ["a", "d"] })
          assert.deepStrictEqual(yield* v.lmpop([dst, src], "LEFT", 5), { key: src, elements: ["b"] })
          assert.strictEqual(yield* v.lmpop([dst, src], "LEFT"), null)
        })
      )

      it.effect("blocking pops return at once when an element is there", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const a = `${p}{b}a`
          const b = `${p}{b}b`
          yield* v.rpush(b, ["1", "2", "3", "4", "5", "6"])
          assert.deepStrictEqual(yield* v.blpop([a, b], 1), { key: b, element: "1" })
          assert.deepStrictEqual(yield* v.brpop([a, b], 1), { key: b, element: "6" })
          assert.strictEqual(yield* v.blmove(b, a, "LEFT", "LEFT", 1), "2")
          assert.strictEqual(yield* v.brpoplpush(b, a, 1), "5")
          assert.deepStrictEqual(yield* v.blmpop([`${p}{b}none`, b], "RIGHT", 1, 2), { key: b, elements: ["4", "3"] })
          assert.deepStrictEqual(yield* v.lrange(a, 0, -1), ["5", "2"])
          // Fractional timeouts: nothing arrives, each gives null.
          assert.strictEqual(yield* v.brpop([`${p}{b}none`], 0.05), null)
          assert.strictEqual(yield* v.blmove(`${p}{b}none`, a, "LEFT", "LEFT", 0.05), null)
          assert.strictEqual(yield* v.brpoplpush(`${p}{b}none`, a, 0.05), null)
          assert.strictEqual(yield* v.blmpop([`${p}{b}none`], "LEFT", 0.05), null)
        })
      )

      it.effect("BLPOP outlives a shorter request timeout and gives null after its own", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol, requestTimeout: 200 })
          assert.strictEqual(yield* v.blpop([`${p}never`], 1), null)
        })
      )

      it.effect("BLPOP is woken by an element pushed from another client", () =>
        Effect.gen(function* () {
          const waiter = yield* client({ protocol, requestTimeout: 200 })
          const pusher = yield* client({ protocol })
          const k = `${p}wake`
          const waiting = yield* Effect.forkChild(waiter.blpop([k], 5))
          yield* Effect.sleep("100 millis")
          assert.strictEqual(yield* pusher.rpush(k, ["hello"]), 1)
          assert.deepStrictEqual(yield* Fiber.join(waiting), { key: k, element: "hello" })
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}invalid`
          const failures = [
            yield* Effect.flip(v.lpush(k, [])),
            yield* Effect.flip(v.rpush(k, [])),
            yield* Effect.flip(v.lpopCount(k, -1)),
            yield* Effect.flip(v.lrange(k, 0, 1.5)),
            yield* Effect.flip(v.lpos(k, "a", { rank: 0 })),
            yield* Effect.flip(v.lposCount(k, "a", -1)),
            yield* Effect.flip(v.lmove(k, k, "UP" as never, "LEFT")),
            yield* Effect.flip(v.lmpop([], "LEFT")),
            yield* Effect.flip(v.lmpop([k], "LEFT", 0)),
            yield* Effect.flip(v.blpop([], 1)),
            yield* Effect.flip(v.blpop([k], -1)),
            yield* Effect.flip(v.blpop([k], Number.NaN)),
            yield* Effect.flip(v.blmpop([k], "LEFT", Infinity))
          ]
          for (const failure of failures) assert.strictEqual(failure._tag, "InvalidArgumentError")
          assert.strictEqual(yield* v.exists([k]), 0)
        })
      )
    })
  }
})
