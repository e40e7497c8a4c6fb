import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Stream } from "effect"
import { ValkeyStandalone } from "../src/index.ts"
import { protocols } from "./support.ts"

const scanCalls = (server: ValkeyServer["Service"]) =>
  Effect.map(server.command(["INFO", "commandstats"]), (info) =>
    Number(/cmdstat_scan:calls=(\d+)/.exec(String(info))?.[1] ?? 0)
  )

layer(ValkeyServer.layer())("Scan streams", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `s${protocol}:`
      const setup = Effect.gen(function* () {
        const server = yield* ValkeyServer
        const { scan, valkey } = yield* ValkeyStandalone.make({ port: server.port, protocol })
        return { server, scan, valkey }
      })

      it.effect("keys: every key exactly as stored, with MATCH and TYPE filters", () =>
        Effect.gen(function* () {
          const { scan, valkey } = yield* setup
          const keys = Array.from({ length: 2500 }, (_, i) => `${p}k:${i}`)
          yield* valkey.mset(keys.map((k) => [k, "v"] as const))
          yield* valkey.hset(`${p}hash`, { f: "1" })
          const found = yield* scan.keys({ match: `${p}k:*`, count: 100 }).pipe(Stream.runCollect)
          assert.deepStrictEqual(new Set(found), new Set(keys))
          const hashes = yield* scan.keys({ match: `${p}*`, type: "hash" }).pipe(Stream.runCollect)
          assert.deepStrictEqual(hashes, [`${p}hash`])
        })
      )

      it.effect("pull-based: taking a few keys makes only the SCAN calls needed", () =>
        Effect.gen(function* () {
          const { scan, server, valkey } = yield* setup
          yield* valkey.mset(Array.from({ length: 1000 }, (_, i) => [`${p}pull:${i}`, "v"] as const))
          const before = yield* scanCalls(server)
          const first = yield* scan.keys({ count: 50 }).pipe(Stream.take(10), Stream.runCollect)
          assert.strictEqual(first.length, 10)
          assert.isAtMost((yield* scanCalls(server)) - before, 2)
        })
      )

      it.effect("hscan, sscan, zscan", () =>
        Effect.gen(function* () {
          const { scan, valkey } = yield* setup
          const fields = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]))
          yield* valkey.hset(`${p}big`, fields)
          const pairs = yield* scan.hscan(`${p}big`, { count: 50 }).pipe(Stream.runCollect)
          assert.deepStrictEqual(Object.fromEntries(pairs), fields)
          yield* valkey.custom(["SADD", `${p}set`, ...Array.from({ length: 300 }, (_, i) => `m${i}`)])
          const members = yield* scan.sscan(`${p}set`).pipe(Stream.runCollect)
          assert.strictEqual(new Set(members).size, 300)
          yield* valkey.custom(["ZADD", `${p}z`, "1.5", "a", "inf", "b", "-2", "c"])
          const scored = yield* scan.zscan(`${p}z`).pipe(Stream.runCollect)
          assert.deepStrictEqual(
            [...scored].sort((x, y) => x.score - y.score),
            [
              { member: "c", score: -2 },
              { member: "a", score: 1.5 },
              { member: "b", score: Infinity }
            ]
          )
        })
      )

      it.effect("bad filters are rejected before sending", () =>
        Effect.gen(function* () {
          const { scan } = yield* setup
          const error = yield* Effect.flip(scan.keys({ count: 0 }).pipe(Stream.runCollect))
          assert.strictEqual(error._tag, "InvalidArgumentError")
        })
      )
    })
  }
})
