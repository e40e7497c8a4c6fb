/**
 * What the package sends, against the module's documented syntax (valkey.io / the module's
 * docs and command specs), for what the recordings do not cover; and the definitions it
 * refuses before sending.
 */
import { Command, RespError } from "@effect-valkey/core"
import { encodeCommand } from "@effect-valkey/core/internal"
import { Exit, Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Aggregate, Field, Query, Search, Vector } from "../src/index.ts"

/** The args as the strings the docs write (numbers in decimal, bytes as latin1). */
const words = (command: Command.Command<unknown>): Array<string> =>
  command.args.map((a) => (a instanceof Uint8Array ? Buffer.from(a).toString("latin1") : String(a)))

const sameBytes = (command: Command.Command<unknown>, expected: ReadonlyArray<string | Uint8Array>) =>
  expect(encodeCommand(command.args)).toStrictEqual(encodeCommand(expected))

describe("FT.CREATE", () => {
  it("the documented HNSW example", () => {
    const command = Search.create("my_index_name", {
      schema: { my_hash_field_key: Field.vector.hnsw({ dim: 20, metric: "COSINE", m: 4, efConstruction: 100 }) }
    })
    expect(words(command).join(" ")).toBe(
      "FT.CREATE my_index_name SCHEMA my_hash_field_key VECTOR HNSW 10 TYPE FLOAT32 DIM 20 DISTANCE_METRIC COSINE M 4 EF_CONSTRUCTION 100"
    )
  })

  it("the documented example with several tag and numeric fields", () => {
    const command = Search.create(
      Search.index("my_index_name").schema({
        my_vector_field_key: Field.vector.hnsw({ dim: 20, metric: "COSINE", m: 4, efConstruction: 100 }),
        my_tag_field_key_1: Field.tag({ separator: "@", caseSensitive: true }),
        my_numeric_field_key_1: Field.numeric(),
        my_numeric_field_key_2: Field.numeric(),
        my_tag_field_key_2: Field.tag()
      })
    )
    expect(words(command).join(" ")).toBe(
      "FT.CREATE my_index_name SCHEMA my_vector_field_key VECTOR HNSW 10 TYPE FLOAT32 DIM 20 DISTANCE_METRIC COSINE M 4 EF_CONSTRUCTION 100 " +
        "my_tag_field_key_1 TAG SEPARATOR @ CASESENSITIVE my_numeric_field_key_1 NUMERIC my_numeric_field_key_2 NUMERIC my_tag_field_key_2 TAG"
    )
  })

  it("every vector attribute, in the documented order, counted in attr_count", () => {
    const command = Search.create(
      Search.index("i")
        .on("JSON")
        .prefix("p:")
        .skipInitialScan()
        .schema({
          h: Field.vector.hnsw({
            path: "$.h",
            dim: 8,
            metric: "L2",
            initialCap: 1000,
            m: 32,
            efConstruction: 400,
            efRuntime: 50
          }),
          f: Field.vector.flat({ path: "$.f", dim: 3, metric: "IP", initialCap: 10, blockSize: 512 }),
          t: Field.text({ path: "$.t", noStem: true, suffixTrie: false })
        })
    )
    expect(words(command).join(" ")).toBe(
      "FT.CREATE i ON JSON PREFIX 1 p: SKIPINITIALSCAN SCHEMA " +
        "$.h AS h VECTOR HNSW 14 TYPE FLOAT32 DIM 8 DISTANCE_METRIC L2 INITIAL_CAP 1000 M 32 EF_CONSTRUCTION 400 EF_RUNTIME 50 " +
        "$.f AS f VECTOR FLAT 10 TYPE FLOAT32 DIM 3 DISTANCE_METRIC IP INITIAL_CAP 10 BLOCK_SIZE 512 " +
        "$.t AS t TEXT NOSTEM NOSUFFIXTRIE"
    )
    expect(command.firstKey).toBe(-1)
    expect(command.request).toBe("all_shards")
    expect(command.response).toBe("all_succeeded")
    expect(command.readonly).toBe(false)
  })

  it("a definition is an immutable value", () => {
    const base = Search.index("i").prefix("a:")
    const more = base.prefix("b:")
    expect(base.prefixes).toStrictEqual(["a:"])
    expect(more.prefixes).toStrictEqual(["a:", "b:"])
  })

  const refused: Array<[string, Command.Command<unknown>, string]> = [
    ["dim 0", Search.create("i", { schema: { v: Field.vector.hnsw({ dim: 0, metric: "L2" }) } }), "dim"],
    ["dim -1", Search.create("i", { schema: { v: Field.vector.flat({ dim: -1, metric: "L2" }) } }), "dim"],
    ["dim 1.5", Search.create("i", { schema: { v: Field.vector.flat({ dim: 1.5, metric: "L2" }) } }), "dim"],
    ["dim 32769", Search.create("i", { schema: { v: Field.vector.flat({ dim: 32769, metric: "L2" }) } }), "dim"],
    [
      "a bad metric",
      Search.create("i", { schema: { v: Field.vector.flat({ dim: 2, metric: "EUCLID" as "L2" }) } }),
      "metric"
    ],
    [
      "a bad type",
      Search.create("i", { schema: { v: Field.vector.flat({ dim: 2, metric: "L2", type: "INT8" as "FLOAT32" }) } }),
      "type"
    ],
    ["M 513", Search.create("i", { schema: { v: Field.vector.hnsw({ dim: 2, metric: "L2", m: 513 }) } }), "m must"],
    [
      "EF_CONSTRUCTION 4097",
      Search.create("i", { schema: { v: Field.vector.hnsw({ dim: 2, metric: "L2", efConstruction: 4097 }) } }),
      "efConstruction"
    ],
    ["an empty schema", Search.create("i", { schema: {} }), "schema"],
    ["an empty name", Search.create("", { schema: { n: Field.numeric() } }), "name"],
    [
      "an unknown key type",
      Search.create("i", { on: "XML" as "HASH", schema: { n: Field.numeric() } }),
      "HASH or JSON"
    ],
    ["a long separator", Search.create("i", { schema: { t: Field.tag({ separator: "ab" }) } }), "separator"]
  ]
  for (const [what, command, mention] of refused) {
    it(`refuses ${what} before sending`, () => {
      expect(command.invalid?._tag).toBe("InvalidArgumentError")
      expect(command.invalid?.message).toContain(mention)
    })
  }
})

