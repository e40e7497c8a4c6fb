/**
 * The search commands on a real 3-primary cluster with the modules loaded as they load by
 * default (no `--use-coordinator`). What the module does there, checked first: every node runs
 * on its own — FT.CREATE on one node makes the index there only, and a node's index covers the
 * keys of its own slots only. What the client does about it: FT.CREATE / FT.DROPINDEX go to
 * every primary, FT.SEARCH / FT.INFO / FT._LIST / FT.AGGREGATE ask every primary and combine,
 * so each answer equals the one computed here from the documents written.
 */
import { assert, describe, layer } from "@effect/vitest"
import { ValkeyCluster } from "@effect-valkey/cluster"
import { type ValkeyService, ValkeyStandalone } from "@effect-valkey/core"
import { type ClusterNode, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect, Result } from "effect"
import { Aggregate, Field, Indexing, Query, Search, Vector } from "../src/index.ts"
import { hasSearchModule, liveSuite, modules, refusedBefore12, searchModuleVersion } from "./module.ts"

/** 40 documents on a 4-by-10 grid, spread over the slots (hence over the primaries). */
const DOCS = Array.from({ length: 40 }, (_, i) => ({
  id: `doc${i}`,
  vec: [i % 10, Math.floor(i / 10)] as const,
  color: i % 3 === 0 ? "red" : "blue",
  n: i,
  title: i % 2 === 0 ? "even numbered document" : "odd numbered document"
}))

const QUERY = [2.2, 1.1] as const

/** Squared L2 distance, the module's L2. */
const l2 = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) =>
  a.reduce((sum, x, i) => sum + (Math.fround(x) - Math.fround(b[i]!)) ** 2, 0)

