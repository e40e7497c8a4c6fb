/**
 * The package against a real Valkey with the valkey-search module loaded (`VALKEY_MODULES`
 * naming a search module, or `VALKEY_SEARCH_MODULE`); skipped when none is available. Written
 * to valkey-search's documented behaviour (docs/commands in valkey-io/valkey-search): indexes on
 * HASH with TAG, NUMERIC and vector (HNSW, FLAT) fields, documents with float32 vectors, KNN
 * searches with PARAMS, RETURN, LIMIT, NOCONTENT and DIALECT, FT.INFO, FT._LIST, aliases,
 * FT.DROPINDEX, and the errors of each, in RESP2 and RESP3.
 *
 * The module indexes writes asynchronously, so every test waits (bounded) for FT.INFO to count
 * its documents before searching. Distances follow the module's metrics: L2 is the squared
 * Euclidean distance (the recordings show 2 for [1,1] from [0,0]), COSINE is 1 - cos.
 */
import { assert, describe, layer } from "@effect/vitest"
import { type Command, type CommandError, type ValkeyService, ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Exit, Result, Schedule } from "effect"
import { Aggregate, Field, type IndexInfo, Indexing, Query, Search, Vector } from "../src/index.ts"
import { hasSearchModule, liveSuite, modules, refusedBefore12, searchModuleVersion } from "./module.ts"

const client = (protocol: 2 | 3) =>
  Effect.gen(function* () {
    const server = yield* ValkeyServer
    const { valkey } = yield* ValkeyStandalone.make({ port: server.port, protocol })
    return valkey
  })

const failureOf = <A>(exit: Exit.Exit<A, CommandError>): { tag: string; message: string } => {
  assert.isTrue(Exit.isFailure(exit), `expected a failure, got ${String(exit)}`)
  const error = Exit.isFailure(exit) ? Exit.findErrorOption(exit) : undefined
  if (error?._tag !== "Some") return { tag: "none", message: "" }
  return { tag: error.value._tag, message: error.value.message }
}

/**
 * Polls `read` until `done`, on a bounded schedule (for states FT.INFO does not describe, such
 * as which document a search finds first).
 */
const waitFor = <A, E>(what: string, read: Effect.Effect<A, E>, done: (a: A) => boolean) =>
  Effect.flatMap(read, (value) =>
    done(value) ? Effect.succeed(value) : Effect.fail(`not yet: ${what}` as const)
  ).pipe(
    Effect.retry({ schedule: Schedule.spaced("25 millis").pipe(Schedule.upTo({ duration: "15 seconds" })) }),
    Effect.orDie
  )

/** Until the index has caught up with its writes and counts `docs` documents. */
const indexed = (v: ValkeyService, name: string, docs: number) =>
  Indexing.waitForIndex(v, name, { documents: docs, timeout: "15 seconds" })

const f32 = (...xs: Array<number>) => new Float32Array(xs)

/** The documents every search test writes (3 dimensions, none the zero vector, for COSINE). */
const DOCS = [
  { id: "d1", vec: f32(1, 0, 0), tag: "red|big", n: 1 },
  { id: "d2", vec: f32(0, 1, 0), tag: "blue", n: 5 },
  { id: "d3", vec: f32(0, 0, 5), tag: "red", n: 10 },
  { id: "d4", vec: f32(1, 0.1, 0), tag: "green", n: 3 }
] as const

const QUERY = f32(1, 0, 0)

/** Squared L2 distances from QUERY, in float32 as the module computes them. */
const L2 = { d1: 0, d4: Math.fround(0.1) ** 2, d2: 2, d3: 26 }
/** COSINE distances from QUERY. */
const COS = { d1: 0, d4: 1 - 1 / Math.sqrt(1 + Math.fround(0.1) ** 2), d2: 1, d3: 1 }

/**
 * Two indexes over the same documents, an HNSW/L2 one and a FLAT/COSINE one, named and prefixed
 * by `tag` so that tests do not see each other's data; waits until both have every document.
 */
