/**
 * The whole package path over a real socket: the standalone client, connected to a replay server
 * that answers each recorded request with its recorded reply, runs every case with
 * `valkey.run` and in a batch, in RESP2 and RESP3.
 */
import { assert, describe, it } from "@effect/vitest"
import { ValkeyStandalone } from "@effect-valkey/core"
import { ReplayServer } from "@effect-valkey/testkit"
import { Effect, Result } from "effect"
import { Json } from "../src/index.ts"
import { cases, check, records } from "./fixtures.ts"

const names = [...new Set(records.map((r) => r.name))]

for (const protocol of [2, 3] as const) {
  describe(`over a socket, RESP${protocol}`, () => {
    it.live("every recorded case through valkey.run", () =>
      Effect.gen(function* () {
        const server = yield* ReplayServer.make(records, { protocol })
        const { valkey } = yield* ValkeyStandalone.make({ port: server.port, protocol })
        for (const name of names) {
          const { command, expected } = cases[name]!
          const exit = yield* Effect.exit(valkey.run(command))
          check(exit, expected, `${name} RESP${protocol}`)
        }
        // The handshake was answered, then every case went out exactly as recorded.
        const sent = server.requests.filter((r) => r[0] !== "HELLO" && r[0] !== "CLIENT")
        assert.deepStrictEqual(
          sent,
          names.map((name) => records.find((r) => r.name === name && r.protocol === protocol)!.args)
        )
        if (protocol === 3) assert.deepStrictEqual(server.requests[0]!.slice(0, 2), ["HELLO", "3"])
      })
    )

    it.live("batches of JSON commands, typed per position, with an error reply among them", () =>
      Effect.gen(function* () {
        const server = yield* ReplayServer.make(records, { protocol })
        const { valkey } = yield* ValkeyStandalone.make({ port: server.port, protocol })
        const [name, age, missing] = yield* valkey.batch(
          [Json.get("user:1", ".name"), Json.numIncrBy("user:1", "$.age", 1.5), Json.get("nokey", "$")],
          { raiseOnError: true }
        )
        assert.strictEqual(name, "Ada")
        const a: Array<number | null> = age
        assert.deepStrictEqual(a, [37.5])
        assert.strictEqual(missing, null)
        // A pipeline gives each command its own outcome: the error reply loses no other result.
        const [set, length] = yield* valkey.batch([Json.set("plain", "$", 1), Json.strLen("user:1", ".name")])
        assert.isTrue(Result.isFailure(set))
        if (Result.isFailure(set)) {
          assert.strictEqual(set.failure._tag, "ReplyError")
          assert.strictEqual(set.failure._tag === "ReplyError" ? set.failure.code : "", "WRONGTYPE")
        }
        assert.deepStrictEqual(length, Result.succeed(3))
        const raised = yield* Effect.exit(
          valkey.batch([Json.set("plain", "$", 1), Json.strLen("user:1", ".name")], { raiseOnError: true })
        )
        check(raised, { error: "ReplyError", code: "WRONGTYPE" }, "raised batch error")
      })
    )

    it.live("an invalid command fails before anything is sent", () =>
      Effect.gen(function* () {
        const server = yield* ReplayServer.make(records, { protocol })
        const { valkey } = yield* ValkeyStandalone.make({ port: server.port, protocol })
        const before = server.requests.length
        const exit = yield* Effect.exit(valkey.run(Json.numIncrBy("user:1", "$.age", Number.NaN)))
        check(exit, { error: "InvalidArgumentError" }, "NaN increment")
        const unserializable = yield* Effect.exit(valkey.run(Json.set("doc", "$", 1n)))
        check(unserializable, { error: "InvalidArgumentError" }, "bigint value")
        assert.strictEqual(server.requests.length, before)
      })
    )
  })
}
