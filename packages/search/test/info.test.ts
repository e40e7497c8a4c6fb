/**
 * FT.INFO replies as a live module sends them, beyond what the recordings hold: the recorded
 * indexes had no case-sensitive TAG, no HNSW/FLAT options and no INITIAL_CAP, and 1.0.3 writes
 * CASESENSITIVE as a name with no value, which broke the pairwise decoding on a real server.
 */
import { assert, describe, it } from "@effect/vitest"
import { Command, type RespValue } from "@effect-valkey/core"
import { Exit } from "effect"
import { Search } from "../src/index.ts"
import { decodeReply } from "./fixtures.ts"

/**
 * valkey-search 1.0.3 on Valkey 8.0.1, in RESP2 and RESP3 alike (the bytes are the same), after
 * `FT.CREATE idx ON HASH PREFIX 1 doc: SCHEMA tag TAG SEPARATOR | CASESENSITIVE n NUMERIC
 * v VECTOR HNSW 14 TYPE FLOAT32 DIM 2 DISTANCE_METRIC L2 M 8 EF_CONSTRUCTION 100 EF_RUNTIME 5
 * INITIAL_CAP 50 f VECTOR FLAT 8 TYPE FLOAT32 DIM 2 DISTANCE_METRIC COSINE BLOCK_SIZE 64`.
 */
const LIVE_1_0_3 = Buffer.from(
  "KjI2DQoraW5kZXhfbmFtZQ0KK2lkeA0KK2luZGV4X29wdGlvbnMNCiowDQoraW5kZXhfZGVmaW5pdGlvbg0KKjYNCitrZXlfdHlwZQ0KK0hBU0gNCitwcmVmaXhlcw0KKjENCitkb2M6DQorZGVmYXVsdF9zY29yZQ0KJDENCjENCithdHRyaWJ1dGVzDQoqNA0KKjgNCitpZGVudGlmaWVyDQordg0KK2F0dHJpYnV0ZQ0KK3YNCit0eXBlDQorVkVDVE9SDQoraW5kZXgNCioxMg0KK2NhcGFjaXR5DQo6NTANCitkaW1lbnNpb25zDQo6Mg0KK2Rpc3RhbmNlX21ldHJpYw0KK0wyDQorc2l6ZQ0KJDENCjANCitkYXRhX3R5cGUNCitGTE9BVDMyDQorYWxnb3JpdGhtDQoqOA0KK25hbWUNCitITlNXDQorbQ0KOjgNCitlZl9jb25zdHJ1Y3Rpb24NCjoxMDANCitlZl9ydW50aW1lDQo6NQ0KKjgNCitpZGVudGlmaWVyDQorbg0KK2F0dHJpYnV0ZQ0KK24NCit0eXBlDQorTlVNRVJJQw0KK3NpemUNCiQxDQowDQoqMTENCitpZGVudGlmaWVyDQordGFnDQorYXR0cmlidXRlDQordGFnDQordHlwZQ0KK1RBRw0KK1NFUEFSQVRPUg0KK3wNCitDQVNFU0VOU0lUSVZFDQorc2l6ZQ0KJDENCjANCio4DQoraWRlbnRpZmllcg0KK2YNCithdHRyaWJ1dGUNCitmDQordHlwZQ0KK1ZFQ1RPUg0KK2luZGV4DQoqMTINCitjYXBhY2l0eQ0KOjEwMjQwDQorZGltZW5zaW9ucw0KOjINCitkaXN0YW5jZV9tZXRyaWMNCitDT1NJTkUNCitzaXplDQokMQ0KMA0KK2RhdGFfdHlwZQ0KK0ZMT0FUMzINCithbGdvcml0aG0NCio0DQorbmFtZQ0KK0ZMQVQNCitibG9ja19zaXplDQo6NjQNCitudW1fZG9jcw0KJDENCjANCitudW1fdGVybXMNCiQxDQowDQorbnVtX3JlY29yZHMNCiQxDQowDQoraGFzaF9pbmRleGluZ19mYWlsdXJlcw0KJDENCjANCitiYWNrZmlsbF9pbl9wcm9ncmVzcw0KJDENCjANCitiYWNrZmlsbF9jb21wbGV0ZV9wZXJjZW50DQokOA0KMS4wMDAwMDANCittdXRhdGlvbl9xdWV1ZV9zaXplDQokMQ0KMA0KK3JlY2VudF9tdXRhdGlvbnNfcXVldWVfZGVsYXkNCiQ1DQowIHNlYw0KK3N0YXRlDQorcmVhZHkNCg==",
  "base64"
)

const info = Search.info("idx")

const decode = (reply: RespValue) => Command.settle(info, reply)

const decoded = (reply: RespValue) => {
  const exit = decode(reply)
  assert.isTrue(Exit.isSuccess(exit), String(exit))
  return (exit as Exit.Success<ReturnType<typeof info.decode>>).value
}

