/**
 * Bad input from callers: every public entry point given invalid arguments or configuration
 * fails with a typed error (`InvalidArgumentError`, `ConfigError`, `SubscribeError` with reason
 * "invalid"), and nothing reaches the server. The server here is the testkit `ReplayServer`,
 * which records every request it receives; after the bad calls one PING goes out and must be
 * the only request after the handshake.
 *
 * Arguments TypeScript would reject are included too (`undefined`, objects, NaN), the way a
 * JavaScript caller or a bad cast passes them: they must be typed failures as well, never an
 * exception thrown from inside the connection.
 */
import { assert, describe, it } from "@effect/vitest"
import { type ClusterConfig, ValkeyCluster } from "@effect-valkey/cluster"
import { Command, Commands, Reply, type ValkeyConfig, ValkeyStandalone } from "@effect-valkey/core"
import { Json } from "@effect-valkey/json"
import { PubSub, type PubSubOptions } from "@effect-valkey/pubsub"
import { Field, Query, Search } from "@effect-valkey/search"
import { ReplayServer } from "@effect-valkey/testkit"
import { Cause, Context, Effect, Exit, Layer, Option, type Scope } from "effect"
import { report } from "./scale.ts"

const fake = ReplayServer.make([], {
  protocol: 3,
  answer: (request) => (String(request[0]).toUpperCase() === "PING" ? "+PONG\r\n" : undefined)
})

// biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input, as from JavaScript
const bad = (value: unknown): any => value

/** "succeeded", the error's tag, or "defect: …" for anything thrown. Scoped: what it opens closes. */
const outcome = <E extends { readonly _tag: string }, R>(call: Effect.Effect<unknown, E, R>) =>
  Effect.map(Effect.exit(Effect.scoped(call)), (exit) => {
    if (Exit.isSuccess(exit)) return "succeeded"
    const error = Exit.findErrorOption(exit)
    return Option.isSome(error) ? error.value._tag : `defect: ${Cause.pretty(exit.cause).split("\n")[0]}`
  })

describe("invalid arguments: typed error, nothing sent", () => {
  it.live("core commands, json and search builders, custom and batch", () =>
    Effect.gen(function* () {
      const server = yield* fake
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port })
      const handshake = server.requests.length
      const calls: ReadonlyArray<readonly [string, Effect.Effect<unknown, { readonly _tag: string }>]> = [
        ["del []", valkey.del([])],
        ["mget []", valkey.mget([])],
        ["mset {}", valkey.mset({})],
        ["hset {}", valkey.hset("h", {})],
        ["hmget []", valkey.hmget("h", [])],
        ["lpush []", valkey.lpush("l", [])],
        ["pfcount []", valkey.pfcount([])],
        ["setbit -1", valkey.setbit("b", -1, 1)],
        ["getbit 1.5", valkey.getbit("b", 1.5)],
        ["lrange NaN", valkey.lrange("l", Number.NaN, 1)],
        ["swapdb -1", valkey.swapdb(-1, 0)],
        ["move db 0.5", valkey.move("k", 0.5)],
        ["wait -1", valkey.wait(-1, 0)],
        ["zadd NaN score", valkey.zadd("z", [{ member: "m", score: Number.NaN }])],
        ["geoadd latitude 100", valkey.geoadd("g", [{ longitude: 0, latitude: 100, member: "m" }])],
        ["hincrbyfloat NaN", valkey.hincrByFloat("h", "f", Number.NaN)],
        ["functionLoad without shebang", valkey.functionLoad("return 1")],
        ["run Command.invalid", valkey.run(Command.invalid("X", "made invalid"))],
        ["run invalid definition", valkey.run(Commands.commands.mget([]))],
        ["batch with an invalid command", valkey.batch([Commands.commands.del([])], { raiseOnError: true })],
        ["atomic batch with an invalid command", valkey.batch([Commands.commands.del([])], { atomic: true })],
        ["json set undefined", valkey.run(Json.set("doc", "$", undefined))],
        ["json set bigint", valkey.run(Json.set("doc", "$", 1n))],
        ["json mget []", valkey.run(Json.mget([], "$"))],
        ["json arrappend []", valkey.run(Json.arrAppend("doc", "$", []))],
        ["search create no schema", valkey.run(Search.create("idx", { schema: {} }))],
        ["search empty query", valkey.run(Search.search("idx", Query.make("")))],
        ["search alias empty", valkey.run(Search.aliasAdd("", "idx"))],
        [
          "search vector dim 0",
          valkey.run(
            Search.create("idx", {
              schema: { v: Field.vector.flat({ type: "FLOAT32", dim: 0, metric: "L2" }) }
            })
          )
        ],
        // What TypeScript would refuse, as a JavaScript caller might pass it.
        ["set undefined value", valkey.set("k", bad(undefined))],
        ["set object value", valkey.set("k", bad({ a: 1 }))],
        ["set null key", valkey.set(bad(null), "v")],
        ["set NaN value", valkey.set("k", Number.NaN)],
        ["custom with undefined", valkey.custom(["SET", "k", bad(undefined)])],
        ["custom empty", valkey.custom([])],
        ["run with a symbol", valkey.run(Command.make(["GET", bad(Symbol("x"))], Reply.nullableString))]
      ]
      const outcomes: Array<string> = []
      for (const [name, call] of calls) {
        outcomes.push(`${name}: ${yield* outcome(call)}`)
      }
      // Nothing but the PING below reaches the server.
      assert.strictEqual(yield* valkey.ping(), "PONG")
      const sent = server.requests.slice(handshake)
      report("invalid arguments", { calls: calls.length, requestsAfterHandshake: sent.length })
      assert.deepStrictEqual(
        outcomes.filter((o) => !/: (InvalidArgumentError|TransactionAbortedError)$/.test(o)),
        []
      )
      assert.deepStrictEqual(sent, [["PING"]])
    })
  )
})

