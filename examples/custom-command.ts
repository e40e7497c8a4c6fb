/**
 * Custom commands: anything the server knows, without waiting for a typed method.
 * See docs/custom-command.md.
 *
 *   node --conditions=source examples/custom-command.ts
 *
 * Starts a throwaway valkey-server on a free loopback port and stops it at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { Command, Reply, Valkey, ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Console, Effect, Schema } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`${label.padEnd(44)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

/** A reusable command value: arguments, a decoder, and where its key is (for cluster routing). */
const objectFreq = (key: string): Command.Command<number | null> =>
  Command.make(["OBJECT", "FREQ", key], Reply.nullableInteger, { keys: 2, readonly: true })

/** HRANDFIELD key count WITHVALUES as a record, under RESP2 (flat list) and RESP3 (pairs) alike. */
const randomFields = (key: string, count: number): Command.Command<Record<string, string>> =>
  Command.make(["HRANDFIELD", key, count, "WITHVALUES"], Reply.record(Reply.string), { keys: 1, readonly: true })

const program = Effect.gen(function* () {
  const valkey = yield* Valkey
  yield* valkey.hset("user:1", { name: "Ada", visits: 3 })

  // 1. The raw RESP value.
  yield* show("custom(['OBJECT', 'ENCODING', 'user:1'])", yield* valkey.custom(["OBJECT", "ENCODING", "user:1"]))

  // 2. Decoded with a Schema; a reply of another shape is a DecodeError.
  const length = yield* valkey.custom(["HLEN", "user:1"], { schema: Schema.Number, keys: 1, readonly: true })
  yield* show("custom(['HLEN', …], { schema: Number })", length)
  const mismatch = yield* Effect.flip(valkey.custom(["HGET", "user:1", "name"], { schema: Schema.Number }))
  yield* show("a reply that does not match the schema", `${mismatch._tag}`)

  // 3. A command value built with Command.make, run with valkey.run (and usable in batches).
  const freq = yield* Effect.flip(valkey.run(objectFreq("user:1")))
  yield* show(
    "OBJECT FREQ without an LFU policy fails with",
    `${freq._tag} (${freq._tag === "ReplyError" ? freq.code : ""})`
  )
  yield* show("run(randomFields('user:1', 2))", yield* valkey.run(randomFields("user:1", 2)))
  // Command.map reuses the arguments and routing with another decoder on top.
  const fieldNames = Command.map(randomFields("user:1", 2), (fields) => Object.keys(fields).sort())
  yield* show("run(Command.map(randomFields(…), keys))", yield* valkey.run(fieldNames))

  // 4. Custom commands and typed ones in one pipeline.
  const [len, name] = yield* valkey.batch(
    [Command.make(["HLEN", "user:1"], Reply.integer), Command.make(["HGET", "user:1", "name"], Reply.nullableString)],
    {
      raiseOnError: true
    }
  )
  yield* show("batch of two custom commands", [len, name])

  // 5. Commands that change connection state are refused before anything is sent.
  const refused = yield* Effect.flip(valkey.custom(["SELECT", "1"]))
  yield* show("custom(['SELECT', '1']) is refused", `${refused._tag}: ${refused.message}`)
})

const main = Effect.gen(function* () {
  const server = yield* ValkeyServer.make()
  yield* Console.log(`server up at ${server.address}\n`)
  yield* program.pipe(Effect.provide(ValkeyStandalone.layer({ port: server.port })))
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