describe("FT.INFO as a live module sends it", () => {
  it("1.0.3: a bare CASESENSITIVE, HNSW and FLAT options, all kept", () => {
    const value = decoded(decodeReply(info, LIVE_1_0_3))
    assert.strictEqual(value.name, "idx")
    assert.deepStrictEqual(value.prefixes, ["doc:"])
    assert.strictEqual(value.state, "ready")
    // Attributes come in no fixed order (two runs of the same FT.CREATE differ).
    const byName = (name: string) => value.attributes.find((a) => a.attribute === name)
    assert.deepStrictEqual(value.attributes.map((a) => a.attribute).sort(), ["f", "n", "tag", "v"])
    const [v, f, n, tag] = [byName("v"), byName("f"), byName("n"), byName("tag")]
    assert.deepStrictEqual(v!.vector, {
      capacity: 50,
      dimensions: 2,
      distanceMetric: "L2",
      size: 0,
      dataType: "FLOAT32",
      algorithm: { name: "HNSW", m: 8, efConstruction: 100, efRuntime: 5 }
    })
    assert.deepStrictEqual(f!.vector?.algorithm, { name: "FLAT", blockSize: 64 })
    assert.strictEqual(f!.vector?.distanceMetric, "COSINE")
    assert.strictEqual(n!.type, "NUMERIC")
    assert.isUndefined(n!.caseSensitive)
    assert.strictEqual(tag!.type, "TAG")
    assert.strictEqual(tag!.separator, "|")
    assert.strictEqual(tag!.caseSensitive, true)
    // The flag stands alone in the reply; `size` after it is still read as a pair.
    assert.deepStrictEqual(tag!.fields, {
      identifier: "tag",
      attribute: "tag",
      type: "TAG",
      SEPARATOR: "|",
      CASESENSITIVE: 1,
      size: "0"
    })
    assert.strictEqual(tag!.size, 0)
    assert.strictEqual(value.fields.recent_mutations_queue_delay, "0 sec")
  })

  it("a TAG without the flag folds case; CASESENSITIVE 0 / 1 (later modules) is read as a value", () => {
    const attribute = (...rest: Array<RespValue>) => [
      "index_name",
      "i",
      "index_definition",
      ["key_type", "HASH", "prefixes", []],
      "attributes",
      [["identifier", "t", "attribute", "t", "type", "TAG", "SEPARATOR", ",", ...rest]],
      "num_docs",
      "0",
      "num_records",
      "0",
      "state",
      "ready"
    ]
    assert.strictEqual(decoded(attribute("size", "0")).attributes[0]!.caseSensitive, false)
    assert.strictEqual(decoded(attribute("CASESENSITIVE", "0", "size", "0")).attributes[0]!.caseSensitive, false)
    assert.strictEqual(decoded(attribute("CASESENSITIVE", "1", "size", "3")).attributes[0]!.size, 3)
    assert.strictEqual(decoded(attribute("CASESENSITIVE", "1", "size", "3")).attributes[0]!.caseSensitive, true)
    assert.strictEqual(decoded(attribute("CASESENSITIVE")).attributes[0]!.caseSensitive, true)
  })

  it("fields and flags a newer module adds are kept, never a DecodeError", () => {
    const reply: RespValue = [
      "index_name",
      "i",
      "index_definition",
      ["key_type", "JSON", "prefixes", ["a:", "b:"], "default_score", "1", "filter", "@x>1"],
      "attributes",
      [
        ["identifier", "$.t", "attribute", "t", "type", "TEXT", "NOSTEM", "WEIGHT", "2", "size", "1"],
        ["identifier", "$.n", "attribute", "n", "type", "NUMERIC", "size", "1", "SORTABLE"]
      ],
      "num_docs",
      1,
      "num_records",
      2,
      "index_errors",
      ["indexing failures", 0, "last indexing error", "N/A"],
      "state",
      "ready",
      "some_future_flag"
    ]
    const value = decoded(reply)
    assert.strictEqual(value.keyType, "JSON")
    assert.deepStrictEqual(value.prefixes, ["a:", "b:"])
    assert.strictEqual(value.numDocs, 1)
    assert.deepStrictEqual(value.fields.index_errors, ["indexing failures", 0, "last indexing error", "N/A"])
    assert.strictEqual(value.fields.some_future_flag, 1)
    const [text, numeric] = value.attributes
    assert.strictEqual(text!.type, "TEXT")
    assert.strictEqual(text!.fields.NOSTEM, 1)
    assert.strictEqual(text!.fields.WEIGHT, "2")
    assert.strictEqual(text!.size, 1)
    assert.strictEqual(numeric!.fields.SORTABLE, 1)
    // Defaults for the indexing fields an older or newer reply may lack.
    assert.isFalse(value.backfillInProgress)
    assert.strictEqual(value.mutationQueueSize, 0)
  })
})