describe("FT.SEARCH", () => {
  it("the documented pure vector query", () => {
    const command = Search.search(
      "idx",
      Query.knn({ field: "description", k: 5, vector: [0.8, 0, 0], param: "query_vector" }),
      { dialect: 2 }
    )
    sameBytes(command, [
      "FT.SEARCH",
      "idx",
      "*=>[KNN 5 @description $query_vector]",
      "PARAMS",
      "2",
      "query_vector",
      Buffer.from("\xcd\xccL?\x00\x00\x00\x00\x00\x00\x00\x00", "latin1"),
      "DIALECT",
      "2"
    ])
    expect(command.readonly).toBe(true)
    expect(command.firstKey).toBe(-1)
    expect(command.bytes).toBe(true)
  })

  it("the default vector parameter is BLOB and the query names it", () => {
    const query = Query.knn({ field: "vec", k: 3, vector: new Float32Array([1, 2]) })
    expect(query.text).toBe("*=>[KNN 3 @vec $BLOB]")
    expect(query.scoreField).toBe("__vec_score")
    expect(query.params).toStrictEqual([["BLOB", Vector.toBytes([1, 2])]])
  })

  it("EF_RUNTIME, AS, a filter and its own parameters", () => {
    const query = Query.knn({
      field: "vec",
      k: 10,
      vector: [1],
      filter: "@price:[$lo $hi]",
      efRuntime: 64,
      as: "d",
      params: { lo: 1, hi: "20" }
    })
    expect(query.text).toBe("@price:[$lo $hi]=>[KNN 10 @vec $BLOB EF_RUNTIME 64 AS d]")
    expect(words(Search.search("i", query)).slice(3)).toStrictEqual([
      "PARAMS",
      "6",
      "BLOB",
      "\x00\x00\x80?",
      "lo",
      "1",
      "hi",
      "20"
    ])
  })

  it("RETURN counts AS and its name, then NOCONTENT, LIMIT, TIMEOUT, DIALECT", () => {
    const command = Search.search("index", "@color:{bl*}", {
      return: ["color", { field: "city", as: "town" }],
      limit: { offset: 0, count: 5 },
      timeout: 100,
      dialect: 2
    })
    expect(words(command).join(" ")).toBe(
      "FT.SEARCH index @color:{bl*} RETURN 4 color city AS town LIMIT 0 5 TIMEOUT 100 DIALECT 2"
    )
    expect(words(Search.search("index", "@color:{bl*}", { noContent: true })).join(" ")).toBe(
      "FT.SEARCH index @color:{bl*} NOCONTENT"
    )
  })

  it("reads RETURN 0 as keys only", () => {
    const command = Search.search("index", "*", { return: [] })
    expect(words(command).join(" ")).toBe("FT.SEARCH index * RETURN 0")
    expect(
      Command.settle(command, [2, new Uint8Array(Buffer.from("a")), new Uint8Array(Buffer.from("b"))])
    ).toStrictEqual(
      Exit.succeed({
        total: 2,
        documents: [
          { key: "a", fields: {} },
          { key: "b", fields: {} }
        ]
      })
    )
  })

  it("decodes the documented non-vector reply, keeping extra binary fields as bytes", () => {
    const command = Search.search("index", "@color:{bl*}", { binary: ["color"] })
    const b = (s: string) => new Uint8Array(Buffer.from(s))
    const reply = [3, b("key1"), [b("city"), b("London"), b("color"), b("blue")], b("key5"), [b("color"), b("blend")]]
    expect(Command.settle(command, reply)).toStrictEqual(
      Exit.succeed({
        total: 3,
        documents: [
          { key: "key1", fields: { city: "London", color: b("blue") } },
          { key: "key5", fields: { color: b("blend") } }
        ]
      })
    )
  })

  it("a reply of the wrong shape is a DecodeError", () => {
    const exit = Command.settle(Search.search("i", "*"), [1, new Uint8Array(1)])
    expect(Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail" && exit.cause.reasons[0].error._tag).toBe(
      "DecodeError"
    )
  })

  const refused: Array<[string, Command.Command<unknown>]> = [
    ["k 0", Search.search("i", Query.knn({ field: "v", k: 0, vector: [1] }))],
    ["an empty vector", Search.search("i", Query.knn({ field: "v", k: 1, vector: [] }))],
    [
      "vector bytes not a multiple of 4",
      Search.search("i", Query.knn({ field: "v", k: 1, vector: new Uint8Array(3) }))
    ],
    ["a field with a space", Search.search("i", Query.knn({ field: "v x", k: 1, vector: [1] }))],
    ["a negative offset", Search.search("i", "*", { limit: { offset: -1, count: 1 } })],
    ["a zero timeout", Search.search("i", "*", { timeout: 0 })],
    ["an empty query", Search.search("i", "")],
    [
      "a parameter given twice",
      Search.search("i", Query.knn({ field: "v", k: 1, vector: [1] }), { params: { BLOB: "x" } })
    ]
  ]
  for (const [what, command] of refused) {
    it(`refuses ${what} before sending`, () => {
      expect(command.invalid?._tag).toBe("InvalidArgumentError")
    })
  }
})