/** The k nearest documents to QUERY among those passing `keep`, nearest first. */
const nearest = (k: number, keep: (d: (typeof DOCS)[number]) => boolean = () => true) =>
  DOCS.filter(keep)
    .map((d) => ({ d, distance: l2(d.vec, QUERY) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, k)

const client = (protocol: 2 | 3) =>
  Effect.gen(function* () {
    const cluster = yield* ValkeyTestCluster
    const { valkey } = yield* ValkeyCluster.make({ seeds: [cluster.seeds[0]!], protocol })
    return valkey
  })

/** A plain connection to one node, as a user without the cluster client would have. */
const nodeClient = (node: ClusterNode, protocol: 2 | 3) =>
  Effect.map(ValkeyStandalone.make({ port: node.port, protocol }), ({ valkey }) => valkey)

const setup = (v: ValkeyService, tag: string, text: boolean) =>
  Effect.gen(function* () {
    const name = `${tag}_idx`
    const prefix = `${tag}:`
    assert.strictEqual(
      yield* v.run(
        Search.create(name, {
          on: "HASH",
          prefix,
          schema: {
            vec: Field.vector.hnsw({ dim: 2, metric: "L2" }),
            color: Field.tag(),
            n: Field.numeric(),
            ...(text ? { title: Field.text() } : {})
          }
        })
      ),
      "OK"
    )
    for (const d of DOCS) {
      yield* v.hset(`${prefix}${d.id}`, {
        vec: Vector.toBytes(d.vec),
        color: d.color,
        n: d.n,
        title: d.title
      })
    }
    yield* Indexing.waitForIndex(v, name, { documents: DOCS.length, timeout: "30 seconds" })
    return { name, prefix, key: (id: string) => `${prefix}${id}` }
  })

describe.skipIf(!hasSearchModule)(liveSuite("valkey-search on a 3-primary cluster"), () => {
  layer(ValkeyTestCluster.layer({ modules, replicasPerPrimary: 0 }), { excludeTestServices: true, timeout: 120_000 })(
    "cluster",
    (it) => {
      for (const protocol of [2, 3] as const) {
        describe(`RESP${protocol}`, () => {
          const t = (name: string) => `c${protocol}_${name}`

          it.effect("the module runs every node on its own: an index and its documents are per node", () =>
            Effect.gen(function* () {
              const cluster = yield* ValkeyTestCluster
              const [first, second] = cluster.primaries
              const one = yield* nodeClient(first!, protocol)
              const other = yield* nodeClient(second!, protocol)
              const name = t("local")
              const definition = Search.index(name, {
                on: "HASH",
                prefix: `${name}:`,
                schema: { vec: Field.vector.flat({ dim: 2, metric: "L2" }) }
              })
              assert.strictEqual(yield* one.run(Search.create(definition)), "OK")
              assert.include(yield* one.run(Search.list()), name)
              assert.notInclude(yield* other.run(Search.list()), name)
              // The same name can be created on the other node: they know nothing of each other.
              assert.strictEqual(yield* other.run(Search.create(definition)), "OK")
              assert.strictEqual(yield* one.run(Search.dropIndex(name)), "OK")
              assert.strictEqual(yield* other.run(Search.dropIndex(name)), "OK")
            })
          )

          it.effect("FT.CREATE reaches every primary; FT.INFO adds up their counts; FT._LIST names it once", () =>
            Effect.gen(function* () {
              const cluster = yield* ValkeyTestCluster
              const v = yield* client(protocol)
              const { name } = yield* setup(v, t("create"), false)
              const perNode = yield* Effect.forEach(cluster.primaries, (node) =>
                Effect.flatMap(nodeClient(node, protocol), (c) => c.run(Search.info(name)))
              )
              // Every primary has the index, each with its own share of the documents.
              assert.strictEqual(
                perNode.reduce((sum, info) => sum + info.numDocs, 0),
                DOCS.length
              )
              assert.isAtLeast(perNode.filter((info) => info.numDocs > 0).length, 2)
              const info = yield* v.run(Search.info(name))
              assert.strictEqual(info.numDocs, DOCS.length)
              assert.strictEqual(info.shards?.length, cluster.primaries.length)
              assert.strictEqual(info.attributes.find((a) => a.attribute === "vec")?.vector?.size, DOCS.length)
              assert.strictEqual(info.state, "ready")
              const list = yield* v.run(Search.list())
              assert.strictEqual(list.filter((n) => n === name).length, 1)
              // A second FT.CREATE of the name fails (on every primary).
              const again = yield* Effect.flip(
                v.run(Search.create(name, { on: "HASH", schema: { vec: Field.vector.flat({ dim: 2, metric: "L2" }) } }))
              )
              assert.strictEqual(again._tag, "ReplyError")
              assert.match(again.message, /already exists/)
            })
          )

          it.effect(
            "FT.SEARCH KNN on one node sees its shard; through the client it sees all, merged by distance",
            () =>
              Effect.gen(function* () {
                const cluster = yield* ValkeyTestCluster
                const v = yield* client(protocol)
                const { name, key } = yield* setup(v, t("knn"), false)
                const knn = (k: number, filter?: string) =>
                  Query.knn({ field: "vec", k, vector: QUERY, ...(filter !== undefined ? { filter } : {}) })

                // One primary alone answers from its own keys only.
                const alone = yield* Effect.flatMap(nodeClient(cluster.primaries[0]!, protocol), (c) =>
                  c.run(Search.search(name, knn(DOCS.length), { limit: { offset: 0, count: DOCS.length }, dialect: 2 }))
                )
                assert.isBelow(alone.total, DOCS.length)

                const top = yield* v.run(Search.search(name, knn(5), { dialect: 2 }))
                const expected = nearest(5)
                assert.strictEqual(top.total, 5)
                assert.deepStrictEqual(
                  top.documents.map((d) => d.key),
                  expected.map((e) => key(e.d.id))
                )
                top.documents.forEach((d, i) => {
                  assert.closeTo(d.score!, expected[i]!.distance, 1e-4)
                })
                assert.deepStrictEqual(
                  Vector.fromBytesUnsafe(top.documents[0]!.fields.vec as Uint8Array),
                  new Float32Array(expected[0]!.d.vec)
                )

                // LIMIT applies to the merged list, not to each shard.
                const page = yield* v.run(Search.search(name, knn(10), { limit: { offset: 3, count: 4 }, dialect: 2 }))
                assert.strictEqual(page.total, 10)
                assert.deepStrictEqual(
                  page.documents.map((d) => d.key),
                  nearest(10)
                    .slice(3, 7)
                    .map((e) => key(e.d.id))
                )
                // NOCONTENT: keys only, still nearest first.
                const keys = yield* v.run(Search.search(name, knn(6), { noContent: true, dialect: 2 }))
                assert.deepStrictEqual(
                  keys.documents,
                  nearest(6).map((e) => ({ key: key(e.d.id), fields: {} }))
                )
                // RETURN without the distance: the fields asked for, in distance order.
                const returned = yield* v.run(Search.search(name, knn(3), { return: ["n"], dialect: 2 }))
                assert.deepStrictEqual(
                  returned.documents,
                  nearest(3).map((e) => ({ key: key(e.d.id), fields: { n: String(e.d.n) } }))
                )
                // Hybrid: a TAG filter, and a NUMERIC range, in front of KNN.
                const red = yield* v.run(Search.search(name, knn(4, "@color:{red}"), { noContent: true, dialect: 2 }))
                assert.deepStrictEqual(
                  red.documents.map((d) => d.key),
                  nearest(4, (d) => d.color === "red").map((e) => key(e.d.id))
                )
                const range = yield* v.run(Search.search(name, knn(3, "@n:[20 29]"), { noContent: true, dialect: 2 }))
                assert.deepStrictEqual(
                  range.documents.map((d) => d.key),
                  nearest(3, (d) => d.n >= 20 && d.n <= 29).map((e) => key(e.d.id))
                )
              })
          )

          it.effect("FT.DROPINDEX removes the index from every primary; errors and a batch", () =>
            Effect.gen(function* () {
              const cluster = yield* ValkeyTestCluster
              const v = yield* client(protocol)
              const { name, key } = yield* setup(v, t("drop"), false)
              const [found, info, missing] = yield* v.batch([
                Search.search(name, Query.knn({ field: "vec", k: 1, vector: QUERY }), { noContent: true, dialect: 2 }),
                Search.info(name),
                Search.info(t("missing"))
              ])
              assert.isTrue(Result.isSuccess(found) && found.success.documents[0]?.key === key(nearest(1)[0]!.d.id))
              assert.isTrue(Result.isSuccess(info) && info.success.numDocs === DOCS.length)
              assert.isTrue(Result.isFailure(missing) && missing.failure._tag === "ReplyError")

              assert.strictEqual(yield* v.run(Search.dropIndex(name)), "OK")
              for (const node of cluster.primaries) {
                const c = yield* nodeClient(node, protocol)
                assert.notInclude(yield* c.run(Search.list()), name)
              }
              const gone = yield* Effect.flip(v.run(Search.dropIndex(name)))
              assert.strictEqual(gone._tag, "ReplyError")
              assert.match(gone.message, /not found/)
              const search = yield* Effect.flip(
                v.run(Search.search(name, Query.knn({ field: "vec", k: 1, vector: QUERY }), { dialect: 2 }))
              )
              assert.strictEqual(search._tag, "ReplyError")
            })
          )

          it.effect(
            "1.2: queries without KNN, SORTBY and TEXT merged across shards; FT.AGGREGATE rows (before 1.2: each refused)",
            () =>
              Effect.gen(function* () {
                const v = yield* client(protocol)
                const version = yield* searchModuleVersion(v)
                // valkey-search 1.0.3 has none of it: check that it says so, typed.
                if (version < 10200) return yield* refusedBefore12(v, t("before12"))
                const { name, key } = yield* setup(v, t("text"), true)

                const sorted = yield* v.run(
                  Search.search(name, "@n:[10 30]", {
                    sortBy: { field: "n", order: "DESC" },
                    limit: { offset: 2, count: 5 },
                    return: ["n"],
                    dialect: 2
                  })
                )
                assert.strictEqual(sorted.total, 21)
                assert.deepStrictEqual(
                  sorted.documents.map((d) => d.key),
                  [28, 27, 26, 25, 24].map((n) => key(`doc${n}`))
                )
                const text = yield* v.run(
                  Search.search(name, "@title:even @color:{red}", {
                    sortBy: { field: "n" },
                    noContent: true,
                    limit: { offset: 0, count: 40 }
                  })
                )
                assert.deepStrictEqual(
                  text.documents.map((d) => d.key),
                  DOCS.filter((d) => d.n % 2 === 0 && d.color === "red").map((d) => key(d.id))
                )

                const rows = yield* v.run(
                  Search.aggregate(name, "@n:[0 9]", {
                    load: ["@n"],
                    stages: [Aggregate.apply("@n * 2", "twice"), Aggregate.filter("@twice > 10")]
                  })
                )
                assert.sameMembers(
                  rows.map((r) => r.twice),
                  ["12", "14", "16", "18"]
                )
                const grouped = yield* Effect.flip(
                  v.run(
                    Search.aggregate(name, "@n:[0 9]", {
                      load: ["@color"],
                      stages: [Aggregate.groupBy(["@color"], [{ fn: "COUNT", as: "count" }])]
                    })
                  )
                )
                assert.strictEqual(grouped._tag, "InvalidArgumentError")
              })
          )
        })
      }
    }
  )
})
