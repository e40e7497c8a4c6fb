/**
 * valkey-search commands as command values: an index definition, a KNN vector query, and the
 * typed result. See docs/search.md.
 *
 *   node --conditions=source examples/search.ts
 *
 * Without the module this prints what each command sends and how a reply is decoded. With a
 * valkey-search module in VALKEY_MODULES (colon-separated paths, e.g.
 * VALKEY_MODULES=/usr/lib/valkey/libsearch.so) it also starts a throwaway valkey-server with
 * the module loaded, runs the commands, and stops the server.
 */

import { NodeRuntime } from "@effect/platform-node"
import { type Command, ValkeyStandalone } from "@effect-valkey/core"
import { Field, Indexing, Query, Search, Vector } from "@effect-valkey/search"
import { Modules, ValkeyServer } from "@effect-valkey/testkit"
import { Console, Effect, Schema } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`${label.padEnd(34)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

/** The arguments as text, with binary arguments (vectors) shown by size. */
const args = (command: Command.Command<unknown>) =>
  command.args.map((a) => (a instanceof Uint8Array ? `<${a.length} bytes>` : String(a))).join(" ")

// An index over hashes `doc:*` with a tag, a number and a 2-dimensional HNSW vector.
const definition = Search.index("docs")
  .on("HASH")
  .prefix("doc:")
  .schema({
    color: Field.tag(),
    price: Field.numeric(),
    embedding: Field.vector.hnsw({ dim: 2, metric: "L2" })
  })
const create = Search.create(definition)

// The 2 nearest neighbours of [0.1, 0.1] among the red documents.
const nearest = Query.knn({ field: "embedding", k: 2, vector: [0.1, 0.1], filter: "@color:{red}" })
const search = Search.search("docs", nearest, { limit: { offset: 0, count: 10 } })
const Doc = Schema.Struct({ color: Schema.String, price: Schema.NumberFromString })
const typed = Search.withSchema(Doc)(search)

const offline = Effect.gen(function* () {
  yield* show("Search.create(definition)", args(create))
  yield* show("Search.search(docs, knn, …)", args(search))
  yield* show("Vector.toBytes([0.1, 0.1])", `${Vector.toBytes([0.1, 0.1]).length} bytes, little-endian FLOAT32`)
  // The decoder, applied to a reply shaped as the module sends it: total, then key + fields.
  const reply = [1, "doc:1", ["__embedding_score", "0.02", "color", "red", "price", "10"]]
  yield* show("search.decode(reply)", search.decode(reply))
  yield* show("withSchema(Doc)(search).decode", typed.decode(reply))
  // Definitions the module would refuse are refused before sending (InvalidArgumentError).
  const bad = Search.create("bad", { schema: { v: Field.vector.hnsw({ dim: 0, metric: "L2" }) } })
  yield* show("a vector field with dim 0", bad.invalid?.message)
})

const online = (modules: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const server = yield* ValkeyServer.make({ modules })
    const { valkey } = yield* ValkeyStandalone.make({ port: server.port })
    yield* show("run(create)", yield* valkey.run(create))
    const docs = [
      ["doc:1", "red", 10, [0, 0]],
      ["doc:2", "red", 20, [1, 1]],
      ["doc:3", "blue", 30, [0.1, 0.1]],
      ["doc:4", "red", 40, [5, 5]]
    ] as const
    for (const [key, color, price, vector] of docs) {
      yield* valkey.hset(key, [
        ["color", color],
        ["price", price],
        ["embedding", Vector.toBytes(vector)]
      ])
    }
    // Indexing is asynchronous: wait (bounded) until FT.INFO says the index has caught up.
    yield* Indexing.waitForIndex(valkey, "docs", { documents: docs.length })
    yield* show("run(list())", yield* valkey.run(Search.list()))
    const result = yield* valkey.run(typed)
    yield* show("run(withSchema(Doc)(search))", result)
    yield* show("run(dropIndex(docs))", yield* valkey.run(Search.dropIndex("docs")))
  }).pipe(Effect.scoped)

const main = Effect.gen(function* () {
  yield* offline
  const found = Modules.moduleFromEnv("search", "VALKEY_SEARCH_MODULE")
  if (!found.available) {
    yield* Console.log(`\nNot running the commands against a server: ${found.reason}`)
    return
  }
  const modules = found.modules
  yield* Console.log(`\nRunning against a valkey-server with ${modules.join(", ")}`)
  yield* online(modules)
})

NodeRuntime.runMain(main)
