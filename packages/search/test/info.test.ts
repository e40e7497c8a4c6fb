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

/**
 * valkey-search 1.2.1 on Valkey 9.1.2, RESP2 and RESP3 alike, after \`FT.CREATE idx ON HASH PREFIX
 * 1 doc: SCHEMA title TEXT tag TAG SEPARATOR | CASESENSITIVE t2 TAG n NUMERIC v VECTOR HNSW 14 …
 * (as above) f VECTOR FLAT 8 …\`: CASESENSITIVE now has a value, counts are integers, TEXT
 * attributes and the index's full-text settings are new.
 */
const LIVE_1_2_1 = Buffer.from(
  "KjM2DQoraW5kZXhfbmFtZQ0KK2lkeA0KK2luZGV4X2RlZmluaXRpb24NCio2DQora2V5X3R5cGUNCitIQVNIDQorcHJlZml4ZXMNCioxDQorZG9jOg0KK2RlZmF1bHRfc2NvcmUNCiQxDQoxDQorYXR0cmlidXRlcw0KKjYNCioxMA0KK2lkZW50aWZpZXINCitmDQorYXR0cmlidXRlDQorZg0KK3VzZXJfaW5kZXhlZF9tZW1vcnkNCjowDQordHlwZQ0KK1ZFQ1RPUg0KK2luZGV4DQoqMTINCitjYXBhY2l0eQ0KOjEwMjQwDQorZGltZW5zaW9ucw0KOjINCitkaXN0YW5jZV9tZXRyaWMNCitDT1NJTkUNCitzaXplDQokMQ0KMA0KK2RhdGFfdHlwZQ0KK0ZMT0FUMzINCithbGdvcml0aG0NCio0DQorbmFtZQ0KK0ZMQVQNCitibG9ja19zaXplDQo6NjQNCioxMA0KK2lkZW50aWZpZXINCituDQorYXR0cmlidXRlDQorbg0KK3VzZXJfaW5kZXhlZF9tZW1vcnkNCjowDQordHlwZQ0KK05VTUVSSUMNCitzaXplDQokMQ0KMA0KKjE0DQoraWRlbnRpZmllcg0KK3QyDQorYXR0cmlidXRlDQordDINCit1c2VyX2luZGV4ZWRfbWVtb3J5DQo6MA0KK3R5cGUNCitUQUcNCitTRVBBUkFUT1INCissDQorQ0FTRVNFTlNJVElWRQ0KKzANCitzaXplDQokMQ0KMA0KKjE0DQoraWRlbnRpZmllcg0KK3RhZw0KK2F0dHJpYnV0ZQ0KK3RhZw0KK3VzZXJfaW5kZXhlZF9tZW1vcnkNCjowDQordHlwZQ0KK1RBRw0KK1NFUEFSQVRPUg0KK3wNCitDQVNFU0VOU0lUSVZFDQorMQ0KK3NpemUNCiQxDQowDQoqMTQNCitpZGVudGlmaWVyDQordGl0bGUNCithdHRyaWJ1dGUNCit0aXRsZQ0KK3VzZXJfaW5kZXhlZF9tZW1vcnkNCjowDQordHlwZQ0KK1RFWFQNCitXSVRIX1NVRkZJWF9UUklFDQorMA0KK05PX1NURU0NCiswDQorV0VJR0hUDQorMQ0KKjEwDQoraWRlbnRpZmllcg0KK3YNCithdHRyaWJ1dGUNCit2DQordXNlcl9pbmRleGVkX21lbW9yeQ0KOjANCit0eXBlDQorVkVDVE9SDQoraW5kZXgNCioxMg0KK2NhcGFjaXR5DQo6NTANCitkaW1lbnNpb25zDQo6Mg0KK2Rpc3RhbmNlX21ldHJpYw0KK0wyDQorc2l6ZQ0KJDENCjANCitkYXRhX3R5cGUNCitGTE9BVDMyDQorYWxnb3JpdGhtDQoqOA0KK25hbWUNCitITlNXDQorbQ0KOjgNCitlZl9jb25zdHJ1Y3Rpb24NCjoxMDANCitlZl9ydW50aW1lDQo6NQ0KK251bV9kb2NzDQo6MA0KK251bV9yZWNvcmRzDQo6MA0KK3RvdGFsX3Rlcm1fb2NjdXJyZW5jZXMNCjowDQorbnVtX3Rlcm1zDQo6MA0KK2hhc2hfaW5kZXhpbmdfZmFpbHVyZXMNCiQxDQowDQorYmFja2ZpbGxfaW5fcHJvZ3Jlc3MNCiQxDQowDQorYmFja2ZpbGxfY29tcGxldGVfcGVyY2VudA0KJDgNCjEuMDAwMDAwDQorbXV0YXRpb25fcXVldWVfc2l6ZQ0KJDENCjANCityZWNlbnRfbXV0YXRpb25zX3F1ZXVlX2RlbGF5DQokNQ0KMCBzZWMNCitzdGF0ZQ0KK3JlYWR5DQorcHVuY3R1YXRpb24NCissLjw+e31bXSInOjshQCMkJV4mKigpLSs9fi9cfD8NCitzdG9wX3dvcmRzDQoqMzMNCithDQoraXMNCit0aGUNCithbg0KK2FuZA0KK2FyZQ0KK2FzDQorYXQNCitiZQ0KK2J1dA0KK2J5DQorZm9yDQoraWYNCitpbg0KK2ludG8NCitpdA0KK25vDQorbm90DQorb2YNCitvbg0KK29yDQorc3VjaA0KK3RoYXQNCit0aGVpcg0KK3RoZW4NCit0aGVyZQ0KK3RoZXNlDQordGhleQ0KK3RoaXMNCit0bw0KK3dhcw0KK3dpbGwNCit3aXRoDQord2l0aF9vZmZzZXRzDQorMQ0KK21pbl9zdGVtX3NpemUNCjo0DQorbGFuZ3VhZ2UNCitlbmdsaXNoDQo=",
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

  it("1.2.1: CASESENSITIVE 0 / 1, TEXT attributes, full-text settings, integer counts", () => {
    const value = decoded(decodeReply(info, LIVE_1_2_1))
    const byName = (name: string) => value.attributes.find((a) => a.attribute === name)!
    assert.deepStrictEqual(value.attributes.map((a) => a.attribute).sort(), ["f", "n", "t2", "tag", "title", "v"])
    assert.strictEqual(byName("tag").caseSensitive, true)
    assert.strictEqual(byName("tag").separator, "|")
    assert.strictEqual(byName("t2").caseSensitive, false)
    assert.strictEqual(byName("t2").separator, ",")
    const title = byName("title")
    assert.strictEqual(title.type, "TEXT")
    assert.strictEqual(title.weight, 1)
    assert.strictEqual(title.noStem, false)
    assert.strictEqual(title.withSuffixTrie, false)
    assert.strictEqual(title.fields.user_indexed_memory, 0)
    assert.deepStrictEqual(byName("v").vector?.algorithm, { name: "HNSW", m: 8, efConstruction: 100, efRuntime: 5 })
    assert.strictEqual(byName("v").vector?.capacity, 50)
    assert.deepStrictEqual(byName("f").vector?.algorithm, { name: "FLAT", blockSize: 64 })
    assert.strictEqual(value.numDocs, 0)
    assert.strictEqual(value.state, "ready")
    assert.strictEqual(value.language, "english")
    assert.strictEqual(value.minStemSize, 4)
    assert.strictEqual(value.withOffsets, true)
    assert.include(value.stopWords ?? [], "the")
    assert.strictEqual(value.stopWords?.length, 33)
    assert.include(value.punctuation ?? "", "{")
    assert.strictEqual(value.fields.total_term_occurrences, 0)
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
