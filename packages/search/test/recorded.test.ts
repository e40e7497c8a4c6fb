/**
 * Every record of the real valkey-search 1.0.3 traffic: the package's call for the case sends
 * exactly the recorded bytes, and the recorded reply (RESP2 and RESP3) decodes to the value
 * stated here.
 */
import { readFileSync } from "node:fs"
import { Command } from "@effect-valkey/core"
import { encodeCommand } from "@effect-valkey/core/internal"
import { Exit } from "effect"
import { describe, expect, it } from "vitest"
import { IndexDefinition, type IndexInfo, Search, Vector } from "../src/index.ts"
import { calls, decodeReply, FIXTURE, idx, jidx, records } from "./fixtures.ts"

const ok = Exit.succeed("OK")
const replyError = (command: string, message: string) => ({ _tag: "ReplyError", command, message })
const vec = (...xs: Array<number>) => Vector.toBytes(new Float32Array(xs))

const h1 = { key: "h:1", score: 0, fields: { tag: "red|big", vec: vec(0, 0), n: "1" } }
const h2 = { key: "h:2", score: 2, fields: { tag: "blue", vec: vec(1, 1), n: "5" } }
const h3 = { key: "h:3", score: 50, fields: { tag: "red", vec: vec(5, 5), n: "10" } }
const h4 = { key: "h:4", score: 0.0100000007078, fields: { tag: "green", vec: vec(0.1, 0), n: "3" } }

const infoHash: IndexInfo.IndexInfo = {
  name: "idx",
  keyType: "HASH",
  prefixes: ["h:"],
  attributes: [
    {
      identifier: "tag",
      attribute: "tag",
      type: "TAG",
      size: 4,
      separator: "|",
      caseSensitive: false,
      fields: { identifier: "tag", attribute: "tag", type: "TAG", SEPARATOR: "|", size: "4" }
    },
    {
      identifier: "vec",
      attribute: "vec",
      type: "VECTOR",
      vector: {
        capacity: 10240,
        dimensions: 2,
        distanceMetric: "L2",
        size: 4,
        dataType: "FLOAT32",
        algorithm: { name: "HNSW", m: 16, efConstruction: 200, efRuntime: 10 }
      },
      fields: {
        identifier: "vec",
        attribute: "vec",
        type: "VECTOR",
        index: [
          "capacity",
          10240,
          "dimensions",
          2,
          "distance_metric",
          "L2",
          "size",
          "4",
          "data_type",
          "FLOAT32",
          "algorithm",
          ["name", "HNSW", "m", 16, "ef_construction", 200, "ef_runtime", 10]
        ]
      }
    },
    {
      identifier: "n",
      attribute: "n",
      type: "NUMERIC",
      size: 4,
      fields: { identifier: "n", attribute: "n", type: "NUMERIC", size: "4" }
    }
  ],
  numDocs: 4,
  numRecords: 12,
  hashIndexingFailures: 0,
  backfillInProgress: false,
  backfillCompletePercent: 1,
  mutationQueueSize: 0,
  state: "ready",
  fields: {
    index_name: "idx",
    index_options: [],
    index_definition: ["key_type", "HASH", "prefixes", ["h:"], "default_score", "1"],
    attributes: [
      ["identifier", "tag", "attribute", "tag", "type", "TAG", "SEPARATOR", "|", "size", "4"],
      [
        "identifier",
        "vec",
        "attribute",
        "vec",
        "type",
        "VECTOR",
        "index",
        [
          "capacity",
          10240,
          "dimensions",
          2,
          "distance_metric",
          "L2",
          "size",
          "4",
          "data_type",
          "FLOAT32",
          "algorithm",
          ["name", "HNSW", "m", 16, "ef_construction", 200, "ef_runtime", 10]
        ]
      ],
      ["identifier", "n", "attribute", "n", "type", "NUMERIC", "size", "4"]
    ],
    num_docs: "4",
    num_terms: "0",
    num_records: "12",
    hash_indexing_failures: "0",
    backfill_in_progress: "0",
    backfill_complete_percent: "1.000000",
    mutation_queue_size: "0",
    recent_mutations_queue_delay: "0 sec",
    state: "ready"
  }
}