describe("Search.withSchema", () => {
  const Doc = Schema.Struct({ tag: Schema.String, n: Schema.NumberFromString })
  const b = (s: string) => new Uint8Array(Buffer.from(s))

  it("decodes each document's fields", () => {
    const command = Search.withSchema(Doc)(Search.search("idx", "*", { return: ["tag", "n"] }))
    expect(Command.settle(command, [1, b("h:1"), [b("n"), b("5"), b("tag"), b("blue")]])).toStrictEqual(
      Exit.succeed({ total: 1, documents: [{ key: "h:1", fields: { tag: "blue", n: 5 } }] })
    )
  })

  it("a document that does not fit is the command's DecodeError, naming the key", () => {
    const command = Search.withSchema(Doc)(Search.search("idx", "*"))
    const exit = Command.settle(command, [1, b("h:9"), [b("tag"), b("x")]])
    if (Exit.isSuccess(exit)) throw new Error("expected a failure")
    const reason = exit.cause.reasons[0]
    expect(reason?._tag === "Fail" && reason.error._tag).toBe("DecodeError")
    expect(reason?._tag === "Fail" && reason.error.message).toContain("h:9")
  })
})

describe("FT.AGGREGATE", () => {
  it("LOAD, PARAMS, stages in order, as documented", () => {
    const command = Search.aggregate("idx", "@kind:{$k}", {
      dialect: 2,
      load: ["@price", { field: "$.name", as: "name" }],
      params: { k: "book" },
      timeout: 500,
      stages: [
        Aggregate.filter("@price > 10"),
        Aggregate.apply("@price * 2", "double"),
        Aggregate.groupBy(
          ["@kind"],
          [
            { fn: "COUNT", as: "n" },
            { fn: "AVG", args: ["@price"], as: "avg" }
          ]
        ),
        Aggregate.sortBy([{ by: "@avg", order: "DESC" }, "@n"], 10),
        Aggregate.limit(0, 5)
      ]
    })
    expect(words(command).join(" ")).toBe(
      "FT.AGGREGATE idx @kind:{$k} DIALECT 2 LOAD 4 @price $.name AS name PARAMS 2 k book TIMEOUT 500 " +
        "FILTER @price > 10 APPLY @price * 2 AS double GROUPBY 1 @kind REDUCE COUNT 0 AS n REDUCE AVG 1 @price AS avg " +
        "SORTBY 3 @avg DESC @n MAX 10 LIMIT 0 5"
    )
    expect(words(Search.aggregate("idx", "*", { load: "*" })).join(" ")).toBe("FT.AGGREGATE idx * LOAD *")
  })

  it("decodes rows, dropping the leading count the docs say to ignore", () => {
    const command = Search.aggregate("idx", "*")
    expect(
      Command.settle(command, [
        7,
        ["kind", "book", "n", "2"],
        new Map<string, unknown>([
          ["kind", "pen"],
          ["sample", ["a", "b"]]
        ]) as never
      ])
    ).toStrictEqual(
      Exit.succeed([
        { kind: "book", n: "2" },
        { kind: "pen", sample: ["a", "b"] }
      ])
    )
  })

  it("refuses a negative LIMIT", () => {
    expect(Search.aggregate("idx", "*", { stages: [Aggregate.limit(-1, 2)] }).invalid?._tag).toBe(
      "InvalidArgumentError"
    )
  })
})

