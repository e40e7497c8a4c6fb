/**
 * What each primary of a cluster is asked, and how their answers become one (cluster.live.test.ts
 * runs the same on a real cluster; here every branch of the merge, with values stated).
 */
import { assert, describe, it } from "@effect/vitest"
import { Command } from "@effect-valkey/core"
import { Exit, Schema } from "effect"
import { Aggregate, type IndexInfo, Query, Search, type SearchResult, Shards } from "../src/index.ts"

const knn = (k: number) => Query.knn({ field: "vec", k, vector: [1, 0], param: "q" })

const words = (command: Command.Command<unknown>) =>
  command.args.map((a) => (typeof a === "string" || typeof a === "number" ? String(a) : "<bytes>"))

const doc = (key: string, score: number | undefined, fields: SearchResult.Fields) =>
  score === undefined ? { key, fields } : { key, score, fields }

const gathered = <A>(command: Command.Command<A>, values: ReadonlyArray<unknown>): A => {
  const exit = Command.gather(command, values)
  assert.isTrue(Exit.isSuccess(exit), String(exit))
  return (exit as Exit.Success<A>).value
}

describe("FT.SEARCH on every primary", () => {
  it("each primary is asked for offset + count from 0; one node is asked as given", () => {
    const command = Search.search("i", knn(10), { limit: { offset: 3, count: 4 }, dialect: 2 })
    assert.deepStrictEqual(words(command).slice(3), ["PARAMS", "2", "q", "<bytes>", "LIMIT", "3", "4", "DIALECT", "2"])
    assert.deepStrictEqual(words(command.shards!.command).slice(3), [
      "PARAMS",
      "2",
      "q",
      "<bytes>",
      "LIMIT",
      "0",
      "7",
      "DIALECT",
      "2"
    ])
  })

  it("keys only: each primary returns the distance too, which the merge ranks by and drops", () => {
    const command = Search.search("i", knn(3), { noContent: true })
    assert.include(words(command), "NOCONTENT")
    const part = words(command.shards!.command)
    assert.notInclude(part, "NOCONTENT")
    assert.deepStrictEqual(part.slice(part.indexOf("RETURN"), part.indexOf("RETURN") + 3), [
      "RETURN",
      "1",
      "__vec_score"
    ])
    const merged = gathered(command, [
      { total: 2, documents: [doc("a", 0.5, {}), doc("b", 2, {})] },
      { total: 3, documents: [doc("c", 0.1, {}), doc("d", 1, {}), doc("e", 3, {})] }
    ])
    // k = 3: the three nearest over both shards, the total at most k.
    assert.deepStrictEqual(merged, {
      total: 3,
      documents: [
        { key: "c", fields: {} },
        { key: "a", fields: {} },
        { key: "d", fields: {} }
      ]
    })
  })

  it("a RETURN without the distance gets it added per primary, and not in the result", () => {
    const command = Search.search("i", knn(2), { return: ["n"] })
    const part = words(command.shards!.command)
    assert.deepStrictEqual(part.slice(part.indexOf("RETURN"), part.indexOf("RETURN") + 4), [
      "RETURN",
      "2",
      "n",
      "__vec_score"
    ])
    const merged = gathered(command, [
      { total: 1, documents: [doc("a", 0.5, { n: "1" })] },
      { total: 2, documents: [doc("b", 0.2, { n: "2" }), doc("c", 0.9, { n: "3" })] }
    ])
    assert.deepStrictEqual(merged, {
      total: 2,
      documents: [
        { key: "b", fields: { n: "2" } },
        { key: "a", fields: { n: "1" } }
      ]
    })
  })

  it("the distance stays when asked for (no RETURN, or a RETURN naming it); LIMIT pages within k", () => {
    const command = Search.search("i", knn(4), { limit: { offset: 1, count: 2 } })
    const merged = gathered(command, [
      { total: 2, documents: [doc("a", 0.5, { n: "1" }), doc("b", 0.7, { n: "2" })] },
      { total: 3, documents: [doc("c", 0.1, {}), doc("d", 0.6, {}), doc("e", 0.8, {})] }
    ])
    assert.deepStrictEqual(merged, { total: 4, documents: [doc("a", 0.5, { n: "1" }), doc("d", 0.6, {})] })
  })

  it("SORTBY: each primary returns the field, the merge orders by it (numbers as numbers), desc too", () => {
    const command = Search.search("i", "@n:[0 100]", { sortBy: { field: "n", order: "DESC" }, return: ["t"] })
    const part = words(command.shards!.command)
    assert.deepStrictEqual(part.slice(part.indexOf("RETURN"), part.indexOf("RETURN") + 4), ["RETURN", "2", "t", "n"])
    const merged = gathered(command, [
      { total: 2, documents: [doc("a", undefined, { t: "x", n: "9" }), doc("b", undefined, { t: "y", n: "2" })] },
      { total: 1, documents: [doc("c", undefined, { t: "z", n: "10" })] }
    ])
    // Not a KNN query: every match counts, and "10" sorts after "9" as a number.
    assert.deepStrictEqual(merged, {
      total: 3,
      documents: [doc("c", undefined, { t: "z" }), doc("a", undefined, { t: "x" }), doc("b", undefined, { t: "y" })]
    })
  })

  it("withSchema decodes the merged documents; a field that does not fit is a DecodeError", () => {
    const command = Search.withSchema(Schema.Struct({ n: Schema.NumberFromString }))(Search.search("i", knn(2)))
    const merged = gathered(command, [
      { total: 1, documents: [doc("a", 0.5, { n: "1" })] },
      { total: 1, documents: [doc("b", 0.2, { n: "2" })] }
    ])
    assert.deepStrictEqual(
      merged.documents.map((d) => [d.key, d.fields.n]),
      [
        ["b", 2],
        ["a", 1]
      ]
    )
    const bad = Command.gather(command, [{ total: 1, documents: [doc("a", 0.5, { m: "1" })] }])
    assert.isTrue(Exit.isFailure(bad))
    const error = Exit.isFailure(bad) ? Exit.findErrorOption(bad) : undefined
    assert.strictEqual(error?._tag === "Some" ? error.value._tag : "", "DecodeError")
  })

  it("coordinated: one node is asked for all k results with distances, ranked and paged here", () => {
    const command = Search.coordinated(Search.search("i", knn(5), { noContent: true, limit: { offset: 1, count: 2 } }))
    assert.isUndefined(command.shards)
    assert.isUndefined(command.request)
    const sent = words(command)
    assert.notInclude(sent, "NOCONTENT")
    assert.deepStrictEqual(sent.slice(sent.indexOf("RETURN")), ["RETURN", "1", "__vec_score", "LIMIT", "0", "5"])
    // The 1.0.3 coordinator's merged reply, farthest first, as it came back live.
    const reply = [
      5,
      ...[
        ["co:1", "4.84"],
        ["co:5", "3.24"],
        ["co:2", "1.44"],
        ["co:4", "0.64"],
        ["co:3", "0.04"]
      ].flatMap(([key, score]) => [Buffer.from(key!), [Buffer.from("__vec_score"), Buffer.from(score!)]])
    ]
    assert.deepStrictEqual(command.decode(reply), {
      total: 5,
      documents: [
        { key: "co:4", fields: {} },
        { key: "co:2", fields: {} }
      ]
    })
    // Anything else goes to one node as given.
    const info = Search.coordinated(Search.info("i"))
    assert.deepStrictEqual(info.args, ["FT.INFO", "i"])
    assert.isUndefined(info.shards)
  })

  it("the k of a KNN query string", () => {
    assert.strictEqual(Shards.knnK("*=>[KNN 5 @vec $q]"), 5)
    assert.strictEqual(Shards.knnK("@t:{a} =>[ KNN 12 @v $BLOB AS d]"), 12)
    assert.isUndefined(Shards.knnK("*=>[KNN $k @vec $q]"))
    assert.isUndefined(Shards.knnK("@n:[1 2]"))
  })
})