const jsonVectorIndex = [
  "capacity",
  10240,
  "dimensions",
  2,
  "distance_metric",
  "COSINE",
  "size",
  "3",
  "data_type",
  "FLOAT32",
  "algorithm",
  ["name", "FLAT", "block_size", 1024]
]

const infoJson: IndexInfo.IndexInfo = {
  name: "jidx",
  keyType: "JSON",
  prefixes: ["j:"],
  attributes: [
    {
      identifier: "$.price",
      attribute: "price",
      type: "NUMERIC",
      size: 3,
      fields: { identifier: "$.price", attribute: "price", type: "NUMERIC", size: "3" }
    },
    {
      identifier: "$.vec",
      attribute: "vec",
      type: "VECTOR",
      vector: {
        capacity: 10240,
        dimensions: 2,
        distanceMetric: "COSINE",
        size: 3,
        dataType: "FLOAT32",
        algorithm: { name: "FLAT", blockSize: 1024 }
      },
      fields: { identifier: "$.vec", attribute: "vec", type: "VECTOR", index: jsonVectorIndex }
    },
    {
      identifier: "$.kind",
      attribute: "kind",
      type: "TAG",
      size: 3,
      separator: ",",
      caseSensitive: false,
      fields: { identifier: "$.kind", attribute: "kind", type: "TAG", SEPARATOR: ",", size: "3" }
    }
  ],
  numDocs: 3,
  numRecords: 9,
  hashIndexingFailures: 0,
  backfillInProgress: false,
  backfillCompletePercent: 1,
  mutationQueueSize: 0,
  state: "ready",
  fields: {
    index_name: "jidx",
    index_options: [],
    index_definition: ["key_type", "JSON", "prefixes", ["j:"], "default_score", "1"],
    attributes: [
      ["identifier", "$.price", "attribute", "price", "type", "NUMERIC", "size", "3"],
      ["identifier", "$.vec", "attribute", "vec", "type", "VECTOR", "index", jsonVectorIndex],
      ["identifier", "$.kind", "attribute", "kind", "type", "TAG", "SEPARATOR", ",", "size", "3"]
    ],
    num_docs: "3",
    num_terms: "0",
    num_records: "9",
    hash_indexing_failures: "0",
    backfill_in_progress: "0",
    backfill_complete_percent: "1.000000",
    mutation_queue_size: "0",
    recent_mutations_queue_delay: "0 sec",
    state: "ready"
  }
}

const notFound = (command: string) => Exit.fail(replyError(command, "Index with name 'nope' not found"))

/** What each case's reply decodes to; documents in reply order, their fields as a map. */
const expected: { readonly [name: string]: Exit.Exit<unknown, unknown> } = {
  create_hash_hnsw: ok,
  create_flat_initial_cap: ok,
  create_tag_casesensitive: ok,
  create_duplicate: Exit.fail(replyError("FT.CREATE", "Index idx already exists.")),
  create_bad_dim: Exit.fail(
    replyError(
      "FT.CREATE",
      "Invalid field type for field `v`: The dimensions value must be a positive integer greater than 0 and less than or equal to 32768."
    )
  ),
  create_bad_syntax: Exit.fail(replyError("FT.CREATE", "Index schema must have at least one attribute")),
  search_knn: Exit.succeed({ total: 2, documents: [h1, h4] }),
  search_knn_score_alias: Exit.succeed({
    total: 3,
    documents: [
      { key: "h:1", score: 0, fields: { tag: "red|big" } },
      { key: "h:4", score: 0.0100000007078, fields: { tag: "green" } },
      { key: "h:2", score: 2, fields: { tag: "blue" } }
    ]
  }),
  search_knn_nocontent: Exit.succeed({
    total: 2,
    documents: [
      { key: "h:1", fields: {} },
      { key: "h:4", fields: {} }
    ]
  }),
  search_knn_limit: Exit.succeed({ total: 4, documents: [h4, h2] }),
  search_hybrid_tag: Exit.succeed({ total: 2, documents: [h1, h3] }),
  search_hybrid_numeric: Exit.succeed({ total: 3, documents: [h4, h2, h3] }),
  search_json_knn: Exit.succeed({
    total: 2,
    documents: [
      { key: "j:1", score: 0, fields: { $: '{"vec":[1,0],"kind":"book","price":12}' } },
      { key: "j:3", score: 0.292893230915, fields: { $: '{"vec":[1,1],"kind":"book","price":30}' } }
    ]
  }),
  search_json_return: Exit.succeed({
    total: 2,
    documents: [
      { key: "j:1", fields: { price: "12" } },
      { key: "j:3", fields: { price: "30" } }
    ]
  }),
  search_unknown_index: notFound("FT.SEARCH"),
  search_bad_query: Exit.fail(
    replyError("FT.SEARCH", "Error parsing vector similarity parameters: `[KNN`. Expecting ']' got 'N'")
  ),
  info_hash: Exit.succeed(infoHash),
  info_json: Exit.succeed(infoJson),
  info_unknown: notFound("FT.INFO"),
  list: Exit.succeed(["idx", "jidx"]),
  dropindex: ok,
  dropindex_unknown: notFound("FT.DROPINDEX")
}