const setup = (v: ValkeyService, tag: string) =>
  Effect.gen(function* () {
    const prefix = `${tag}:doc:`
    const hnsw = `${tag}_hnsw`
    const flat = `${tag}_flat`
    assert.strictEqual(
      yield* v.run(
        Search.create(
          Search.index(hnsw)
            .on("HASH")
            .prefix(prefix)
            .schema({
              vec: Field.vector.hnsw({ dim: 3, metric: "L2", m: 16, efConstruction: 200, efRuntime: 20 }),
              tag: Field.tag({ separator: "|" }),
              n: Field.numeric()
            })
        )
      ),
      "OK"
    )
    assert.strictEqual(
      yield* v.run(
        Search.create(flat, {
          on: "HASH",
          prefix,
          schema: {
            vec: Field.vector.flat({ dim: 3, metric: "COSINE", initialCap: 16 }),
            tag: Field.tag({ separator: "|", caseSensitive: true }),
            n: Field.numeric()
          }
        })
      ),
      "OK"
    )
    for (const doc of DOCS) {
      const written = yield* v.hset(`${prefix}${doc.id}`, { vec: Vector.toBytes(doc.vec), tag: doc.tag, n: doc.n })
      assert.strictEqual(written, 3)
    }
    yield* indexed(v, hnsw, DOCS.length)
    yield* indexed(v, flat, DOCS.length)
    return { prefix, hnsw, flat, key: (id: string) => `${prefix}${id}` }
  })

const attribute = (info: IndexInfo.IndexInfo, name: string) => {
  const found = info.attributes.find((a) => a.attribute === name)
  assert.isDefined(found, `attribute ${name}`)
  return found!
}

