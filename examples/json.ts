/**
 * valkey-json commands as command values. See docs/json.md.
 *
 *   node --conditions=source examples/json.ts
 *
 * It prints what each command sends and how a reply is decoded. When a valkey-json module is
 * found it also starts a throwaway valkey-server with the module loaded, runs the commands, and
 * stops the server: VALKEY_MODULES (colon-separated paths, e.g.
 * VALKEY_MODULES=/usr/lib/valkey/libjson.so) or VALKEY_JSON_MODULE name it, or else the newest
 * build in a `shared/modules/` folder beside the working directory (or one of its parents) that
 * loads in the `valkey-server` on PATH (VALKEY_SERVER) is used.
 */

import { NodeRuntime } from "@effect/platform-node"
import { type Command, ValkeyStandalone } from "@effect-valkey/core"
import { Json } from "@effect-valkey/json"
import { Modules, ValkeyServer } from "@effect-valkey/testkit"
import { Console, Effect, Schema } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`${label.padEnd(40)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

/** What goes on the wire: the command's arguments. */
const args = (command: Command.Command<unknown>) => command.args.join(" ")

const User = Schema.Struct({ name: Schema.String, visits: Schema.Number, tags: Schema.Array(Schema.String) })

// Building a command sends nothing: it is a value with its arguments and its reply decoder.
const setUser = Json.set("user:1", "$", { name: "Ada", visits: 3, tags: ["admin"] })
const getName = Json.get("user:1", "$.name") // Command<Array<JsonValue> | null>: JSONPath, one entry per match
const getNameLegacy = Json.get("user:1", ".name") // Command<JsonValue | null>: legacy path, one value
const getTyped = Json.get("user:1", ".", { schema: User }) // decoded with a Schema
const incr = Json.numIncrBy("user:1", "$.visits", 1) // Command<Array<number | null>>
const push = Json.arrAppend("user:1", "$.tags", ["editor"])
const many = Json.mget(["user:1", "user:2"], "$.name") // split by slot in a cluster

// With a Schema, values go through its JSON codec both ways: a Date is stored as its ISO
// string, a bigint as a string of digits, and read back as a Date and a bigint.
const Visit = Schema.Struct({ at: Schema.Date, bytes: Schema.BigInt })
const setVisit = Json.set("visit:1", "$", { at: new Date("2024-05-01T10:00:00Z"), bytes: 2n ** 60n }, { schema: Visit })
const getVisit = Json.get("visit:1", ".", { schema: Visit }) // Command<{ at: Date; bytes: bigint } | null>

const offline = Effect.gen(function* () {
  yield* show("Json.set(user:1, $, {…})", args(setUser))
  yield* show("Json.get(user:1, $.name)", args(getName))
  yield* show("Json.numIncrBy(user:1, $.visits, 1)", args(incr))
  yield* show("Json.arrAppend(user:1, $.tags, [editor])", args(push))
  yield* show("Json.mget([user:1, user:2], $.name)", args(many))
  yield* show("Json.set(visit:1, $, {…}, { schema: Visit })", args(setVisit))
  // The decoders, applied to replies as the module sends them (JSON text).
  yield* show("getName.decode('[\"Ada\"]')", getName.decode('["Ada"]'))
  yield* show("getNameLegacy.decode('\"Ada\"')", getNameLegacy.decode('"Ada"'))
  yield* show("getTyped.decode(document text)", getTyped.decode('{"name":"Ada","visits":3,"tags":["admin"]}'))
  // A value with no JSON text makes the command invalid: running it fails with
  // InvalidArgumentError and nothing is sent.
  const invalid = Json.set("user:1", "$", undefined)
  yield* show("Json.set(…, undefined).invalid", invalid.invalid?.message)
})

const online = (modules: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const server = yield* ValkeyServer.make({ modules })
    const { valkey } = yield* ValkeyStandalone.make({ port: server.port })
    yield* show("run(set)", yield* valkey.run(setUser))
    yield* show("run(get $.name)", yield* valkey.run(getName))
    yield* show("run(get .name)", yield* valkey.run(getNameLegacy))
    yield* show("run(numIncrBy $.visits 1)", yield* valkey.run(incr))
    yield* show("run(arrAppend $.tags editor)", yield* valkey.run(push))
    yield* show("run(get ., { schema: User })", yield* valkey.run(getTyped))
    yield* show("run(mget [user:1, user:2] $.name)", yield* valkey.run(many))
    yield* valkey.run(setVisit)
    const visit = yield* valkey.run(getVisit)
    yield* show("run(get visit:1 ., { schema: Visit })", `at: Date ${visit?.at.toISOString()}, bytes: ${visit?.bytes}n`)
    const [visits, type] = yield* valkey.batch([Json.get("user:1", "$.visits"), Json.type("user:1", "$.tags")], {
      raiseOnError: true
    })
    yield* show("batch([get $.visits, type $.tags])", [visits, type])
  }).pipe(Effect.scoped)

const main = Effect.gen(function* () {
  yield* offline
  const found = Modules.moduleFromEnv("json", "VALKEY_JSON_MODULE")
  if (!found.available) {
    yield* Console.log(`\nNot running the commands against a server: ${found.reason}.`)
    return
  }
  yield* Console.log(`\nRunning against a valkey-server with ${found.modules.join(", ")}`)
  yield* online(found.modules)
})

NodeRuntime.runMain(main)