/** Cases whose definition the package refuses before sending (the server refused them too). */
const refused: { readonly [name: string]: string } = {
  create_bad_dim: "FT.CREATE: field v: dim must be an integer from 1 to 32768, got 0",
  create_bad_syntax: "FT.CREATE: the schema needs at least one field"
}

/** The recorded args as the bytes they stand for (`hex:` = raw bytes). */
const argBytes = (arg: string): Buffer => (arg.startsWith("hex:") ? Buffer.from(arg.slice(4), "hex") : Buffer.from(arg))

/** Compares an outcome with the expected one, errors by tag, command and message. */
const outcome = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isSuccess(exit)
    ? exit
    : Exit.fail(
        (() => {
          const error = exit.cause.reasons.find((r) => r._tag === "Fail")
          const e = (error?._tag === "Fail" ? error.error : undefined) as
            | { _tag: string; command: string; message: string }
            | undefined
          return e === undefined ? undefined : { _tag: e._tag, command: e.command, message: e.message }
        })()
      )

describe("recorded valkey-search 1.0.3 traffic", () => {
  it("covers every recorded case, in both protocols", () => {
    expect(records.length).toBe(44)
    for (const record of records) {
      expect(calls[record.name], record.name).toBeDefined()
      expect(expected[record.name], record.name).toBeDefined()
    }
    expect(new Set(records.map((r) => `${r.name}/${r.protocol}`)).size).toBe(records.length)
  })

  it("the setup's index definitions encode to the recorded FT.CREATE", () => {
    const cases = JSON.parse(readFileSync(new URL("search.cases.json", FIXTURE), "utf8")) as {
      setup: Array<Array<string>>
    }
    const creates = cases.setup.filter((c) => c[0] === "FT.CREATE")
    for (const definition of [idx, jidx]) {
      const args = IndexDefinition.createArgs(definition)
      if (typeof args === "string") throw new Error(args)
      expect(encodeCommand(args)).toStrictEqual(encodeCommand(creates.find((c) => c[1] === definition.name)!))
    }
  })

  for (const record of records) {
    describe(`${record.name} (RESP${record.protocol})`, () => {
      const command = calls[record.name]!()
      const reason = refused[record.name]

      if (reason !== undefined) {
        it("is refused before sending, as the server refused it", () => {
          expect(command.invalid?._tag).toBe("InvalidArgumentError")
          expect(command.invalid?.message).toBe(reason)
          // The recorded request is what a raw FT.CREATE with that definition would send.
          expect(encodeCommand(record.args)).toStrictEqual(record.request)
        })
        it("the server's refusal decodes as FT.CREATE's ReplyError", () => {
          const create = Search.create(idx)
          const exit = Command.settle(create, decodeReply(create, record.reply))
          expect(outcome(exit)).toStrictEqual(expected[record.name])
        })
        return
      }

      it("sends the recorded request bytes", () => {
        expect(command.invalid).toBeUndefined()
        expect(encodeCommand(command.args)).toStrictEqual(record.request)
        expect(encodeCommand(record.args.map(argBytes))).toStrictEqual(record.request)
      })

      it("decodes the recorded reply", () => {
        const exit = Command.settle(command, decodeReply(command, record.reply))
        expect(outcome(exit)).toStrictEqual(expected[record.name])
      })
    })
  }
})
