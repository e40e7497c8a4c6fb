/**
 * The whole package path over a real socket: the standalone client, connected to a replay
 * server that answers each recorded valkey-search request with its recorded reply, runs every
 * case with `valkey.run` and in a batch, in RESP2 and RESP3. What went out must be the recorded
 * request, byte for byte (the float32 vectors of PARAMS included), and each reply must decode to
 * what the recorded reply decodes to on its own (recorded.test.ts states those values).
 */
import { assert, describe, it } from "@effect/vitest"
import { ValkeyStandalone } from "@effect-valkey/core"
import { ReplayServer, type ReplayServerHandle } from "@effect-valkey/testkit"
import { Effect, Result } from "effect"
import { Query, Search, Vector } from "../src/index.ts"
import { calls, records } from "./fixtures.ts"
import { names, ofExit, offline, ofResult, recordOf, refused, sent } from "./outcomes.ts"

/** The requests after the handshake. */
const commandsOf = (server: ReplayServerHandle) => {
  const out: Array<{ text: ReadonlyArray<string>; bytes: Buffer }> = []
  server.requests.forEach((text, i) => {
    if (text[0] !== "HELLO" && text[0] !== "CLIENT") out.push({ text, bytes: server.requestBytes[i]! })
  })
  return out
}

const refusals: { readonly [name: string]: string } = {
  create_bad_dim: "FT.CREATE: field v: dim must be an integer from 1 to 32768, got 0",
  create_bad_syntax: "FT.CREATE: the schema needs at least one field"
}

const ZERO = new Float32Array([0, 0])

describe("the recorded cases", () => {
  it("two are refused by the package, the rest are sent", () => {
    assert.deepStrictEqual([...refused], Object.keys(refusals))
    assert.strictEqual(sent.length + refused.length, records.length / 2)
  })
})

for (const protocol of [2, 3] as const) {
  describe(`over a socket, RESP${protocol}`, () => {
    it.live("every recorded case through valkey.run", () =>
      Effect.gen(function* () {
        const server = yield* ReplayServer.make(records, { protocol })
        const { valkey } = yield* ValkeyStandalone.make({ port: server.port, protocol })
        for (const name of names) {
          const exit = yield* Effect.exit(valkey.run(calls[name]!()))
          const expected =
            refusals[name] !== undefined
              ? { error: "InvalidArgumentError", message: refusals[name] }
              : offline(name, protocol)
          assert.deepStrictEqual(ofExit(exit), expected, `${name} RESP${protocol}`)
        }
        // The handshake was answered, then every sendable case went out exactly as recorded
        // (the refused ones never left the client).
        const out = commandsOf(server)
        assert.deepStrictEqual(
          out.map((r) => r.text),
          sent.map((name) => recordOf(name, protocol).args)
        )
        out.forEach((r, i) => {
          assert.deepStrictEqual(r.bytes, recordOf(sent[i]!, protocol).request, sent[i])
        })
        if (protocol === 3) assert.deepStrictEqual(server.requests[0]!.slice(0, 2), ["HELLO", "3"])
      })
    )

    it.live("every recorded case in one batch: one pipeline, a Result per position", () =>
      Effect.gen(function* () {
        const server = yield* ReplayServer.make(records, { protocol })
        const { valkey } = yield* ValkeyStandalone.make({ port: server.port, protocol })
        const results = yield* valkey.batch(names.map((name) => calls[name]!()))
        assert.strictEqual(results.length, names.length)
        results.forEach((result, i) => {
          const name = names[i]!
          const expected =
            refusals[name] !== undefined
              ? { error: "InvalidArgumentError", message: refusals[name] }
              : offline(name, protocol)
          assert.deepStrictEqual(ofResult(result), expected, `${name} RESP${protocol} in a batch`)
        })
        const out = commandsOf(server)
        assert.deepStrictEqual(
          out.map((r) => r.bytes),
          sent.map((name) => recordOf(name, protocol).request)
        )
      })
    )

    it.live("a typed batch: values per position, vectors as bytes, an error reply among them", () =>
      Effect.gen(function* () {
        const server = yield* ReplayServer.make(records, { protocol })
        const { valkey } = yield* ValkeyStandalone.make({ port: server.port, protocol })
        const knn = Query.knn({ field: "vec", k: 2, vector: ZERO, param: "q" })
        const [list, found, keys, info] = yield* valkey.batch(
          [
            Search.list(),
            Search.search("idx", knn, { dialect: 2 }),
            Search.search("idx", knn, { noContent: true, dialect: 2 }),
            Search.info("idx")
          ],
          { raiseOnError: true }
        )
        const l: Array<string> = list
        assert.deepStrictEqual(l, ["idx", "jidx"])
        assert.strictEqual(found.total, 2)
        assert.deepStrictEqual(
          found.documents.map((d) => [d.key, d.score]),
          [
            ["h:1", 0],
            ["h:4", 0.0100000007078]
          ]
        )
        // The vector field came back as its exact float32 bytes.
        const vec = found.documents[1]!.fields.vec
        assert.instanceOf(vec, Uint8Array)
        assert.deepStrictEqual(Vector.fromBytesUnsafe(vec as Uint8Array), new Float32Array([0.1, 0]))
        assert.strictEqual(found.documents[1]!.fields.tag, "green")
        assert.deepStrictEqual(
          keys.documents.map((d) => d.key),
          ["h:1", "h:4"]
        )
        assert.strictEqual(info.name, "idx")
        assert.strictEqual(info.numDocs, 4)
        assert.deepStrictEqual(
          info.attributes.map((a) => [a.attribute, a.type]),
          [
            ["tag", "TAG"],
            ["vec", "VECTOR"],
            ["n", "NUMERIC"]
          ]
        )
        // A pipeline gives each command its own outcome: an error reply loses no other result.
        const [missing, dropped, again] = yield* valkey.batch([
          Search.info("nope"),
          Search.dropIndex("idx"),
          Search.dropIndex("nope")
        ])
        assert.isTrue(Result.isFailure(missing))
        assert.deepStrictEqual(ofResult(missing), offline("info_unknown", protocol))
        assert.deepStrictEqual(dropped, Result.succeed("OK"))
        assert.deepStrictEqual(ofResult(again), offline("dropindex_unknown", protocol))
        assert.strictEqual((ofResult(again) as { message?: string }).message, "Index with name 'nope' not found")
        const raised = yield* Effect.exit(
          valkey.batch([Search.list(), Search.search("nope", knn)], { raiseOnError: true })
        )
        assert.deepStrictEqual(ofExit(raised), offline("search_unknown_index", protocol))
      })
    )

    it.live("an invalid command fails before anything is sent, alone or in a batch", () =>
      Effect.gen(function* () {
        const server = yield* ReplayServer.make(records, { protocol })
        const { valkey } = yield* ValkeyStandalone.make({ port: server.port, protocol })
        const before = server.requests.length
        const bad = [
          Search.search("idx", Query.knn({ field: "vec", k: 0, vector: ZERO, param: "q" })),
          Search.search("idx", "*", { limit: { offset: -1, count: 10 } }),
          Search.aliasAdd("", "idx"),
          calls.create_bad_dim!()
        ]
        for (const command of bad) {
          const exit = yield* Effect.exit(valkey.run(command))
          assert.strictEqual((ofExit(exit) as { error?: string }).error, "InvalidArgumentError")
        }
        const results = yield* valkey.batch(bad)
        for (const result of results) {
          assert.strictEqual((ofResult(result) as { error?: string }).error, "InvalidArgumentError")
        }
        assert.strictEqual(server.requests.length, before)
      })
    )
  })
}
