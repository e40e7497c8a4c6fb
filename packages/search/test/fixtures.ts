/**
 * The recorded valkey-search 1.0.3 traffic (../shared/fixtures/modules), and the package API
 * call that stands for each recorded case.
 */
import { readFileSync } from "node:fs"
import type { Command, RespValue } from "@effect-valkey/core"
import { RespDecoder } from "@effect-valkey/core/internal"
import { Field, Query, Search } from "../src/index.ts"

export interface Record {
  readonly name: string
  readonly protocol: 2 | 3
  readonly args: ReadonlyArray<string>
  readonly request: Buffer
  readonly reply: Buffer
}

/** Resolved from this file, so it works in any checkout that has `shared/` beside the repo. */
export const FIXTURE = new URL("../../../../shared/fixtures/modules/search.jsonl", import.meta.url)

export const records: ReadonlyArray<Record> = readFileSync(FIXTURE, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => {
    const r = JSON.parse(line) as {
      name: string
      protocol: 2 | 3
      args: Array<string>
      request_b64: string
      reply_b64: string
    }
    return {
      name: r.name,
      protocol: r.protocol,
      args: r.args,
      request: Buffer.from(r.request_b64, "base64"),
      reply: Buffer.from(r.reply_b64, "base64")
    }
  })

/** Decodes one complete reply, as the connection would for `command` (bytes mode included). */
export const decodeReply = (command: Command.Command<unknown>, bytes: Uint8Array): RespValue => {
  const replies: Array<RespValue> = []
  const decoder = new RespDecoder({
    onReply: (value) => replies.push(value),
    onPush: () => {},
    bytesForNextReply: () => command.bytes
  })
  const error = decoder.feed(bytes)
  if (error !== undefined) throw new Error(error.message)
  if (replies.length !== 1) throw new Error(`expected one reply, got ${replies.length}`)
  return replies[0]!
}

const ZERO = new Float32Array([0, 0])
const X = new Float32Array([1, 0])

/** The index every search case ran against (the recording's setup). */
export const idx = Search.index("idx")
  .on("HASH")
  .prefix("h:")
  .schema({
    vec: Field.vector.hnsw({ dim: 2, metric: "L2", m: 16, efConstruction: 200 }),
    tag: Field.tag({ separator: "|" }),
    n: Field.numeric()
  })

/** The setup's JSON index. */
export const jidx = Search.index("jidx", {
  on: "JSON",
  prefix: "j:",
  schema: {
    vec: Field.vector.flat({ path: "$.vec", dim: 2, metric: "COSINE" }),
    kind: Field.tag({ path: "$.kind" }),
    price: Field.numeric({ path: "$.price" })
  }
})

/** Each case name → the package call that makes that request. */
export const calls: { readonly [name: string]: () => Command.Command<unknown> } = {
  create_hash_hnsw: () =>
    Search.create(
      Search.index("idx2")
        .on("HASH")
        .prefix("a:", "b:")
        .schema({ v: Field.vector.hnsw({ dim: 4, metric: "IP", m: 8, efConstruction: 100, efRuntime: 20 }) })
    ),
  create_flat_initial_cap: () =>
    Search.create("flat", { schema: { v: Field.vector.flat({ dim: 3, metric: "COSINE", initialCap: 100 }) } }),
  create_tag_casesensitive: () =>
    Search.create(
      Search.index("tags")
        .on("HASH")
        .prefix("t:")
        .schema({ t: Field.tag({ caseSensitive: true }), v: Field.vector.flat({ dim: 2, metric: "L2" }) })
    ),
  create_duplicate: () => Search.create(idx),
  // Refused by the package before sending; see the test.
  create_bad_dim: () => Search.create("bad", { schema: { v: Field.vector.hnsw({ dim: 0, metric: "L2" }) } }),
  create_bad_syntax: () => Search.create("bad", { schema: {} }),
  search_knn: () => Search.search("idx", Query.knn({ field: "vec", k: 2, vector: ZERO, param: "q" }), { dialect: 2 }),
  search_knn_score_alias: () =>
    Search.search("idx", Query.knn({ field: "vec", k: 3, vector: ZERO, param: "q", as: "dist" }), {
      return: ["dist", "tag"],
      dialect: 2
    }),
  search_knn_nocontent: () =>
    Search.search("idx", Query.knn({ field: "vec", k: 2, vector: ZERO, param: "q" }), { noContent: true, dialect: 2 }),
  search_knn_limit: () =>
    Search.search("idx", Query.knn({ field: "vec", k: 4, vector: ZERO, param: "q" }), {
      limit: { offset: 1, count: 2 },
      dialect: 2
    }),
  search_hybrid_tag: () =>
    Search.search("idx", Query.knn({ field: "vec", k: 2, vector: ZERO, param: "q", filter: "@tag:{red}" }), {
      dialect: 2
    }),
  search_hybrid_numeric: () =>
    Search.search("idx", Query.knn({ field: "vec", k: 3, vector: ZERO, param: "q", filter: "@n:[2 10]" }), {
      dialect: 2
    }),
  search_json_knn: () =>
    Search.search("jidx", Query.knn({ field: "vec", k: 2, vector: X, param: "q" }), { dialect: 2 }),
  search_json_return: () =>
    Search.search("jidx", Query.knn({ field: "vec", k: 2, vector: X, param: "q", filter: "@kind:{book}" }), {
      return: ["price"],
      dialect: 2
    }),
  search_unknown_index: () => Search.search("nope", Query.knn({ field: "vec", k: 2, vector: ZERO, param: "q" })),
  search_bad_query: () => Search.search("idx", Query.make("*=>[KNN", { q: ZERO })),
  info_hash: () => Search.info("idx"),
  info_json: () => Search.info("jidx"),
  info_unknown: () => Search.info("nope"),
  list: () => Search.list(),
  dropindex: () => Search.dropIndex("idx"),
  dropindex_unknown: () => Search.dropIndex("nope")
}
