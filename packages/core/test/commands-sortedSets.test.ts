import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Fiber } from "effect"
import { client, protocols } from "./support.ts"

// Real time: the blocking pops below wait on the server.
layer(ValkeyServer.layer(), { excludeTestServices: true })("sorted set commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:zset:`

      it.effect("ZADD with every option, ZADD INCR, ZINCRBY, ZSCORE, ZMSCORE, ZCARD", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}add`
          assert.strictEqual(yield* v.zadd(k, { a: 1, b: 2.5 }), 2)
          assert.strictEqual(
            yield* v.zadd(k, [
              { member: "c", score: Infinity },
              { member: "d", score: -Infinity },
              { member: "a", score: 1 }
            ]),
            2
          )
          assert.strictEqual(yield* v.zadd(k, { a: 5, e: 0 }, { condition: "NX" }), 1)
          assert.strictEqual(yield* v.zscore(k, "a"), 1)
          assert.strictEqual(yield* v.zadd(k, { a: 5, f: 0 }, { condition: "XX", changed: true }), 1)
          assert.strictEqual(yield* v.zscore(k, "f"), null)
          assert.strictEqual(yield* v.zadd(k, { a: 3 }, { comparison: "GT", changed: true }), 0)
          assert.strictEqual(yield* v.zadd(k, { a: 3 }, { comparison: "LT", changed: true }), 1)
          assert.strictEqual(yield* v.zscore(k, "a"), 3)
          assert.strictEqual(yield* v.zscore(k, "c"), Infinity)
          assert.strictEqual(yield* v.zscore(k, "d"), -Infinity)
          assert.strictEqual(yield* v.zscore(`${p}none`, "a"), null)
          assert.deepStrictEqual(yield* v.zmscore(k, ["b", "nope", "c"]), [2.5, null, Infinity])
          assert.strictEqual(yield* v.zaddIncr(k, "b", 0.25), 2.75)
          assert.strictEqual(yield* v.zaddIncr(k, "b", 1, { condition: "NX" }), null)
          assert.strictEqual(yield* v.zaddIncr(k, "new", 1, { condition: "XX" }), null)
          assert.strictEqual(yield* v.zaddIncr(k, "b", -10, { comparison: "GT" }), null)
          assert.strictEqual(yield* v.zincrBy(k, 1.5, "b"), 4.25)
          assert.strictEqual(yield* v.zincrBy(k, 2, "g"), 2)
          assert.strictEqual(yield* v.zcard(k), 6)
          assert.strictEqual(yield* v.zcard(`${p}none`), 0)
        })
      )

      it.effect("ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK with and without WITHSCORE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}count`
          yield* v.zadd(k, { a: 1, b: 2, c: 3, d: Infinity })
          assert.strictEqual(yield* v.zcount(k, -Infinity, Infinity), 4)
          assert.strictEqual(yield* v.zcount(k, 1, 3), 3)
          assert.strictEqual(yield* v.zcount(k, { value: 1, exclusive: true }, 3), 2)
          assert.strictEqual(yield* v.zcount(k, 2, { value: Infinity, exclusive: true }), 2)
          assert.strictEqual(yield* v.zrank(k, "c"), 2)
          assert.strictEqual(yield* v.zrevrank(k, "c"), 1)
          assert.strictEqual(yield* v.zrank(k, "nope"), null)
          assert.deepStrictEqual(yield* v.zrankWithScore(k, "d"), { rank: 3, score: Infinity })
          assert.deepStrictEqual(yield* v.zrevrankWithScore(k, "b"), { rank: 2, score: 2 })
          assert.strictEqual(yield* v.zrankWithScore(k, "nope"), null)
          assert.strictEqual(yield* v.zrevrankWithScore(`${p}none`, "a"), null)
          const lex = `${p}lex`
          yield* v.zadd(lex, { a: 0, b: 0, c: 0, d: 0 })
          assert.strictEqual(yield* v.zlexcount(lex, "-", "+"), 4)
          assert.strictEqual(yield* v.zlexcount(lex, { value: "b" }, "+"), 3)
          assert.strictEqual(yield* v.zlexcount(lex, { value: "a", exclusive: true }, { value: "c" }), 2)
        })
      )

      it.effect("ZRANGE by index, score and lex, REV, LIMIT, WITHSCORES; ZRANGESTORE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}{r}range`
          yield* v.zadd(k, { a: 1, b: 2, c: 3.5, d: Infinity, z: -Infinity })
          assert.deepStrictEqual(yield* v.zrange(k, { type: "byIndex", start: 0, stop: -1 }), ["z", "a", "b", "c", "d"])
          assert.deepStrictEqual(yield* v.zrange(k, { type: "byIndex", start: 0, stop: 1 }, { reverse: true }), [
            "d",
            "c"
          ])
          assert.deepStrictEqual(yield* v.zrange(k, { type: "byScore", min: 1, max: 3.5 }), ["a", "b", "c"])
          assert.deepStrictEqual(
            yield* v.zrange(k, { type: "byScore", min: { value: 1, exclusive: true }, max: Infinity }),
            ["b", "c", "d"]
          )
          assert.deepStrictEqual(
            yield* v.zrange(
              k,
              { type: "byScore", min: -Infinity, max: 3.5, limit: { offset: 1, count: 2 } },
              {
                reverse: true
              }
            ),
            ["b", "a"]
          )
          assert.deepStrictEqual(yield* v.zrange(`${p}none`, { type: "byIndex", start: 0, stop: -1 }), [])
          assert.deepStrictEqual(yield* v.zrangeWithScores(k, { type: "byIndex", start: 0, stop: -1 }), [
            { member: "z", score: -Infinity },
            { member: "a", score: 1 },
            { member: "b", score: 2 },
            { member: "c", score: 3.5 },
            { member: "d", score: Infinity }
          ])
          assert.deepStrictEqual(
            yield* v.zrangeWithScores(k, { type: "byScore", min: 2, max: Infinity }, { reverse: true }),
            [
              { member: "d", score: Infinity },
              { member: "c", score: 3.5 },
              { member: "b", score: 2 }
            ]
          )
          const lex = `${p}{r}lex`
          yield* v.zadd(lex, { a: 0, b: 0, c: 0, d: 0, e: 0 })
          assert.deepStrictEqual(yield* v.zrange(lex, { type: "byLex", min: { value: "b" }, max: "+" }), [
            "b",
            "c",
            "d",
            "e"
          ])
          assert.deepStrictEqual(
            yield* v.zrange(
              lex,
              { type: "byLex", min: "-", max: { value: "d", exclusive: true }, limit: { offset: 0, count: 2 } },
              { reverse: true }
            ),
            ["c", "b"]
          )
          const dst = `${p}{r}dst`
          assert.strictEqual(yield* v.zrangeStore(dst, k, { type: "byScore", min: 1, max: 2 }), 2)
          assert.deepStrictEqual(yield* v.zrangeWithScores(dst, { type: "byIndex", start: 0, stop: -1 }), [
            { member: "a", score: 1 },
            { member: "b", score: 2 }
          ])
          assert.strictEqual(
            yield* v.zrangeStore(dst, lex, { type: "byLex", min: "-", max: "+" }, { reverse: true }),
            5
          )
          assert.strictEqual(yield* v.zrangeStore(dst, k, { type: "byIndex", start: 0, stop: 0 }, { reverse: true }), 1)
          assert.deepStrictEqual(yield* v.zrange(dst, { type: "byIndex", start: 0, stop: -1 }), ["d"])
        })
      )

      it.effect("ZREM and the ZREMRANGEBY family", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}rem`
          yield* v.zadd(k, { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })
          assert.strictEqual(yield* v.zrem(k, ["a", "nope"]), 1)
          assert.strictEqual(yield* v.zremRangeByRank(k, 0, 0), 1)
          assert.strictEqual(yield* v.zremRangeByScore(k, { value: 3, exclusive: true }, 5), 2)
          assert.deepStrictEqual(yield* v.zrange(k, { type: "byIndex", start: 0, stop: -1 }), ["c", "f"])
          const lex = `${p}remlex`
          yield* v.zadd(lex, { a: 0, b: 0, c: 0 })
          assert.strictEqual(yield* v.zremRangeByLex(lex, { value: "a", exclusive: true }, "+"), 2)
          assert.deepStrictEqual(yield* v.zrange(lex, { type: "byIndex", start: 0, stop: -1 }), ["a"])
        })
      )

      it.effect("ZPOPMIN, ZPOPMAX, ZMPOP", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}{pop}a`
          yield* v.zadd(k, { a: 1, b: 2, c: 3, d: Infinity })
          assert.deepStrictEqual(yield* v.zpopmin(k), [{ member: "a", score: 1 }])
          assert.deepStrictEqual(yield* v.zpopmax(k), [{ member: "d", score: Infinity }])
          assert.deepStrictEqual(yield* v.zpopmax(k, 5), [
            { member: "c", score: 3 },
            { member: "b", score: 2 }
          ])
          assert.deepStrictEqual(yield* v.zpopmin(k), [])
          assert.deepStrictEqual(yield* v.zpopmin(k, 2), [])
          const other = `${p}{pop}b`
          yield* v.zadd(other, { x: 1.5, y: 2.5, z: 3.5 })
          assert.deepStrictEqual(yield* v.zmpop([k, other], "MIN"), {
            key: other,
            elements: [{ member: "x", score: 1.5 }]
          })
          assert.deepStrictEqual(yield* v.zmpop([k, other], "MAX", 5), {
            key: other,
            elements: [
              { member: "z", score: 3.5 },
              { member: "y", score: 2.5 }
            ]
          })
          assert.strictEqual(yield* v.zmpop([k, other], "MIN"), null)
        })
      )

      it.effect("BZPOPMIN, BZPOPMAX, BZMPOP: at once, on timeout, woken by another client", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol, requestTimeout: 200 })
          const k = `${p}{bpop}a`
          const none = `${p}{bpop}none`
          yield* v.zadd(k, { a: 1, b: 2, c: 3, d: 4 })
          assert.deepStrictEqual(yield* v.bzpopmin([none, k], 1), { key: k, member: "a", score: 1 })
          assert.deepStrictEqual(yield* v.bzpopmax([none, k], 1), { key: k, member: "d", score: 4 })
          assert.deepStrictEqual(yield* v.bzmpop([none, k], "MAX", 1, 5), {
            key: k,
            elements: [
              { member: "c", score: 3 },
              { member: "b", score: 2 }
            ]
          })
          assert.strictEqual(yield* v.bzpopmin([none], 0.05), null)
          assert.strictEqual(yield* v.bzpopmax([none], 0.05), null)
          assert.strictEqual(yield* v.bzmpop([none], "MIN", 0.05), null)
          const pusher = yield* client({ protocol })
          const waiting = yield* Effect.forkChild(v.bzpopmin([none], 5))
          yield* Effect.sleep("50 millis")
          yield* pusher.zadd(none, { late: Infinity })
          assert.deepStrictEqual(yield* Fiber.join(waiting), { key: none, member: "late", score: Infinity })
        })
      )

      it.effect("ZRANDMEMBER with count and WITHSCORES", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}rand`
          const scores: Record<string, number> = { a: 1, b: 2.5, c: Infinity }
          yield* v.zadd(k, scores)
          const one = yield* v.zrandmember(k)
          assert.isTrue(one !== null && one in scores)
          assert.strictEqual(yield* v.zrandmember(`${p}none`), null)
          const two = yield* v.zrandmemberWithCount(k, 2)
          assert.strictEqual(new Set(two).size, 2)
          assert.strictEqual((yield* v.zrandmemberWithCount(k, -5)).length, 5)
          const all = yield* v.zrandmemberWithCountWithScores(k, 10)
          assert.deepStrictEqual(
            all.sort((x, y) => x.score - y.score),
            [
              { member: "a", score: 1 },
              { member: "b", score: 2.5 },
              { member: "c", score: Infinity }
            ]
          )
          const repeated = yield* v.zrandmemberWithCountWithScores(k, -4)
          assert.strictEqual(repeated.length, 4)
          for (const { member, score } of repeated) assert.strictEqual(score, scores[member])
          assert.deepStrictEqual(yield* v.zrandmemberWithCountWithScores(`${p}none`, 3), [])
        })
      )

      it.effect("ZUNION, ZINTER, ZDIFF with WEIGHTS and AGGREGATE, their STORE variants, ZINTERCARD", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const a = `${p}{alg}a`
          const b = `${p}{alg}b`
          const d = `${p}{alg}dest`
          yield* v.zadd(a, { x: 1, y: 2, z: 3 })
          yield* v.zadd(b, { y: 10, z: 20, w: 0.5 })
          assert.deepStrictEqual(yield* v.zunion([a, b]), ["w", "x", "y", "z"])
          assert.deepStrictEqual(yield* v.zunionWithScores([a, b]), [
            { member: "w", score: 0.5 },
            { member: "x", score: 1 },
            { member: "y", score: 12 },
            { member: "z", score: 23 }
          ])
          assert.deepStrictEqual(
            yield* v.zunionWithScores(
              [
                [a, 2],
                [b, 0.5]
              ],
              { aggregate: "MAX" }
            ),
            [
              { member: "w", score: 0.25 },
              { member: "x", score: 2 },
              { member: "y", score: 5 },
              { member: "z", score: 10 }
            ]
          )
          assert.deepStrictEqual(yield* v.zinter([a, b]), ["y", "z"])
          assert.deepStrictEqual(yield* v.zinterWithScores([a, b], { aggregate: "MIN" }), [
            { member: "y", score: 2 },
            { member: "z", score: 3 }
          ])
          assert.deepStrictEqual(
            yield* v.zinter(
              [
                [a, -1],
                [b, 0]
              ],
              { aggregate: "SUM" }
            ),
            ["z", "y"]
          )
          assert.deepStrictEqual(yield* v.zdiff([a, b]), ["x"])
          assert.deepStrictEqual(yield* v.zdiffWithScores([b, a]), [{ member: "w", score: 0.5 }])
          assert.strictEqual(yield* v.zunionstore(d, [a, b]), 4)
          assert.strictEqual(yield* v.zscore(d, "z"), 23)
          assert.strictEqual(
            yield* v.zinterstore(
              d,
              [
                [a, 1],
                [b, 2]
              ],
              { aggregate: "SUM" }
            ),
            2
          )
          assert.deepStrictEqual(yield* v.zrangeWithScores(d, { type: "byIndex", start: 0, stop: -1 }), [
            { member: "y", score: 22 },
            { member: "z", score: 43 }
          ])
          assert.strictEqual(yield* v.zdiffstore(d, [a, b]), 1)
          assert.deepStrictEqual(yield* v.zrange(d, { type: "byIndex", start: 0, stop: -1 }), ["x"])
          assert.strictEqual(yield* v.zinterCard([a, b]), 2)
          assert.strictEqual(yield* v.zinterCard([a, b], 1), 1)
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}invalid`
          const failures = [
            yield* Effect.flip(v.zadd(k, {})),
            yield* Effect.flip(v.zadd(k, { a: Number.NaN })),
            yield* Effect.flip(v.zadd(k, [{ member: "a", score: Number.NaN }])),
            yield* Effect.flip(v.zadd(k, { a: 1 }, { condition: "NX", comparison: "GT" })),
            yield* Effect.flip(v.zaddIncr(k, "a", Number.NaN)),
            yield* Effect.flip(v.zincrBy(k, Number.NaN, "a")),
            yield* Effect.flip(v.zmscore(k, [])),
            yield* Effect.flip(v.zcount(k, Number.NaN, 1)),
            yield* Effect.flip(v.zrange(k, { type: "byIndex", start: 0.5, stop: 1 })),
            yield* Effect.flip(v.zrange(k, { type: "byScore", min: 0, max: 1, limit: { offset: -1, count: 1 } })),
            yield* Effect.flip(v.zrangeWithScores(k, { type: "byLex", min: "-", max: "+" } as never)),
            yield* Effect.flip(v.zrangeStore(k, k, { type: "byScore", min: Number.NaN, max: 1 })),
            yield* Effect.flip(v.zrem(k, [])),
            yield* Effect.flip(v.zpopmin(k, 0)),
            yield* Effect.flip(v.zmpop([], "MIN")),
            yield* Effect.flip(v.bzpopmin([k], -1)),
            yield* Effect.flip(v.bzmpop([k], "MIN", Number.POSITIVE_INFINITY)),
            yield* Effect.flip(v.zunion([])),
            yield* Effect.flip(v.zunionWithScores([[k, Number.NaN]])),
            yield* Effect.flip(v.zunionstore(k, [k], { aggregate: "AVG" as never })),
            yield* Effect.flip(v.zinterCard([k], -2))
          ]
          for (const failure of failures) assert.strictEqual(failure._tag, "InvalidArgumentError")
          assert.strictEqual(yield* v.exists([k]), 0)
        })
      )
    })
  }
})