describe.skipIf(!hasSearchModule)(liveSuite("against valkey-search"), () => {
  layer(ValkeyServer.layer({ modules }), { excludeTestServices: true, timeout: 60_000 })("real server", (it) => {
    for (const protocol of [2, 3] as const) {
      describe(`RESP${protocol}`, () => {
        const t = (name: string) => `p${protocol}_${name}`

        it.effect("FT.CREATE on HASH with TAG, NUMERIC, HNSW and FLAT fields; FT._LIST and FT.INFO describe them", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const { prefix, hnsw, flat } = yield* setup(v, t("create"))
            const list = yield* v.run(Search.list())
            assert.includeMembers(list, [hnsw, flat])

            const info = yield* v.run(Search.info(hnsw))
            assert.strictEqual(info.name, hnsw)
            assert.strictEqual(info.keyType, "HASH")
            assert.deepStrictEqual(info.prefixes, [prefix])
            assert.strictEqual(info.numDocs, DOCS.length)
            assert.strictEqual(info.hashIndexingFailures, 0)
            assert.strictEqual(info.state, "ready")
            assert.strictEqual(attribute(info, "tag").type, "TAG")
            assert.strictEqual(attribute(info, "tag").separator, "|")
            assert.strictEqual(attribute(info, "n").type, "NUMERIC")
            const vec = attribute(info, "vec")
            assert.strictEqual(vec.type, "VECTOR")
            assert.strictEqual(vec.vector?.dimensions, 3)
            assert.strictEqual(vec.vector?.distanceMetric, "L2")
            assert.strictEqual(vec.vector?.dataType, "FLOAT32")
            assert.strictEqual(vec.vector?.algorithm.name, "HNSW")
            assert.strictEqual(vec.vector?.algorithm.m, 16)
            assert.strictEqual(vec.vector?.algorithm.efConstruction, 200)
            assert.strictEqual(vec.vector?.algorithm.efRuntime, 20)

            const flatInfo = yield* v.run(Search.info(flat))
            assert.strictEqual(flatInfo.numDocs, DOCS.length)
            const flatVec = attribute(flatInfo, "vec")
            assert.strictEqual(flatVec.vector?.algorithm.name, "FLAT")
            assert.strictEqual(flatVec.vector?.distanceMetric, "COSINE")
            assert.strictEqual(flatVec.vector?.dimensions, 3)

            // A second FT.CREATE of the same name is refused, and changes nothing.
            const again = failureOf(
              yield* Effect.exit(
                v.run(Search.create(hnsw, { on: "HASH", schema: { v: Field.vector.flat({ dim: 2, metric: "L2" }) } }))
              )
            )
            assert.strictEqual(again.tag, "ReplyError")
            assert.match(again.message, /already exists/)
            assert.strictEqual((yield* v.run(Search.info(hnsw))).attributes.length, 3)
          })
        )

        it.effect("FT.SEARCH KNN with PARAMS and DIALECT: nearest first, distances, vectors as bytes", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const { hnsw, flat, key } = yield* setup(v, t("knn"))
            const knn = Query.knn({ field: "vec", k: 2, vector: QUERY, param: "q" })

            const l2 = yield* v.run(Search.search(hnsw, knn, { dialect: 2 }))
            assert.strictEqual(l2.total, 2)
            assert.deepStrictEqual(
              l2.documents.map((d) => d.key),
              [key("d1"), key("d4")]
            )
            assert.closeTo(l2.documents[0]!.score!, L2.d1, 1e-6)
            assert.closeTo(l2.documents[1]!.score!, L2.d4, 1e-6)
            // Without RETURN a HASH document comes with all its fields; the vector as its bytes.
            const d4 = l2.documents[1]!.fields
            assert.strictEqual(d4.tag, "green")
            assert.strictEqual(d4.n, "3")
            assert.instanceOf(d4.vec, Uint8Array)
            assert.deepStrictEqual(Vector.fromBytesUnsafe(d4.vec as Uint8Array), DOCS[3].vec)

            const cosine = yield* v.run(Search.search(flat, knn, { dialect: 2 }))
            assert.deepStrictEqual(
              cosine.documents.map((d) => d.key),
              [key("d1"), key("d4")]
            )
            assert.closeTo(cosine.documents[0]!.score!, COS.d1, 1e-5)
            assert.closeTo(cosine.documents[1]!.score!, COS.d4, 1e-5)

            // The vector may also be given as a plain array or as bytes: the same request.
            const asArray = yield* v.run(
              Search.search(hnsw, Query.knn({ field: "vec", k: 2, vector: [1, 0, 0], param: "q" }), { dialect: 2 })
            )
            assert.deepStrictEqual(
              asArray.documents.map((d) => d.key),
              [key("d1"), key("d4")]
            )
            const asBytes = yield* v.run(
              Search.search(hnsw, Query.knn({ field: "vec", k: 1, vector: Vector.toBytes(QUERY) }), { dialect: 2 })
            )
            assert.deepStrictEqual(
              asBytes.documents.map((d) => d.key),
              [key("d1")]
            )
            // EF_RUNTIME in the query is accepted by HNSW.
            const ef = yield* v.run(
              Search.search(hnsw, Query.knn({ field: "vec", k: 4, vector: QUERY, efRuntime: 50 }), { dialect: 2 })
            )
            assert.deepStrictEqual(
              ef.documents.map((d) => d.key),
              [key("d1"), key("d4"), key("d2"), key("d3")]
            )
          })
        )

        it.effect("RETURN with a score alias, NOCONTENT, LIMIT and hybrid filters", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const { hnsw, flat, key } = yield* setup(v, t("opts"))
            const knn = (k: number, filter?: string) =>
              Query.knn({ field: "vec", k, vector: QUERY, param: "q", ...(filter !== undefined ? { filter } : {}) })

            const returned = yield* v.run(
              Search.search(hnsw, Query.knn({ field: "vec", k: 3, vector: QUERY, param: "q", as: "dist" }), {
                return: ["dist", "tag"],
                dialect: 2
              })
            )
            assert.strictEqual(returned.total, 3)
            assert.deepStrictEqual(
              returned.documents.map((d) => [d.key, d.fields]),
              [
                [key("d1"), { tag: "red|big" }],
                [key("d4"), { tag: "green" }],
                [key("d2"), { tag: "blue" }]
              ]
            )
            assert.closeTo(returned.documents[2]!.score!, L2.d2, 1e-6)

            const renamed = yield* v.run(
              Search.search(hnsw, knn(1), { return: [{ field: "n", as: "number" }], dialect: 2 })
            )
            assert.deepStrictEqual(renamed.documents[0]!.fields, { number: "1" })

            const keys = yield* v.run(Search.search(hnsw, knn(2), { noContent: true, dialect: 2 }))
            assert.deepStrictEqual(keys, {
              total: 2,
              documents: [
                { key: key("d1"), fields: {} },
                { key: key("d4"), fields: {} }
              ]
            })

            // LIMIT trims the returned keys; the total still counts every match.
            const page = yield* v.run(Search.search(hnsw, knn(4), { limit: { offset: 1, count: 2 }, dialect: 2 }))
            assert.strictEqual(page.total, 4)
            assert.deepStrictEqual(
              page.documents.map((d) => d.key),
              [key("d4"), key("d2")]
            )
            const none = yield* v.run(Search.search(hnsw, knn(4), { limit: { offset: 0, count: 0 }, dialect: 2 }))
            assert.strictEqual(none.total, 4)
            assert.deepStrictEqual(none.documents, [])

            // Hybrid queries: a TAG filter (with the index's separator) and a NUMERIC range.
            const red = yield* v.run(Search.search(hnsw, knn(2, "@tag:{red}"), { noContent: true, dialect: 2 }))
            assert.deepStrictEqual(
              red.documents.map((d) => d.key),
              [key("d1"), key("d3")]
            )
            const big = yield* v.run(Search.search(hnsw, knn(4, "@tag:{big}"), { noContent: true, dialect: 2 }))
            assert.deepStrictEqual(
              big.documents.map((d) => d.key),
              [key("d1")]
            )
            const range = yield* v.run(Search.search(hnsw, knn(3, "@n:[2 10]"), { dialect: 2 }))
            assert.deepStrictEqual(
              range.documents.map((d) => [d.key, d.fields.n]),
              [
                [key("d4"), "3"],
                [key("d2"), "5"],
                [key("d3"), "10"]
              ]
            )
            // CASESENSITIVE on the FLAT index's tag field: RED is not red there.
            const upper = yield* v.run(Search.search(flat, knn(4, "@tag:{RED}"), { noContent: true, dialect: 2 }))
            assert.strictEqual(upper.total, 0)
            const lower = yield* v.run(Search.search(hnsw, knn(4, "@tag:{RED}"), { noContent: true, dialect: 2 }))
            assert.strictEqual(lower.total, 2)
          })
        )

        it.effect("documents written, changed and deleted after FT.CREATE are indexed", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const { hnsw, key } = yield* setup(v, t("mutate"))
            // d3 (0, 0, 5) is nearest to (0, 0, 4.9) until d5 is written there.
            const nearest = Search.search(hnsw, Query.knn({ field: "vec", k: 1, vector: f32(0, 0, 4.9) }), {
              noContent: true,
              dialect: 2
            })
            assert.deepStrictEqual((yield* v.run(nearest)).documents[0]?.key, key("d3"))
            yield* v.hset(key("d5"), { vec: Vector.toBytes(f32(0, 0, 4.9)), tag: "new", n: 7 })
            yield* indexed(v, hnsw, DOCS.length + 1)
            // Once the index has caught up, the search sees the new document at once.
            assert.deepStrictEqual((yield* v.run(nearest)).documents[0]?.key, key("d5"))
            assert.strictEqual(yield* v.del([key("d5")]), 1)
            const after = yield* waitFor(
              "d5 to leave the index",
              v.run(Search.info(hnsw)),
              (info) => info.numDocs === DOCS.length
            )
            assert.strictEqual(after.numDocs, DOCS.length)
            assert.deepStrictEqual((yield* v.run(nearest)).documents[0]?.key, key("d3"))
            // A vector of the wrong size is a hash indexing failure: the vector is not indexed, so
            // no KNN search finds the key, though its TAG and NUMERIC fields are (the module
            // counts it in num_docs).
            yield* v.hset(key("bad"), { vec: Vector.toBytes(f32(1, 2)), tag: "bad", n: 0 })
            const failed = yield* waitFor(
              "the bad document to count as an indexing failure",
              v.run(Search.info(hnsw)),
              (info) => info.hashIndexingFailures >= 1
            )
            assert.strictEqual(attribute(failed, "vec").vector?.size, DOCS.length)
            const all = yield* v.run(
              Search.search(hnsw, Query.knn({ field: "vec", k: 10, vector: QUERY }), { noContent: true, dialect: 2 })
            )
            assert.sameMembers(
              all.documents.map((d) => d.key),
              DOCS.map((d) => key(d.id))
            )
          })
        )

        it.effect(
          "aliases: add, list, search and FT.INFO through one, update, delete, drop (or, without them, each unknown)",
          () =>
            Effect.gen(function* () {
              const v = yield* client(protocol)
              const probe = yield* Effect.exit(v.run(Search.aliasList()))
              if (Exit.isFailure(probe) && /unknown command/i.test(failureOf(probe).message)) {
                // Aliases are documented from valkey-search 1.3 on; 1.0.3 and 1.2.1 lack them, and
                // FT.EXPLAINCLI: every one of them is the server's typed "unknown command".
                const missing: ReadonlyArray<Command.Command<unknown>> = [
                  Search.aliasAdd(t("a"), t("i")),
                  Search.aliasUpdate(t("a"), t("i")),
                  Search.aliasDel(t("a")),
                  Search.explainCli(t("i"), Query.knn({ field: "vec", k: 1, vector: QUERY }))
                ]
                for (const command of missing) {
                  const failure = failureOf(yield* Effect.exit(v.run(command)))
                  assert.strictEqual(failure.tag, "ReplyError")
                  assert.match(failure.message, /unknown command/i)
                }
                return
              }
              const { hnsw, flat } = yield* setup(v, t("alias"))
              const alias = t("alias_a")
              const other = t("alias_b")

              assert.strictEqual(yield* v.run(Search.aliasAdd(alias, hnsw)), "OK")
              const twice = failureOf(yield* Effect.exit(v.run(Search.aliasAdd(alias, hnsw))))
              assert.strictEqual(twice.tag, "ReplyError")
              assert.match(twice.message, /Alias already exists/)
              const unknown = failureOf(yield* Effect.exit(v.run(Search.aliasAdd(other, t("no_such_index")))))
              assert.strictEqual(unknown.tag, "ReplyError")
              // An alias cannot point at an alias.
              const chained = failureOf(yield* Effect.exit(v.run(Search.aliasAdd(other, alias))))
              assert.strictEqual(chained.tag, "ReplyError")

              assert.strictEqual((yield* v.run(Search.aliasList()))[alias], hnsw)
              // FT._LIST names indexes only.
              assert.notInclude(yield* v.run(Search.list()), alias)

              const knn = Query.knn({ field: "vec", k: 2, vector: QUERY })
              const direct = yield* v.run(Search.search(hnsw, knn, { noContent: true, dialect: 2 }))
              const viaAlias = yield* v.run(Search.search(alias, knn, { noContent: true, dialect: 2 }))
              assert.deepStrictEqual(viaAlias, direct)
              const info = yield* v.run(Search.info(alias))
              assert.strictEqual(info.name, hnsw)
              assert.strictEqual(info.numDocs, DOCS.length)

              // FT.ALIASUPDATE moves the alias (and creates one that does not exist).
              assert.strictEqual(yield* v.run(Search.aliasUpdate(alias, flat)), "OK")
              assert.strictEqual((yield* v.run(Search.aliasList()))[alias], flat)
              assert.strictEqual((yield* v.run(Search.info(alias))).name, flat)
              assert.strictEqual(yield* v.run(Search.aliasUpdate(other, hnsw)), "OK")
              assert.strictEqual((yield* v.run(Search.aliasList()))[other], hnsw)

              assert.strictEqual(yield* v.run(Search.aliasDel(alias)), "OK")
              assert.isUndefined((yield* v.run(Search.aliasList()))[alias])
              const gone = failureOf(yield* Effect.exit(v.run(Search.aliasDel(alias))))
              assert.strictEqual(gone.tag, "ReplyError")
              assert.match(gone.message, /Alias does not exist/)
              assert.strictEqual(failureOf(yield* Effect.exit(v.run(Search.info(alias)))).tag, "ReplyError")

              // FT.DROPINDEX through an alias drops the index it names, and that index's aliases.
              assert.strictEqual(yield* v.run(Search.dropIndex(other)), "OK")
              assert.notInclude(yield* v.run(Search.list()), hnsw)
              assert.isUndefined((yield* v.run(Search.aliasList()))[other])

              // An empty alias is refused before sending.
              assert.strictEqual(
                failureOf(yield* Effect.exit(v.run(Search.aliasAdd("", flat)))).tag,
                "InvalidArgumentError"
              )
            })
        )

        it.effect("FT.DROPINDEX removes the index but keeps its documents", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const { hnsw, flat, key } = yield* setup(v, t("drop"))
            assert.strictEqual(yield* v.run(Search.dropIndex(hnsw)), "OK")
            const list = yield* v.run(Search.list())
            assert.notInclude(list, hnsw)
            assert.include(list, flat)
            assert.strictEqual(yield* v.exists([key("d1"), key("d2")]), 2)
            const again = failureOf(yield* Effect.exit(v.run(Search.dropIndex(hnsw))))
            assert.strictEqual(again.tag, "ReplyError")
            assert.match(again.message, /not found/)
            assert.strictEqual(failureOf(yield* Effect.exit(v.run(Search.info(hnsw)))).tag, "ReplyError")
            // The name is free again.
            assert.strictEqual(
              yield* v.run(
                Search.create(hnsw, {
                  on: "HASH",
                  prefix: `${t("drop")}:doc:`,
                  schema: { n: Field.numeric(), vec: Field.vector.flat({ dim: 3, metric: "L2" }) }
                })
              ),
              "OK"
            )
            assert.strictEqual(yield* v.run(Search.dropIndex(hnsw)), "OK")
            assert.strictEqual(yield* v.run(Search.dropIndex(flat)), "OK")
          })
        )

        it.effect("errors: unknown indexes, bad queries and definitions, each typed", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const { hnsw } = yield* setup(v, t("errors"))
            const nope = t("nope")
            const knn = Query.knn({ field: "vec", k: 2, vector: QUERY })
            const unknownIndex: ReadonlyArray<Command.Command<unknown>> = [
              Search.search(nope, knn, { dialect: 2 }),
              Search.info(nope),
              Search.dropIndex(nope)
            ]
            for (const command of unknownIndex) {
              const failure = failureOf(yield* Effect.exit(v.run(command)))
              assert.strictEqual(failure.tag, "ReplyError")
              assert.match(failure.message, new RegExp(`Index with name '${nope}' not found`))
            }
            // The server refuses: a malformed query, a vector of the wrong size, KNN on a
            // non-vector field, a parameter the query does not give, an unknown attribute, and a
            // second index of an existing name.
            const refusedByServer: ReadonlyArray<Command.Command<unknown>> = [
              Search.search(hnsw, Query.make("*=>[KNN", { q: QUERY })),
              Search.search(hnsw, Query.knn({ field: "vec", k: 2, vector: f32(1, 0) }), { dialect: 2 }),
              Search.search(hnsw, Query.knn({ field: "n", k: 2, vector: QUERY }), { dialect: 2 }),
              Search.search(hnsw, Query.make("*=>[KNN 2 @vec $missing]"), { dialect: 2 }),
              Search.search(hnsw, Query.knn({ field: "nosuch", k: 2, vector: QUERY }), { dialect: 2 }),
              Search.create(hnsw, { schema: { n: Field.numeric() } })
            ]
            for (const [i, command] of refusedByServer.entries()) {
              const failure = failureOf(yield* Effect.exit(v.run(command)))
              assert.strictEqual(failure.tag, "ReplyError", `case ${i}: ${failure.message}`)
            }

            // The package refuses before sending what the module would refuse.
            const refusedByPackage: ReadonlyArray<Command.Command<unknown>> = [
              Search.create(t("dim0"), { schema: { v: Field.vector.hnsw({ dim: 0, metric: "L2" }) } }),
              Search.create(t("empty"), { schema: {} }),
              Search.create("", { schema: { n: Field.numeric() } }),
              Search.search(hnsw, Query.knn({ field: "vec", k: 0, vector: QUERY })),
              Search.search(hnsw, knn, { limit: { offset: -1, count: 1 } }),
              Search.search(hnsw, knn, { dialect: 0 })
            ]
            for (const command of refusedByPackage) {
              assert.strictEqual(failureOf(yield* Effect.exit(v.run(command))).tag, "InvalidArgumentError")
            }
            const list = yield* v.run(Search.list())
            assert.notInclude(list, t("dim0"))
            assert.notInclude(list, t("empty"))
          })
        )

        it.effect("waitForIndex: returns the caught-up FT.INFO, or fails typed and bounded", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const { hnsw } = yield* setup(v, t("wait"))
            const ready = yield* Indexing.waitForIndex(v, hnsw, { documents: DOCS.length })
            assert.isTrue(Indexing.caughtUp(ready, DOCS.length))
            assert.strictEqual(ready.numDocs, DOCS.length)
            // More documents than exist: the wait runs out and says what it last saw.
            const short = yield* Effect.flip(
              Indexing.waitForIndex(v, hnsw, { documents: DOCS.length + 1, timeout: "200 millis" })
            )
            assert.strictEqual(short._tag, "IndexWaitTimeoutError")
            if (short._tag === "IndexWaitTimeoutError") {
              assert.strictEqual(short.index, hnsw)
              assert.strictEqual(short.numDocs, DOCS.length)
              assert.strictEqual(short.state, "ready")
            }
            // An unknown index ends the wait at once with the server's error.
            const unknown = yield* Effect.flip(Indexing.waitForIndex(v, t("nope"), { timeout: "1 minute" }))
            assert.strictEqual(unknown._tag, "ReplyError")
            const bad = yield* Effect.flip(Indexing.waitForIndex(v, hnsw, { documents: -1 }))
            assert.strictEqual(bad._tag, "InvalidArgumentError")
          })
        )

        it.effect("an index ON JSON: vector, TAG and NUMERIC paths; the document comes back as $", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const name = t("json")
            const prefix = `${name}:`
            assert.strictEqual(
              yield* v.run(
                Search.create(
                  Search.index(name)
                    .on("JSON")
                    .prefix(prefix)
                    .schema({
                      vec: Field.vector.flat({ path: "$.vec", dim: 2, metric: "COSINE" }),
                      kind: Field.tag({ path: "$.kind" }),
                      price: Field.numeric({ path: "$.price" })
                    })
                )
              ),
              "OK"
            )
            const docs = [
              { id: "1", vec: [1, 0], kind: "book", price: 12 },
              { id: "2", vec: [0, 1], kind: "pen", price: 2 },
              { id: "3", vec: [1, 1], kind: "book", price: 30 }
            ]
            for (const doc of docs) {
              yield* v.custom(["JSON.SET", `${prefix}${doc.id}`, "$", JSON.stringify(doc)])
            }
            const info = yield* Indexing.waitForIndex(v, name, { documents: docs.length })
            assert.strictEqual(info.keyType, "JSON")
            assert.strictEqual(attribute(info, "vec").identifier, "$.vec")
            const found = yield* v.run(
              Search.search(name, Query.knn({ field: "vec", k: 2, vector: [1, 0] }), { dialect: 2 })
            )
            assert.deepStrictEqual(
              found.documents.map((d) => d.key),
              [`${prefix}1`, `${prefix}3`]
            )
            assert.deepStrictEqual(JSON.parse(found.documents[1]!.fields.$ as string), docs[2])
            assert.closeTo(found.documents[1]!.score!, 1 - Math.SQRT1_2, 1e-5)
            const books = yield* v.run(
              Search.search(name, Query.knn({ field: "vec", k: 3, vector: [0, 1], filter: "@kind:{book}" }), {
                return: ["price"],
                dialect: 2
              })
            )
            assert.deepStrictEqual(
              books.documents.map((d) => [d.key, d.fields]),
              [
                [`${prefix}3`, { price: "30" }],
                [`${prefix}1`, { price: "12" }]
              ]
            )
          })
        )

        it.effect(
          "1.2: TEXT with full-text settings, queries without KNN, SORTBY, FT.AGGREGATE (before 1.2: each refused)",
          () =>
            Effect.gen(function* () {
              const v = yield* client(protocol)
              const version = yield* searchModuleVersion(v)
              // valkey-search 1.0.3 has none of it: check that it says so, typed.
              if (version < 10200) return yield* refusedBefore12(v, t("before12"))
              const name = t("text")
              const prefix = `${name}:`
              assert.strictEqual(
                yield* v.run(
                  Search.create(name, {
                    on: "HASH",
                    prefix,
                    text: { language: "english", stopWords: ["the"], minStemSize: 3, offsets: true },
                    schema: {
                      title: Field.text({ sortable: true }),
                      exact: Field.text({ noStem: true }),
                      kind: Field.tag({ sortable: true }),
                      price: Field.numeric({ sortable: true }),
                      vec: Field.vector.hnsw({ dim: 2, metric: "L2" })
                    }
                  })
                ),
                "OK"
              )
              const docs = [
                { id: "a", title: "the running dogs", exact: "running", kind: "pet", price: 30, vec: [0, 0] },
                { id: "b", title: "a quick brown fox", exact: "runs", kind: "wild", price: 10, vec: [1, 0] },
                { id: "c", title: "dogs run fast", exact: "run", kind: "pet", price: 20, vec: [0, 1] },
                { id: "d", title: "slow cats", exact: "walk", kind: "pet", price: 5, vec: [1, 1] }
              ]
              for (const doc of docs) {
                yield* v.hset(`${prefix}${doc.id}`, {
                  title: doc.title,
                  exact: doc.exact,
                  kind: doc.kind,
                  price: doc.price,
                  vec: Vector.toBytes(doc.vec)
                })
              }
              const info = yield* Indexing.waitForIndex(v, name, { documents: docs.length })
              assert.strictEqual(attribute(info, "title").type, "TEXT")
              assert.deepStrictEqual(info.stopWords, ["the"])
              assert.strictEqual(info.minStemSize, 3)
              const keys = (result: { readonly documents: ReadonlyArray<{ readonly key: string }> }) =>
                result.documents.map((d) => d.key.slice(prefix.length))

              // Stemming: "run" finds running and run in title; in the NOSTEM field only "run".
              const stemmed = yield* v.run(
                Search.search(name, "@title:run", { sortBy: { field: "price" }, noContent: true })
              )
              assert.deepStrictEqual(keys(stemmed), ["c", "a"])
              const exact = yield* v.run(Search.search(name, "@exact:run", { noContent: true }))
              assert.deepStrictEqual(keys(exact), ["c"])
              // A stop word is not indexed; a phrase, a prefix, OR, tag and numeric filters.
              const phrase = yield* v.run(Search.search(name, '@title:"quick brown"', { noContent: true }))
              assert.deepStrictEqual(keys(phrase), ["b"])
              const prefixed = yield* v.run(Search.search(name, "@title:qui*", { noContent: true }))
              assert.deepStrictEqual(keys(prefixed), ["b"])
              const either = yield* v.run(
                Search.search(name, "@title:fox | @title:cats", {
                  sortBy: { field: "price", order: "DESC" },
                  noContent: true
                })
              )
              assert.deepStrictEqual(keys(either), ["b", "d"])
              const pets = yield* v.run(
                Search.search(name, "@kind:{pet} @price:[10 +inf]", {
                  sortBy: { field: "price" },
                  return: ["price"],
                  limit: { offset: 0, count: 10 }
                })
              )
              assert.deepStrictEqual(
                pets.documents.map((d) => [d.key.slice(prefix.length), d.fields]),
                [
                  ["c", { price: "20" }],
                  ["a", { price: "30" }]
                ]
              )
              // A text filter in front of KNN.
              const hybrid = yield* v.run(
                Search.search(name, Query.knn({ field: "vec", k: 2, vector: [1, 1], filter: "@title:dogs" }), {
                  noContent: true,
                  dialect: 2
                })
              )
              assert.deepStrictEqual(keys(hybrid), ["c", "a"])

              const grouped = yield* v.run(
                Search.aggregate(name, "@kind:{pet|wild}", {
                  load: ["@kind", "@price"],
                  stages: [
                    Aggregate.groupBy(
                      ["@kind"],
                      [
                        { fn: "COUNT", as: "count" },
                        { fn: "SUM", args: ["@price"], as: "total" }
                      ]
                    ),
                    Aggregate.sortBy([{ by: "@total", order: "DESC" }])
                  ]
                })
              )
              assert.deepStrictEqual(
                grouped.map((row) => [row.kind, Number(row.count), Number(row.total)]),
                [
                  ["pet", 3, 55],
                  ["wild", 1, 10]
                ]
              )
              const applied = yield* v.run(
                Search.aggregate(name, "@kind:{pet}", {
                  load: ["@price"],
                  stages: [
                    Aggregate.apply("@price * 2", "double"),
                    Aggregate.filter("@double > 20"),
                    Aggregate.limit(0, 5)
                  ]
                })
              )
              assert.sameMembers(
                applied.map((row) => Number(row.double)),
                [40, 60]
              )
            })
        )

        it.effect("a batch: search, info, an error reply and FT._LIST, one outcome each", () =>
          Effect.gen(function* () {
            const v = yield* client(protocol)
            const { hnsw, key } = yield* setup(v, t("batch"))
            const [found, info, missing, list] = yield* v.batch([
              Search.search(hnsw, Query.knn({ field: "vec", k: 1, vector: QUERY }), { noContent: true, dialect: 2 }),
              Search.info(hnsw),
              Search.info(t("missing")),
              Search.list()
            ])
            assert.isTrue(Result.isSuccess(found) && found.success.documents[0]?.key === key("d1"))
            assert.isTrue(Result.isSuccess(info) && info.success.numDocs === DOCS.length)
            assert.isTrue(Result.isFailure(missing) && missing.failure._tag === "ReplyError")
            assert.isTrue(Result.isSuccess(list) && list.success.includes(hnsw))
          })
        )
      })
    }
  })
})
