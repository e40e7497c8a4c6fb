/**
 * The package against a real Valkey with the json module loaded (`VALKEY_MODULES`,
 * `VALKEY_JSON_MODULE`, or the build in `shared/modules/` beside the repo, see `module.ts`);
 * skipped, with the reason in the title, when none is available. These runs check what the
 * recordings do not cover: legacy-path replies of every command, missing keys and paths, wrong
 * types, options, the replies captured in `shapes.ts`, and Schema documents (Date, bigint,
 * Option, branded, nested) written and read back.
 */
import { assert, describe, layer } from "@effect/vitest"
import { type CommandError, ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Exit, Option, Schema } from "effect"
import { Json } from "../src/index.ts"
import { Account, AccountId, accounts, bigBalance, firstAccountJson } from "./documents.ts"
import { check } from "./fixtures.ts"
import { hasJsonModule, liveSuite, modules } from "./module.ts"
import { document, shapes } from "./shapes.ts"

const client = (protocol: 2 | 3) =>
  Effect.gen(function* () {
    const server = yield* ValkeyServer
    const { valkey } = yield* ValkeyStandalone.make({ port: server.port, protocol })
    return valkey
  })

const failureOf = <A>(exit: Exit.Exit<A, CommandError>): { tag: string; code: string } => {
  assert.isTrue(Exit.isFailure(exit), "expected a failure")
  const error = Exit.isFailure(exit) ? Exit.findErrorOption(exit) : undefined
  if (error?._tag !== "Some") return { tag: "none", code: "" }
  return { tag: error.value._tag, code: error.value._tag === "ReplyError" ? error.value.code : "" }
}

const User = Schema.Struct({
  name: Schema.String,
  joined: Schema.Date,
  tags: Schema.Array(Schema.String)
})

