import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Fiber } from "effect"
import type { ValkeyService } from "../src/index.ts"
import { client, protocols } from "./support.ts"

/** How often the server ran `command` (`script|exists` for subcommands), from INFO commandstats. */
const calls = (v: ValkeyService, command: string) =>
  v.info(["commandstats"]).pipe(
    Effect.map((text) => {
      const match = new RegExp(`^cmdstat_${command.replace("|", "\\|")}:calls=(\\d+)`, "m").exec(text)
      return match === null ? 0 : Number(match[1])
    })
  )

const codeOf = (error: { readonly _tag: string; readonly code?: string }) =>
  error._tag === "ReplyError" ? error.code : error._tag

// Real time: the SCRIPT KILL test waits for a script to become killable.
layer(ValkeyServer.layer(), { excludeTestServices: true })("scripting commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:script:`

      it.effect("EVAL and EVAL_RO give the script's reply", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}k`
          assert.deepStrictEqual(yield* v.eval("return {1, 'a', KEYS[1], ARGV[1]}", [k], ["x"]), [1, "a", k, "x"])
          assert.strictEqual(yield* v.eval("return redis.call('SET', KEYS[1], ARGV[1])", [k], ["v"]), "OK")
          assert.strictEqual(yield* v.eval("return redis.call('GET', KEYS[1])", [k]), "v")
          assert.strictEqual(yield* v.eval("return nil"), null)
          assert.strictEqual(yield* v.eval("return 7"), 7)
          assert.strictEqual(yield* v.evalReadonly("return redis.call('GET', KEYS[1])", [k]), "v")
          const write = yield* Effect.flip(v.evalReadonly("return redis.call('SET', KEYS[1], 'w')", [k]))
          assert.strictEqual(write._tag, "ReplyError")
          const raised = yield* Effect.flip(v.eval("return redis.error_reply('MYERR boom')"))
          assert.strictEqual(codeOf(raised), "MYERR")
        })
      )

      it.effect("SCRIPT LOAD, EXISTS, SHOW, EVALSHA, EVALSHA_RO, FLUSH", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}sha`
          const source = "return redis.call('INCRBY', KEYS[1], ARGV[1])"
          const sha = yield* v.scriptLoad(source)
          assert.match(sha, /^[0-9a-f]{40}$/)
          assert.deepStrictEqual(yield* v.scriptExists([sha, "0".repeat(40)]), [true, false])
          assert.strictEqual(yield* v.scriptShow(sha), source)
          assert.strictEqual(yield* v.evalsha(sha, [k], [5]), 5)
          const readSha = yield* v.scriptLoad("return redis.call('GET', KEYS[1])")
          assert.strictEqual(yield* v.evalshaReadonly(readSha, [k]), "5")
          assert.strictEqual(yield* v.scriptFlush("SYNC"), "OK")
          assert.deepStrictEqual(yield* v.scriptExists([sha]), [false])
          assert.strictEqual(codeOf(yield* Effect.flip(v.evalsha(sha, [k], [1]))), "NOSCRIPT")
          assert.strictEqual(yield* v.scriptFlush(), "OK")
        })
      )

      it.effect("SCRIPT KILL stops a busy script", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          assert.strictEqual(codeOf(yield* Effect.flip(v.scriptKill())), "NOTBUSY")
          yield* v.configSet({ "busy-reply-threshold": 50 })
          const busy = yield* client({ protocol })
          const spinning = yield* Effect.forkChild(busy.eval("while true do end"))
          // Until the script runs (and is past the threshold), SCRIPT KILL answers NOTBUSY.
          let killed = false
          while (!killed) {
            killed = yield* v.scriptKill().pipe(
              Effect.as(true),
              Effect.catchIf(
                (error) => codeOf(error) === "NOTBUSY",
                () => Effect.as(Effect.sleep("10 millis"), false)
              )
            )
          }
          const error = yield* Effect.flip(Fiber.join(spinning))
          assert.strictEqual(error._tag, "ReplyError")
          assert.strictEqual(yield* busy.ping(), "PONG")
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const before = yield* calls(v, "script|exists")
          const error = yield* Effect.flip(v.scriptExists([]))
          assert.strictEqual(error._tag, "InvalidArgumentError")
          assert.strictEqual(yield* calls(v, "script|exists"), before)
        })
      )
    })
  }
})
