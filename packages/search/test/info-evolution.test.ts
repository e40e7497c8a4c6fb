/**
 * FT.INFO from a newer module version, with names this package does not know at every level
 * (top, attribute, vector index, algorithm): the known ones decode and every name is kept in
 * `fields`; nothing fails because the module added something.
 */
import type { RespValue } from "@effect-valkey/core"
import { describe, expect, it } from "vitest"
import { IndexInfo } from "../src/index.ts"

const reply: Array<RespValue> = [
  "index_name",
  "idx",
  "index_definition",
  ["key_type", "HASH", "prefixes", ["h:"], "default_score", "1", "future_definition", "x"],
  "attributes",
  [
    [
      "identifier",
      "vec",
      "attribute",
      "vec",
      "type",
      "VECTOR",
      "future_attribute_field",
      7,
      "index",
      [
        "capacity",
        10,
        "dimensions",
        2,
        "distance_metric",
        "L2",
        "size",
        "0",
        "data_type",
        "FLOAT32",
        "future_index_field",
        ["a", 1],
        "algorithm",
        ["name", "HNSW", "m", 16, "ef_construction", 200, "ef_runtime", 10, "future_algorithm_field", "y"]
      ]
    ]
  ],
  "num_docs",
  "0",
  "num_records",
  0,
  "state",
  "ready",
  "future_top_level",
  ["nested", "list"]
]

describe("FT.INFO with names of a newer module", () => {
  it("decodes the known fields and keeps every name/value", () => {
    const info = IndexInfo.decoder(reply)
    expect(info.name).toBe("idx")
    expect(info.keyType).toBe("HASH")
    expect(info.prefixes).toStrictEqual(["h:"])
    expect(info.state).toBe("ready")
    expect(info.fields.future_top_level).toStrictEqual(["nested", "list"])
    const [vec] = info.attributes
    expect(vec?.vector?.algorithm).toStrictEqual({ name: "HNSW", m: 16, efConstruction: 200, efRuntime: 10 })
    expect(vec?.fields.future_attribute_field).toBe(7)
  })

  it("a flag of a newer module standing alone (no value) does not shift the pairs after it", () => {
    const withFlag: Array<RespValue> = reply.map((value, i) =>
      i === 5
        ? [["identifier", "tag", "attribute", "tag", "type", "TAG", "SEPARATOR", ",", "INDEXEMPTY", "size", 3]]
        : value
    )
    const [tag] = IndexInfo.decoder(withFlag).attributes
    expect(tag?.separator).toBe(",")
    expect(tag?.size).toBe(3)
    expect(tag?.fields.INDEXEMPTY).toBe(1)
  })
})
