/**
 * `npm start`: a tour of effect-valkey against throwaway local servers started by the testkit
 * (stopped again at the end, also on Ctrl-C). Each step prints what it does and what came back.
 */

import { NodeRuntime } from "@effect/platform-node"
import { Valkey, ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Console, Effect, Layer, Redacted, Schema } from "effect"

const step = (title: string) => Console.log(`\n── ${title}`)
const show = (label: string, value: unknown) =>
  Console.log(`   ${label.padEnd(34)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

const typedCommands = Effect.gen(function* () {
  yield* step("Typed commands: every reply has a type, every error a tag")
  const valkey = yield* Valkey
  yield* show("set('greeting', 'hello')", yield* valkey.set("greeting", "hello"))
  yield* show("get('greeting')", yield* valkey.get("greeting"))
  yield* show("get('missing')", yield* valkey.get("missing"))
  yield* show("set(…, { condition: 'NX' })", yield* valkey.set("greeting", "again", { condition: "NX" }))
  yield* show("mset / mget", yield* valkey.mset({ a: "1", b: "2" }).pipe(Effect.andThen(valkey.mget(["a", "b", "c"]))))
  yield* show(
    "hset / hgetall",
    yield* valkey.hset("user:1", { name: "Ada", visits: 3 }).pipe(Effect.andThen(valkey.hgetall("user:1")))
  )
  yield* show("incrBy('visits', 5)", yield* valkey.incrBy("visits", 5))
  const wrongType = yield* Effect.flip(valkey.incr("user:1"))
  yield* show("incr on a hash fails with", `${wrongType._tag}: ${wrongType.message}`)
  const invalid = yield* Effect.flip(valkey.set("k", "v", { ex: 10, px: 10 }))
  yield* show("bad options, caught before sending", `${invalid._tag}: ${invalid.message}`)
})

const customCommand = Effect.gen(function* () {
  yield* step("Custom command: anything the server knows, decoded with a Schema if you like")
  const valkey = yield* Valkey
  yield* show("custom(['OBJECT','ENCODING','visits'])", yield* valkey.custom(["OBJECT", "ENCODING", "visits"]))
  const count = yield* valkey.custom(["HLEN", "user:1"], { schema: Schema.Number })
  yield* show("custom(['HLEN', …], Schema.Number)", count)
})

const multiplexing = Effect.gen(function* () {
  yield* step("One multiplexed connection: 10,000 calls from 1,000 fibers, auto-pipelined")
  const valkey = yield* Valkey
  const started = Date.now()
  const replies = yield* Effect.forEach(
    Array.from({ length: 10_000 }, (_, i) => i),
    (i) => valkey.echo(`m${i}`),
    {
      concurrency: 1000
    }
  )
  const matched = replies.every((reply, i) => reply === `m${i}`)
  yield* show("replies matched to their callers", `${matched} (${Date.now() - started} ms)`)
})

const inflightLimit = (port: number) =>
  Effect.gen(function* () {
    yield* step("The inflight limit: past it, calls fail at once with a typed error (nothing queues)")
    const { valkey } = yield* ValkeyStandalone.make({ port, inflightLimit: 100 })
    const results = yield* Effect.forEach(
      Array.from({ length: 500 }, (_, i) => i),
      (i) => Effect.result(valkey.echo(`${i}`)),
      {
        concurrency: "unbounded"
      }
    )
    const rejected = results.filter((r) => r._tag === "Failure")
    yield* show(
      "500 concurrent calls at limit 100",
      `${results.length - rejected.length} succeeded, ${rejected.length} rejected`
    )
    const first = rejected[0]
    if (first?._tag === "Failure") yield* show("a rejection", `${first.failure._tag}: ${first.failure.message}`)
  }).pipe(Effect.scoped)

const passwordRotation = Effect.gen(function* () {
  yield* step("Password rotation without a restart")
  const server = yield* ValkeyServer.make({ users: [{ name: "app", password: "first-password" }] })
  const { valkey } = yield* ValkeyStandalone.make({
    port: server.port,
    username: "app",
    password: Redacted.make("first-password")
  })
  yield* show("connected as 'app'", yield* valkey.ping())
  yield* server.command(["ACL", "SETUSER", "app", "resetpass", ">second-password"])
  yield* valkey.updatePassword(Redacted.make("second-password"))
  yield* show("server rotated; client updated", "(the secret never appears in logs or errors)")
  yield* server.command(["CLIENT", "KILL", "USER", "app"])
  yield* Effect.sleep("200 millis")
  yield* show("connection killed; next call reconnects", yield* valkey.echo("still here"))
}).pipe(Effect.scoped)

const program = Effect.gen(function* () {
  yield* Console.log("effect-valkey tour: starting a throwaway valkey-server on a free loopback port…")
  const server = yield* ValkeyServer.make()
  yield* Console.log(`server up at ${server.address}`)
  const client = ValkeyStandalone.layer({ port: server.port, clientName: "tour" })
  yield* Effect.provide(Effect.all([typedCommands, customCommand, multiplexing]), client)
  yield* inflightLimit(server.port)
  yield* passwordRotation
  yield* Console.log("\nDone. Servers stopped; nothing is left running.")
}).pipe(Effect.scoped)

NodeRuntime.runMain(program.pipe(Effect.provide(Layer.empty)))