const info = (numDocs: number, state: string, vectors: number, queue = 0): IndexInfo.IndexInfo => ({
  name: "i",
  keyType: "HASH",
  prefixes: [],
  attributes: [
    {
      identifier: "v",
      attribute: "v",
      type: "VECTOR",
      vector: {
        capacity: 10,
        dimensions: 2,
        distanceMetric: "L2",
        size: vectors,
        dataType: "FLOAT32",
        algorithm: { name: "FLAT" }
      },
      fields: {}
    },
    { identifier: "t", attribute: "t", type: "TAG", size: numDocs, fields: {} }
  ],
  numDocs,
  numRecords: 2 * numDocs,
  hashIndexingFailures: 1,
  backfillInProgress: state !== "ready",
  backfillCompletePercent: state === "ready" ? 1 : 0.5,
  mutationQueueSize: queue,
  state,
  fields: {}
})

describe("FT.INFO, FT._LIST and FT.AGGREGATE on every primary", () => {
  it("FT.INFO: counts added up, ready only when every primary is", () => {
    const merged = Shards.mergeInfo([info(3, "ready", 3), info(4, "backfill_in_progress", 2, 5)])
    assert.strictEqual(merged.numDocs, 7)
    assert.strictEqual(merged.numRecords, 14)
    assert.strictEqual(merged.hashIndexingFailures, 2)
    assert.strictEqual(merged.mutationQueueSize, 5)
    assert.isTrue(merged.backfillInProgress)
    assert.strictEqual(merged.backfillCompletePercent, 0.5)
    assert.strictEqual(merged.state, "backfill_in_progress")
    assert.strictEqual(merged.attributes[0]!.vector?.size, 5)
    assert.strictEqual(merged.attributes[1]!.size, 7)
    assert.strictEqual(merged.shards?.length, 2)
    assert.strictEqual(Shards.mergeInfo([info(3, "ready", 3), info(1, "ready", 1)]).state, "ready")
  })

  it("FT._LIST: every name once", () => {
    const list = Search.list()
    assert.deepStrictEqual(gathered(list, [["a", "b"], ["b", "c"], []]), ["a", "b", "c"])
  })

  it("FT.AGGREGATE: rows put together for APPLY / FILTER; GROUPBY, SORTBY, LIMIT refused typed", () => {
    const rows = Search.aggregate("i", "*", { stages: [Aggregate.apply("@n * 2", "m"), Aggregate.filter("@m > 1")] })
    assert.deepStrictEqual(gathered(rows, [[{ m: "2" }], [{ m: "4" }, { m: "6" }]]), [
      { m: "2" },
      { m: "4" },
      { m: "6" }
    ])
    for (const stage of [Aggregate.groupBy(["@t"]), Aggregate.sortBy(["@n"]), Aggregate.limit(0, 1)]) {
      const exit = Command.gather(Search.aggregate("i", "*", { stages: [stage] }), [[], []])
      const error = Exit.isFailure(exit) ? Exit.findErrorOption(exit) : undefined
      assert.strictEqual(error?._tag === "Some" ? error.value._tag : "", "InvalidArgumentError")
    }
  })
})
