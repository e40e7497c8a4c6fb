import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Schedule, Schema } from "effect"
import { Script, type ValkeyService } from "../src/index.ts"
import { client, protocols } from "./support.ts"

/** How often the server ran `command`, from INFO commandstats. */
const calls = (v: ValkeyService, command: string) =>
  v.info(["commandstats"]).pipe(
    Effect.map((text) => {
      const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, "m").exec(text)
      return match === null ? 0 : Number(match[1])
    })
  )

const counts = (v: ValkeyService) => Effect.all({ evalsha: calls(v, "evalsha"), eval: calls(v, "eval") })

const incr = Script.make("return redis.call('INCRBY', KEYS[1], ARGV[1])", { keys: 1, schema: Schema.Number })

// Real time: the restart test waits for the client to reconnect.
layer(ValkeyServer.layer(), { excludeTestServices: true })("Script", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:lua:`

      it.effect("holds its source and SHA1; runs with EVALSHA once cached", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const script = Script.make("return {KEYS[1], ARGV[1], 3}")
          assert.strictEqual(script.sha1, yield* v.scriptLoad(script.source))
          const before = yield* counts(v)
          assert.deepStrictEqual(yield* script.run(v, [`${p}a`], ["x"]), [`${p}a`, "x", 3])
          assert.deepStrictEqual(yield* Script.run(v, script, [`${p}a`], ["y"]), [`${p}a`, "y", 3])
          assert.deepStrictEqual(yield* counts(v), { evalsha: before.evalsha + 2, eval: before.eval })
          assert.deepStrictEqual(yield* v.run(Script.command(script, [`${p}b`], [1])), [`${p}b`, "1", 3])
        })
      )

      it.effect("a Schema types the result", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const pair = Script.make("return {KEYS[1], tonumber(ARGV[1]) * 2}", {
            keys: 1,
            schema: Schema.Tuple([Schema.String, Schema.Number])
          })
          const [key, doubled]: readonly [string, number] = yield* pair.run(v, [`${p}k`], [21])
          assert.deepStrictEqual([key, doubled], [`${p}k`, 42])
          assert.strictEqual(yield* incr.run(v, [`${p}n`], [5]), 5)
          const reader = Script.make("return redis.call('GET', KEYS[1])", {
            readonly: true,
            schema: Schema.NullOr(Schema.String)
          })
          assert.strictEqual(yield* reader.run(v, [`${p}n`]), "5")
          assert.strictEqual(yield* reader.run(v, [`${p}missing`]), null)
        })
      )

      it.effect("a reply the Schema rejects is a DecodeError", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const wrong = Script.make("return 'not a number'", { schema: Schema.Number })
          // Not cached yet: EVALSHA gets NOSCRIPT and the EVAL that follows runs the script.
          const first = yield* Effect.flip(wrong.run(v))
          assert.deepStrictEqual([first._tag, "command" in first ? first.command : ""], ["DecodeError", "EVAL"])
          const second = yield* Effect.flip(wrong.run(v))
          assert.deepStrictEqual([second._tag, "command" in second ? second.command : ""], ["DecodeError", "EVALSHA"])
          assert.strictEqual(yield* v.ping(), "PONG")
        })
      )

      it.effect("the wrong number of keys is rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const before = yield* counts(v)
          const error = yield* Effect.flip(incr.run(v, [], [1]))
          assert.strictEqual(error._tag, "InvalidArgumentError")
          assert.deepStrictEqual(yield* counts(v), before)
        })
      )

      it.effect("recovers from NOSCRIPT after SCRIPT FLUSH with one EVAL", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}flush`
          assert.strictEqual(yield* incr.run(v, [k], [1]), 1)
          yield* v.scriptFlush("SYNC")
          const before = yield* counts(v)
          assert.strictEqual(yield* incr.run(v, [k], [1]), 2)
          assert.deepStrictEqual(yield* counts(v), { evalsha: before.evalsha + 1, eval: before.eval + 1 })
          assert.deepStrictEqual(yield* v.scriptExists([incr.sha1]), [true])
          assert.strictEqual(yield* incr.run(v, [k], [1]), 3)
          assert.deepStrictEqual(yield* counts(v), { evalsha: before.evalsha + 2, eval: before.eval + 1 })
        })
      )

      it.effect("recovers from NOSCRIPT after a server restart", () =>
        Effect.gen(function* () {
          const server = yield* ValkeyServer
          const v = yield* client({ protocol })
          const k = `${p}restart`
          assert.strictEqual(yield* incr.run(v, [k], [10]), 10)
          yield* server.restart
          // The first call may meet the dropped connection before the client reconnects.
          const after = yield* incr.run(v, [k], [1]).pipe(
            Effect.retry({
              while: (e) => e._tag === "ConnectionError",
              schedule: Schedule.spaced("50 millis"),
              times: 40
            })
          )
          assert.strictEqual(after, 1)
          assert.deepStrictEqual(yield* v.scriptExists([incr.sha1]), [true])
        })
      )
    })
  }
})
