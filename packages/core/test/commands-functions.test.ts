import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Fiber } from "effect"
import type { ValkeyService } from "../src/index.ts"
import { client, protocols } from "./support.ts"

/** How often the server ran `command` (`function|load` for subcommands), from INFO commandstats. */
const calls = (v: ValkeyService, command: string) =>
  v.info(["commandstats"]).pipe(
    Effect.map((text) => {
      const match = new RegExp(`^cmdstat_${command.replace("|", "\\|")}:calls=(\\d+)`, "m").exec(text)
      return match === null ? 0 : Number(match[1])
    })
  )

const codeOf = (error: { readonly _tag: string; readonly code?: string }) =>
  error._tag === "ReplyError" ? error.code : error._tag

const library = [
  "#!lua name=mylib",
  "redis.register_function('myset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
  "redis.register_function{function_name='myget', callback=function(keys) return redis.call('GET', keys[1]) end,",
  "  flags={'no-writes'}, description='reads a key'}"
].join("\n")

const spinner = [
  "#!lua name=spinlib",
  "redis.register_function{function_name='spin', callback=function() while true do end end, flags={'no-writes'}}"
].join("\n")

// Real time: the FUNCTION KILL test waits for a function to become killable.
layer(ValkeyServer.layer(), { excludeTestServices: true })("function commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:fn:`

      it.effect("FUNCTION LOAD, LIST, FCALL, FCALL_RO, DELETE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          assert.strictEqual(yield* v.functionFlush("SYNC"), "OK")
          assert.strictEqual(yield* v.functionLoad(library), "mylib")
          assert.strictEqual(codeOf(yield* Effect.flip(v.functionLoad(library))), "ERR")
          assert.strictEqual(yield* v.functionLoad(library, { replace: true }), "mylib")
          const listed = yield* v.functionList()
          assert.deepStrictEqual(
            listed.map((lib) => ({
              ...lib,
              functions: [...lib.functions].sort((a, b) => a.name.localeCompare(b.name))
            })),
            [
              {
                name: "mylib",
                engine: "LUA",
                functions: [
                  { name: "myget", description: "reads a key", flags: ["no-writes"], extra: {} },
                  { name: "myset", description: null, flags: [], extra: {} }
                ],
                code: null,
                extra: {}
              }
            ]
          )
          assert.deepStrictEqual(
            (yield* v.functionList({ libraryName: "my*", withCode: true })).map(({ name, code }) => ({ name, code })),
            [{ name: "mylib", code: library }]
          )
          assert.deepStrictEqual(yield* v.functionList({ libraryName: "nomatch*" }), [])
          const k = `${p}k`
          assert.strictEqual(yield* v.fcall("myset", [k], ["v"]), "OK")
          assert.strictEqual(yield* v.fcallReadonly("myget", [k]), "v")
          assert.strictEqual(yield* v.fcall("myget", [`${p}none`]), null)
          assert.strictEqual((yield* Effect.flip(v.fcallReadonly("myset", [k], ["w"])))._tag, "ReplyError")
          assert.strictEqual(yield* v.functionDelete("mylib"), "OK")
          assert.strictEqual(codeOf(yield* Effect.flip(v.functionDelete("mylib"))), "ERR")
          assert.deepStrictEqual(yield* v.functionList(), [])
        })
      )

      it.effect("FUNCTION DUMP and RESTORE with each policy, STATS", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          yield* v.functionFlush()
          yield* v.functionLoad(library)
          const payload = yield* v.functionDump()
          assert.instanceOf(payload, Uint8Array)
          assert.isTrue(payload.length > 0)
          assert.deepStrictEqual(yield* v.functionStats(), {
            runningScript: null,
            engines: { LUA: { librariesCount: 1, functionsCount: 2, extra: {} } },
            extra: {}
          })
          yield* v.functionFlush("ASYNC")
          assert.deepStrictEqual(yield* v.functionList(), [])
          assert.strictEqual(yield* v.functionRestore(payload), "OK")
          assert.deepStrictEqual(
            (yield* v.functionList()).map((lib) => lib.name),
            ["mylib"]
          )
          assert.strictEqual(codeOf(yield* Effect.flip(v.functionRestore(payload, "APPEND"))), "ERR")
          assert.strictEqual(yield* v.functionRestore(payload, "REPLACE"), "OK")
          assert.strictEqual(yield* v.functionRestore(payload, "FLUSH"), "OK")
          assert.deepStrictEqual(
            (yield* v.functionList()).map((lib) => lib.name),
            ["mylib"]
          )
          yield* v.functionFlush()
        })
      )

      it.effect("FUNCTION KILL stops a busy function", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          assert.strictEqual(codeOf(yield* Effect.flip(v.functionKill())), "NOTBUSY")
          yield* v.configSet({ "busy-reply-threshold": 50 })
          yield* v.functionLoad(spinner, { replace: true })
          const busy = yield* client({ protocol })
          const spinning = yield* Effect.forkChild(busy.fcallReadonly("spin"))
          let killed = false
          while (!killed) {
            killed = yield* v.functionKill().pipe(
              Effect.as(true),
              Effect.catchIf(
                (error) => codeOf(error) === "NOTBUSY",
                () => Effect.as(Effect.sleep("10 millis"), false)
              )
            )
          }
          assert.strictEqual((yield* Effect.flip(Fiber.join(spinning)))._tag, "ReplyError")
          assert.strictEqual(yield* v.functionDelete("spinlib"), "OK")
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const before = yield* Effect.all([calls(v, "function|load"), calls(v, "function|restore")])
          assert.strictEqual((yield* Effect.flip(v.functionLoad("return 1")))._tag, "InvalidArgumentError")
          assert.strictEqual((yield* Effect.flip(v.functionRestore(new Uint8Array())))._tag, "InvalidArgumentError")
          assert.deepStrictEqual(yield* Effect.all([calls(v, "function|load"), calls(v, "function|restore")]), before)
        })
      )
    })
  }
})