describe("invalid configuration: ConfigError naming the field, no connection made", () => {
  it.live("standalone, cluster and pub/sub configuration", () =>
    Effect.gen(function* () {
      const server = yield* fake
      const standalone: ReadonlyArray<readonly [string, ValkeyConfig.ValkeyConfig]> = [
        ["port 0", { port: 0 }],
        ["port 70000", { port: 70_000 }],
        ["port 1.5", { port: 1.5 }],
        ["empty host", { host: "" }],
        ["protocol 4", { protocol: bad(4) }],
        ["database -1", { database: -1 }],
        ["client name with a space", { clientName: "a b" }],
        ["empty username", { username: "" }],
        ["inflightLimit 0", { inflightLimit: 0 }],
        ["blockingPoolSize 0.5", { blockingPoolSize: 0.5 }],
        ["requestTimeout not a duration", { requestTimeout: bad("soon") }],
        ["connectTimeout negative", { connectTimeout: -5 }],
        ["maxBulkLength 0", { maxBulkLength: 0 }],
        ["url not a URL", { url: "not a url" }],
        ["url scheme", { url: "http://127.0.0.1:1" }],
        ["url database", { url: "valkey://127.0.0.1:1/x" }],
        ["tls not an object", { tls: bad("yes") }],
        ["password a number", { password: bad(1234) }]
      ]
      const outcomes: Array<string> = []
      for (const [name, config] of standalone) {
        const error = yield* outcome(ValkeyStandalone.make({ port: server.port, ...config }))
        outcomes.push(`standalone ${name}: ${error}`)
      }
      const cluster: ReadonlyArray<readonly [string, Partial<ClusterConfig.ClusterConfig>]> = [
        ["no seeds", { seeds: [] }],
        ["seed without port", { seeds: ["127.0.0.1"] }],
        ["seed with a bad port", { seeds: ["127.0.0.1:notaport"] }],
        ["seeds not a list", { seeds: bad("127.0.0.1:1") }],
        ["maxRedirects -1", { maxRedirects: -1 }],
        ["readFrom unknown", { readFrom: bad("closest") }],
        ["readFrom empty az", { readFrom: { azAffinity: "" } }],
        ["topologyRefresh 0", { topologyRefresh: 0 }],
        ["inflightLimit 0", { inflightLimit: 0 }],
        ["requestTimeout not a duration", { requestTimeout: bad({}) }]
      ]
      for (const [name, config] of cluster) {
        const error = yield* outcome(ValkeyCluster.make({ seeds: [server.address], ...config }))
        outcomes.push(`cluster ${name}: ${error}`)
      }
      assert.deepStrictEqual(
        outcomes.filter((o) => !o.endsWith(": ConfigError")),
        []
      )
      // No connection was made: the fake saw no request at all, not even HELLO.
      assert.deepStrictEqual(server.requests, [])

      // Pub/sub options, on a working command client.
      const base = { port: server.port }
      const router = Layer.succeedContext(yield* Layer.build(ValkeyStandalone.layer(base)))
      const pubsubOptions: ReadonlyArray<readonly [string, PubSubOptions.PubSubOptions]> = [
        ["buffer capacity 0", { buffer: { capacity: 0 } }],
        ["buffer capacity 1.5", { buffer: { capacity: 1.5 } }],
        ["subscribeTimeout not a duration", { subscribeTimeout: bad("later") }],
        ["reconcileInterval not a duration", { reconcileInterval: bad("sometime") }],
        ["reconcileInterval 0", { reconcileInterval: 0 }],
        ["subscribeTimeout negative", { subscribeTimeout: -1 }]
      ]
      for (const [name, options] of pubsubOptions) {
        const error = yield* outcome(Layer.build(PubSub.layer(options).pipe(Layer.provide(router))))
        outcomes.push(`pubsub ${name}: ${error}`)
      }
      const pubsub = Context.get(yield* Layer.build(PubSub.layer().pipe(Layer.provide(router))), PubSub.PubSub)
      const before = server.requests.length
      const subscriptions: ReadonlyArray<
        readonly [string, Effect.Effect<unknown, { readonly _tag: string }, Scope.Scope>]
      > = [
        ["no channel", pubsub.subscription("channel", [])],
        ["no pattern", pubsub.subscription("pattern", [])],
        ["undefined channel", pubsub.subscription("channel", bad(undefined))],
        ["a number as channel", pubsub.subscription("channel", bad([42]))],
        ["unknown kind", pubsub.subscription(bad("everything"), "x")],
        ["publish undefined", pubsub.publish(bad(undefined), "m")],
        ["publish object", pubsub.publish("c", bad({ m: 1 }))]
      ]
      const subscribeOutcomes: Array<string> = []
      for (const [name, call] of subscriptions) {
        subscribeOutcomes.push(`pubsub ${name}: ${yield* outcome(call)}`)
      }
      report("invalid configuration", {
        standalone: standalone.length,
        cluster: cluster.length,
        pubsubOptions: pubsubOptions.length,
        pubsubCalls: subscriptions.length
      })
      assert.deepStrictEqual(
        outcomes.filter((o) => !o.endsWith(": ConfigError")),
        []
      )
      assert.deepStrictEqual(
        subscribeOutcomes.filter((o) => !/: (SubscribeError|InvalidArgumentError)$/.test(o)),
        []
      )
      assert.deepStrictEqual(server.requests.slice(before), [])
    })
  )
})