describe.skipIf(!hasJsonModule)(liveSuite("against valkey-json"), () => {
  layer(ValkeyServer.layer({ modules }), { timeout: 60_000 })("real server", (it) => {
    for (const protocol of [2, 3] as const) {
      describe(`RESP${protocol}`, () => {
        const k = (name: string) => `p${protocol}:${name}`

        it.effect("set/get in both path syntaxes, NX/XX, several paths, text formatting", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const doc = k("doc")
            assert.strictEqual(yield* v.run(Json.set(doc, "$", { a: 1, b: { c: "x" }, arr: [1, 2] })), "OK")
            assert.strictEqual(yield* v.run(Json.set(doc, "$", {}, { condition: "NX" })), null)
            assert.strictEqual(yield* v.run(Json.set(doc, "$.a", 2, { condition: "XX" })), "OK")
            assert.strictEqual(yield* v.run(Json.set(doc, "$.z", 9, { condition: "XX" })), null)
            assert.deepStrictEqual(yield* v.run(Json.get(doc)), { a: 2, b: { c: "x" }, arr: [1, 2] })
            assert.deepStrictEqual(yield* v.run(Json.get(doc, "$.a")), [2])
            assert.strictEqual(yield* v.run(Json.get(doc, ".b.c")), "x")
            assert.deepStrictEqual(yield* v.run(Json.getPaths(doc, [".a", ".b.c"])), { ".a": 2, ".b.c": "x" })
            assert.deepStrictEqual(yield* v.run(Json.getPaths(doc, ["$.a", ".b.c"])), { "$.a": [2], ".b.c": ["x"] })
            assert.strictEqual(
              yield* v.run(Json.getText(doc, ".arr", { indent: "\t", newline: "\n" })),
              "[\n\t1,\n\t2\n]"
            )
            assert.deepStrictEqual(yield* v.run(Json.get(doc, "$.a", { noEscape: true })), [2])
          })
        )

        it.effect("missing keys, missing paths and wrong types", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const doc = k("shapes")
            const none = k("none")
            yield* v.run(Json.set(doc, "$", { s: "str", n: 1, o: { x: 1 }, a: [1] }))
            // Missing key: reads answer null.
            assert.strictEqual(yield* v.run(Json.get(none)), null)
            assert.strictEqual(yield* v.run(Json.type(none)), null)
            assert.strictEqual(yield* v.run(Json.strLen(none, "$.s")), null)
            assert.strictEqual(yield* v.run(Json.arrLen(none, ".a")), null)
            assert.strictEqual(yield* v.run(Json.objLen(none)), null)
            assert.strictEqual(yield* v.run(Json.objKeys(none, "$")), null)
            assert.deepStrictEqual(yield* v.run(Json.mget([doc, none], ".n")), [1, null])
            // Missing key: writes on a path fail.
            assert.strictEqual(failureOf(yield* Effect.exit(v.run(Json.numIncrBy(none, ".n", 1)))).tag, "ReplyError")
            // Missing path: a JSONPath matches nothing, a legacy path is an error.
            assert.deepStrictEqual(yield* v.run(Json.get(doc, "$.nope")), [])
            assert.deepStrictEqual(failureOf(yield* Effect.exit(v.run(Json.get(doc, ".nope")))), {
              tag: "ReplyError",
              code: "NONEXISTENT"
            })
            // Wrong type: null entries for a JSONPath, WRONGTYPE for a legacy path.
            assert.deepStrictEqual(yield* v.run(Json.numIncrBy(doc, "$.s", 1)), [null])
            assert.deepStrictEqual(yield* v.run(Json.arrLen(doc, "$.*")), [null, null, null, 1])
            assert.deepStrictEqual(failureOf(yield* Effect.exit(v.run(Json.strLen(doc, ".n")))).code, "WRONGTYPE")
            assert.deepStrictEqual(failureOf(yield* Effect.exit(v.run(Json.toggle(doc, ".s")))).code, "WRONGTYPE")
            // A key that holds no JSON document.
            yield* v.set(k("plain"), "x")
            assert.deepStrictEqual(failureOf(yield* Effect.exit(v.run(Json.get(k("plain"))))).code, "WRONGTYPE")
          })
        )

        it.effect("legacy-path replies of every command", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const doc = k("legacy")
            yield* v.run(Json.set(doc, ".", { n: 2, s: "ab", t: false, a: [1, 2, 3], o: { x: 1, y: 2 } }))
            assert.strictEqual(yield* v.run(Json.type(doc)), "object")
            assert.strictEqual(yield* v.run(Json.type(doc, ".n")), "integer")
            assert.strictEqual(yield* v.run(Json.numIncrBy(doc, ".n", 0.5)), 2.5)
            assert.strictEqual(yield* v.run(Json.numMultBy(doc, ".n", 2)), 5)
            assert.strictEqual(yield* v.run(Json.strAppend(doc, ".s", "c")), 3)
            assert.strictEqual(yield* v.run(Json.strLen(doc, ".s")), 3)
            assert.strictEqual(yield* v.run(Json.toggle(doc, ".t")), true)
            assert.strictEqual(yield* v.run(Json.arrAppend(doc, ".a", [4, { five: 5 }])), 5)
            assert.strictEqual(yield* v.run(Json.arrIndex(doc, ".a", 3)), 2)
            assert.strictEqual(yield* v.run(Json.arrIndex(doc, ".a", 1, { start: 1 })), -1)
            assert.strictEqual(yield* v.run(Json.arrIndex(doc, ".a", 2, { start: 0, end: 2 })), 1)
            assert.strictEqual(yield* v.run(Json.arrInsert(doc, ".a", 0, [0])), 6)
            assert.deepStrictEqual(yield* v.run(Json.arrPop(doc, ".a")), { five: 5 })
            assert.strictEqual(yield* v.run(Json.arrPop(doc, ".a", 0)), 0)
            assert.strictEqual(yield* v.run(Json.arrTrim(doc, ".a", 0, 1)), 2)
            assert.strictEqual(yield* v.run(Json.arrLen(doc, ".a")), 2)
            assert.deepStrictEqual(yield* v.run(Json.objKeys(doc, ".o")), ["x", "y"])
            assert.strictEqual(yield* v.run(Json.objLen(doc, ".o")), 2)
            assert.deepStrictEqual(yield* v.run(Json.resp(doc, ".o")), { x: 1, y: 2 })
            assert.deepStrictEqual(yield* v.run(Json.resp(doc, "$.a")), [[1, 2]])
            assert.isTrue(((yield* v.run(Json.debugMemory(doc))) ?? 0) > 0)
            assert.isTrue(((yield* v.run(Json.debugFields(doc, ".o"))) ?? 0) >= 2)
            assert.strictEqual(yield* v.run(Json.debugDepth(doc)), 2)
            assert.strictEqual(yield* v.run(Json.clear(doc, ".o")), 1)
            assert.strictEqual(yield* v.run(Json.del(doc, ".s")), 1)
            assert.strictEqual(yield* v.run(Json.forget(doc, ".t")), 1)
            assert.deepStrictEqual(yield* v.run(Json.get(doc)), { n: 5, a: [1, 2], o: {} })
            assert.strictEqual(yield* v.run(Json.del(doc)), 1)
            assert.strictEqual(yield* v.exists([doc]), 0)
          })
        )

        it.effect("Schema documents: encoded on set, decoded on get and mget, a mismatch is a DecodeError", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const doc = k("user")
            const ada = { name: "Ada", joined: new Date("1843-01-01T00:00:00.000Z"), tags: ["math"] }
            assert.strictEqual(yield* v.run(Json.set(doc, "$", ada, { schema: User })), "OK")
            // The Date went out as its encoded form, a string.
            assert.strictEqual(yield* v.run(Json.get(doc, ".joined")), "1843-01-01T00:00:00.000Z")
            assert.deepStrictEqual(yield* v.run(Json.get(doc, ".", { schema: User })), ada)
            assert.deepStrictEqual(yield* v.run(Json.get(doc, "$", { schema: User })), [ada])
            assert.deepStrictEqual(yield* v.run(Json.mget([doc, k("nobody")], "$", { schema: User })), [[ada], null])
            const wrong = Schema.Struct({ name: Schema.Number })
            assert.strictEqual(
              failureOf(yield* Effect.exit(v.run(Json.get(doc, ".", { schema: wrong })))).tag,
              "DecodeError"
            )
          })
        )

        it.effect(
          "Schema documents: Date, BigInt, Option, branded and nested values round-trip as their JSON form",
          () =>
            Effect.gen(function* () {
              const v = yield* client(protocol)
              const [first, second] = accounts as [Account, Account]
              const [a, b, none] = [k("acct:a"), k("acct:b"), k("acct:none")]
              assert.strictEqual(yield* v.run(Json.set(a, "$", first, { schema: Account })), "OK")
              // Stored as the JSON codec's form: ISO strings, digit strings, tagged options.
              assert.deepStrictEqual(yield* v.run(Json.get(a)), firstAccountJson)
              assert.deepStrictEqual(yield* v.run(Json.get(a, ".", { schema: Account })), first)
              assert.deepStrictEqual(yield* v.run(Json.get(a, "$", { schema: Account })), [first])
              // A part of the document through the Schema of that part.
              assert.strictEqual(yield* v.run(Json.get(a, ".balance", { schema: Schema.BigInt })), bigBalance)
              assert.deepStrictEqual(
                yield* v.run(Json.get(a, "$.entries[*].at", { schema: Schema.Date })),
                first.entries.map((e) => e.at)
              )
              assert.deepStrictEqual(
                yield* v.run(Json.get(a, "$.entries[*].note", { schema: Schema.Option(Schema.String) })),
                [Option.some("coffee"), Option.none()]
              )
              // A write at a path through the part's Schema.
              const closed = Option.some(new Date("2025-01-01T00:00:00.000Z"))
              assert.strictEqual(
                yield* v.run(Json.set(a, ".closed", closed, { schema: Schema.Option(Schema.Date) })),
                "OK"
              )
              assert.deepStrictEqual(yield* v.run(Json.get(a, ".closed")), {
                _tag: "Some",
                value: "2025-01-01T00:00:00.000Z"
              })
              assert.deepStrictEqual(yield* v.run(Json.get(a, ".", { schema: Account })), { ...first, closed })
              // JSON.MSET and JSON.MGET through the same Schema; a missing key stays null.
              const written = yield* v.run(
                Json.mset(
                  [
                    [a, "$", first],
                    [b, "$", second]
                  ],
                  { schema: Account }
                )
              )
              assert.strictEqual(written, "OK")
              assert.deepStrictEqual(yield* v.run(Json.mget([a, none, b], ".", { schema: Account })), [
                first,
                null,
                second
              ])
              assert.deepStrictEqual(yield* v.run(Json.mget([b, none], "$", { schema: Account })), [[second], null])
              assert.deepStrictEqual(yield* v.run(Json.mget([a, b], "$.id", { schema: AccountId })), [
                [AccountId.make("acc-1")],
                [AccountId.make("acc-2")]
              ])
            })
        )

        it.effect("Schema documents: a stored document that does not decode is a DecodeError", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const doc = k("acct:bad")
            yield* v.run(Json.set(doc, "$", { ...firstAccountJson, balance: "12.5", opened: "not a date" }))
            const get = failureOf(yield* Effect.exit(v.run(Json.get(doc, ".", { schema: Account }))))
            assert.strictEqual(get.tag, "DecodeError")
            const mget = failureOf(yield* Effect.exit(v.run(Json.mget([doc], "$", { schema: Account }))))
            assert.strictEqual(mget.tag, "DecodeError")
            // The plain reads still see the document as it is.
            assert.strictEqual(yield* v.run(Json.get(doc, ".balance")), "12.5")
          })
        )

        it.effect("Schema documents: a value the Schema cannot encode fails before anything is sent", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const [first, second] = accounts as [Account, Account]
            const [a, b] = [k("acct:unsent:a"), k("acct:unsent:b")]
            const invalidDate = { ...first, opened: new Date("not a date") }
            const set = Json.set(a, "$", invalidDate, { schema: Account })
            assert.strictEqual(set.invalid?._tag, "InvalidArgumentError")
            assert.strictEqual(failureOf(yield* Effect.exit(v.run(set))).tag, "InvalidArgumentError")
            const notBigInt = { ...second, balance: 5 as unknown as bigint }
            const mset = Json.mset(
              [
                [a, "$", first],
                [b, "$", notBigInt]
              ],
              { schema: Account }
            )
            assert.strictEqual(failureOf(yield* Effect.exit(v.run(mset))).tag, "InvalidArgumentError")
            assert.strictEqual(yield* v.exists([a, b]), 0)
          })
        )

        it.effect("the replies captured in shapes.ts are what the module answers", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            for (const [name, shape] of Object.entries(shapes)) {
              const keys = { doc: k(`shape:${name}`), plain: k(`shape:${name}:plain`), none: k(`shape:${name}:none`) }
              yield* v.run(Json.set(keys.doc, "$", document))
              yield* v.set(keys.plain, "str")
              check(yield* Effect.exit(v.run(shape.command(keys))), shape.expected, name)
            }
            // JSON.MSET with a key that holds no document wrote nothing, not even the valid entry.
            assert.deepStrictEqual(yield* v.run(Json.get(k("shape:mset_key_not_json"), ".s")), "x")
          })
        )

        it.effect("JSON.MSET and JSON.MGET in a batch", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const [a, b] = [k("{b}a"), k("{b}b")]
            const [set, got] = yield* v.batch(
              [
                Json.mset([
                  [a, "$", { x: 1 }],
                  [b, "$", [1, 2]]
                ]),
                Json.mget([a, b], "$")
              ],
              { raiseOnError: true }
            )
            assert.strictEqual(set, "OK")
            assert.deepStrictEqual(got, [[{ x: 1 }], [[1, 2]]])
          })
        )
      })
    }
  })
})