describe("aliases, FT.EXPLAINCLI, FT._LIST, FT.DROPINDEX", () => {
  it("the documented alias commands", () => {
    expect(words(Search.aliasAdd("product_search", "my_product_index"))).toStrictEqual([
      "FT.ALIASADD",
      "product_search",
      "my_product_index"
    ])
    expect(words(Search.aliasUpdate("product_search", "my_new_product_index"))).toStrictEqual([
      "FT.ALIASUPDATE",
      "product_search",
      "my_new_product_index"
    ])
    expect(words(Search.aliasDel("product_search"))).toStrictEqual(["FT.ALIASDEL", "product_search"])
    expect(Search.aliasAdd("", "i").invalid?._tag).toBe("InvalidArgumentError")
    const list = Search.aliasList()
    expect(words(list)).toStrictEqual(["FT.ALIASLIST"])
    expect(Command.settle(list, ["product_search", "my_product_index", "user_search", "my_user_index"])).toStrictEqual(
      Exit.succeed({ product_search: "my_product_index", user_search: "my_user_index" })
    )
    expect(Command.settle(Search.aliasDel("x"), new RespError("Alias does not exist"))._tag).toBe("Failure")
  })

  it("FT.EXPLAINCLI index query", () => {
    const command = Search.explainCli("idx", Query.knn({ field: "v", k: 1, vector: [1] }))
    expect(words(command)).toStrictEqual(["FT.EXPLAINCLI", "idx", "*=>[KNN 1 @v $BLOB]"])
    expect(Command.settle(command, ["a", "b"])).toStrictEqual(Exit.succeed(["a", "b"]))
  })

  it("FT._LIST is read-only and keyless", () => {
    const command = Search.list()
    expect(words(command)).toStrictEqual(["FT._LIST"])
    expect(command.readonly).toBe(true)
    expect(command.firstKey).toBe(-1)
    // RESP3 could send a set; it decodes the same.
    expect(Command.settle(command, new Set(["a"]))).toStrictEqual(Exit.succeed(["a"]))
  })
})

describe("Vector", () => {
  it("writes little-endian FLOAT32, whatever the host", () => {
    expect(Vector.toBytes(new Float32Array([1]))).toStrictEqual(new Uint8Array([0, 0, 0x80, 0x3f]))
  })

  it("byte for byte: numbers round to the nearest FLOAT32, special values keep their bits", () => {
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")
    // 0.1 and 5 as the recorded HSETs sent them (cdcccc3d, 0000a040).
    expect(hex(Vector.toBytes([0.1, 0, 5]))).toBe("cdcccc3d000000000000a040")
    expect(hex(Vector.toBytes([-0, -2, 65504, 1e-45, 3.4028235e38]))).toBe("00000080000000c000e07f4701000000ffff7f7f")
    expect(hex(Vector.toBytes([Infinity, -Infinity]))).toBe("0000807f000080ff")
    // A double rounds to the same bytes whether given as number[] or Float32Array.
    const values = [Math.PI, -Math.E, 1 / 3, 123456.789]
    expect(Vector.toBytes(values)).toStrictEqual(Vector.toBytes(new Float32Array(values)))
    expect(hex(Vector.toBytes([Math.PI]))).toBe("db0f4940")
    expect(Number.isNaN(Vector.fromBytesUnsafe(Vector.toBytes([Number.NaN]))[0])).toBe(true)
  })

  it("reads them back, from any offset of a larger buffer", () => {
    const vector = new Float32Array([1.5, -3, 1e-7, 65504])
    expect(Vector.fromBytesUnsafe(Vector.toBytes(vector))).toStrictEqual(vector)
    const shifted = new Uint8Array(17)
    shifted.set(Vector.toBytes(vector), 1)
    expect(Vector.fromBytesUnsafe(shifted.subarray(1))).toStrictEqual(vector)
    expect(Vector.fromBytes(Buffer.from("0000a0400000a040", "hex"))).toStrictEqual(
      Result.succeed(new Float32Array([5, 5]))
    )
    // Every FLOAT32 survives the round trip bit for bit.
    const bits = new Uint8Array([0x01, 0x00, 0x80, 0x00, 0xff, 0xff, 0x7f, 0x7f, 0x00, 0x00, 0x00, 0x80])
    expect(Vector.toBytes(Vector.fromBytesUnsafe(bits))).toStrictEqual(bits)
  })

  it("passes bytes through; a length that is not a multiple of 4 is a typed failure", () => {
    const bytes = new Uint8Array(8)
    expect(Vector.toBytes(bytes)).toBe(bytes)
    const bad = Vector.fromBytes(new Uint8Array(5))
    expect(Result.isFailure(bad) && bad.failure._tag === "InvalidVectorError" && bad.failure.length === 5).toBe(true)
    expect(() => Vector.fromBytesUnsafe(new Uint8Array(5))).toThrow(/multiple of 4 bytes, got 5/)
    expect(Vector.dimensions(bytes)).toBe(2)
    expect(Vector.dimensions([1, 2, 3])).toBe(3)
  })
})

describe("module 1.2 builders", () => {
  it("FT.CREATE: full-text settings before SCHEMA, SORTABLE fields", () => {
    const command = Search.create(
      Search.index("t")
        .on("HASH")
        .prefix("p:")
        .text({ language: "english", punctuation: ",.", stopWords: ["a", "the"] })
        .text({ minStemSize: 3, offsets: false })
        .schema({
          title: Field.text({ noStem: true, sortable: true }),
          kind: Field.tag({ separator: ";", sortable: true }),
          n: Field.numeric({ sortable: true })
        })
    )
    expect(words(command).join(" ")).toBe(
      "FT.CREATE t ON HASH PREFIX 1 p: LANGUAGE english PUNCTUATION ,. STOPWORDS 2 a the MINSTEMSIZE 3 NOOFFSETS SCHEMA " +
        "title TEXT NOSTEM SORTABLE kind TAG SEPARATOR ; SORTABLE n NUMERIC SORTABLE"
    )
    const options = Search.create("t", { text: { stopWords: [], offsets: true }, schema: { t: Field.text() } })
    expect(words(options).join(" ")).toBe("FT.CREATE t STOPWORDS 0 WITHOFFSETS SCHEMA t TEXT")
  })

  it("FT.SEARCH: VERBATIM, INORDER, SLOP and SORTBY", () => {
    const command = Search.search("t", "@title:run", {
      verbatim: true,
      inOrder: true,
      slop: 2,
      sortBy: { field: "n", order: "DESC" },
      limit: { offset: 0, count: 5 }
    })
    expect(words(command).join(" ")).toBe("FT.SEARCH t @title:run VERBATIM INORDER SLOP 2 SORTBY n DESC LIMIT 0 5")
  })

  it("keys only and sorted: the sort field is asked for (1.2.1 does not sort NOCONTENT) and dropped", () => {
    const command = Search.search("t", "@kind:{pet}", { sortBy: { field: "price" }, noContent: true })
    expect(words(command).join(" ")).toBe("FT.SEARCH t @kind:{pet} RETURN 1 price SORTBY price")
    const reply = [
      2,
      Buffer.from("c"),
      [Buffer.from("price"), Buffer.from("20")],
      Buffer.from("a"),
      [Buffer.from("price"), Buffer.from("30")]
    ]
    expect(command.decode(reply)).toStrictEqual({
      total: 2,
      documents: [
        { key: "c", fields: {} },
        { key: "a", fields: {} }
      ]
    })
  })

  it("refuses what the module would, before sending", () => {
    const refused = [
      Search.create("t", { text: { language: "german" as "english" }, schema: { t: Field.text() } }),
      Search.create("t", { text: { minStemSize: 0 }, schema: { t: Field.text() } }),
      Search.create("t", { text: { punctuation: "" }, schema: { t: Field.text() } }),
      Search.search("t", "x", { slop: -1 }),
      Search.search("t", "x", { sortBy: { field: "" } })
    ]
    for (const command of refused) expect(command.invalid?._tag).toBe("InvalidArgumentError")
  })
})
