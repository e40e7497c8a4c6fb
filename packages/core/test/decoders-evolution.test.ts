/**
 * Structured replies with a field the decoder does not know, as a newer server sends them: each
 * decodes its known fields and keeps the rest, never a DecodeError. Every reply is given as a
 * RESP3 map and as the RESP2 flat array the same server sends.
 */
import { assert, describe, it } from "@effect/vitest"
import { Exit } from "effect"
import { Command, Commands, type RespValue } from "../src/index.ts"

const { commands } = Commands
const { parseInfo } = Commands.server

/** A RESP3 map of `fields`. */
const map3 = (fields: ReadonlyArray<readonly [string, RespValue]>): RespValue => new Map<RespValue, RespValue>(fields)
/** The RESP2 flat array of `fields`. */
const flat2 = (fields: ReadonlyArray<readonly [string, RespValue]>): RespValue => fields.flat() as Array<RespValue>

const decoded = <A>(command: Command.Command<A>, reply: RespValue): A => {
  const exit = Command.settle(command, reply)
  if (Exit.isFailure(exit)) assert.fail(`${Command.name(command)} did not decode: ${String(exit.cause)}`)
  return (exit as Exit.Success<A>).value
}

const both = (fields: ReadonlyArray<readonly [string, RespValue]>) => [map3(fields), flat2(fields)] as const

describe("decoders keep what a newer server adds", () => {
  it("ACL GETUSER: Valkey 9's databases and a field of the future", () => {
    for (const reply of both([
      ["flags", ["on"]],
      ["passwords", []],
      ["commands", "+@all"],
      ["keys", "~*"],
      ["channels", "&*"],
      ["databases", "alldbs"],
      ["selectors", []],
      ["future-field", 42]
    ])) {
      const user = decoded(commands.aclGetUser("u"), reply)
      assert.deepStrictEqual(user, {
        flags: ["on"],
        passwords: [],
        commands: "+@all",
        keys: "~*",
        channels: "&*",
        databases: "alldbs",
        selectors: [],
        extra: { "future-field": 42 }
      })
    }
  })

  it("ACL LOG entries", () => {
    const fields: Array<readonly [string, RespValue]> = [
      ["count", 1],
      ["reason", "command"],
      ["context", "toplevel"],
      ["object", "set"],
      ["username", "u"],
      ["age-seconds", "0.5"],
      ["client-info", "id=3"],
      ["entry-id", 0],
      ["timestamp-created", 10],
      ["timestamp-last-updated", 11],
      ["new-thing", "x"]
    ]
    for (const reply of both(fields)) {
      const [entry] = decoded(commands.aclLog(), [reply])
      assert.strictEqual(entry?.object, "set")
      assert.strictEqual(entry?.ageSeconds, 0.5)
      assert.deepStrictEqual(entry?.extra, { "new-thing": "x" })
    }
  })

  it("LATENCY LATEST: 8.0's four elements, 9.x's six, and one more", () => {
    assert.deepStrictEqual(decoded(commands.latencyLatest(), [["command", 100, 12, 20]]), [
      { event: "command", timestamp: 100, latestMillis: 12, maxMillis: 20, sumMillis: null, count: null, extra: [] }
    ])
    assert.deepStrictEqual(decoded(commands.latencyLatest(), [["command", 100, 12, 20, 32, 2]]), [
      { event: "command", timestamp: 100, latestMillis: 12, maxMillis: 20, sumMillis: 32, count: 2, extra: [] }
    ])
    assert.deepStrictEqual(decoded(commands.latencyLatest(), [["command", 100, 12, 20, 32, 2, "later"]]), [
      { event: "command", timestamp: 100, latestMillis: 12, maxMillis: 20, sumMillis: 32, count: 2, extra: ["later"] }
    ])
    // Fewer than the four known elements is a reply this command cannot have.
    assert.isTrue(Exit.isFailure(Command.settle(commands.latencyLatest(), [["command", 100, 12]])))
  })

  it("LATENCY HISTORY points with an added element", () => {
    assert.deepStrictEqual(decoded(commands.latencyHistory("command"), [[100, 12, "more"]]), [
      { timestamp: 100, latencyMillis: 12 }
    ])
  })

  it("SLOWLOG GET entries with an added element", () => {
    const [entry] = decoded(commands.slowlogGet(), [[1, 100, 2000, ["debug", "sleep", "0"], "127.0.0.1:1", "n", 7]])
    assert.deepStrictEqual(entry, {
      id: 1,
      timestamp: 100,
      durationMicros: 2000,
      args: ["debug", "sleep", "0"],
      clientAddress: "127.0.0.1:1",
      clientName: "n",
      extra: [7]
    })
  })

  it("MEMORY STATS: an unknown number, an unknown text and a nested record", () => {
    for (const reply of both([
      ["peak.allocated", 1000],
      ["dataset.percentage", "99.5"],
      ["db.0", map3([["overhead.hashtable.main", 112]])],
      ["new.counter", 3],
      ["new.mode", "lazy"]
    ])) {
      const stats = decoded(commands.memoryStats(), reply)
      assert.strictEqual(stats["peak.allocated"], 1000)
      assert.strictEqual(stats["dataset.percentage"], 99.5)
      assert.deepStrictEqual(stats["db.0"], { "overhead.hashtable.main": 112 })
      assert.strictEqual(stats["new.counter"], 3)
      assert.strictEqual(stats["new.mode"], "lazy")
    }
  })

  it("COMMAND INFO: an eleventh element and a key-spec field of the future", () => {
    const keySpec = map3([
      ["flags", ["RO", "access"]],
      [
        "begin_search",
        map3([
          ["type", "index"],
          ["spec", map3([["index", 1]])],
          ["hint", "x"]
        ])
      ],
      [
        "find_keys",
        map3([
          ["type", "range"],
          [
            "spec",
            map3([
              ["lastkey", 0],
              ["keystep", 1],
              ["limit", 0]
            ])
          ]
        ])
      ],
      ["weight", 3]
    ])
    const [info] = decoded(commands.commandInfo(["get"]), [
      ["get", 2, ["readonly"], 1, 1, 1, ["@read"], [], [keySpec], [], "doc"]
    ])
    assert.strictEqual(info?.name, "get")
    assert.deepStrictEqual(info?.extra, ["doc"])
    assert.deepStrictEqual(info?.keySpecs[0]?.extra, { weight: 3 })
    assert.deepStrictEqual(info?.keySpecs[0]?.beginSearch, { type: "index", spec: { index: 1 }, extra: { hint: "x" } })
  })

  it("XINFO STREAM, GROUPS, CONSUMERS and STREAM FULL", () => {
    const counters: Array<readonly [string, RespValue]> = [
      ["length", 1],
      ["radix-tree-keys", 1],
      ["radix-tree-nodes", 2],
      ["last-generated-id", "1-0"],
      ["max-deleted-entry-id", "0-0"],
      ["entries-added", 1],
      ["recorded-first-entry-id", "1-0"]
    ]
    for (const reply of both([
      ...counters,
      ["groups", 0],
      ["first-entry", ["1-0", ["a", "1"]]],
      ["last-entry", ["1-0", ["a", "1"]]],
      ["idmp-duration", 100]
    ])) {
      const info = decoded(commands.xinfoStream("s"), reply)
      assert.strictEqual(info.length, 1)
      assert.deepStrictEqual(info.extra, { "idmp-duration": 100 })
    }
    for (const reply of both([
      ["name", "g"],
      ["consumers", 0],
      ["pending", 0],
      ["last-delivered-id", "0-0"],
      ["entries-read", null],
      ["lag", 1],
      ["invalid-reads", 0]
    ])) {
      const [group] = decoded(commands.xinfoGroups("s"), [reply])
      assert.deepStrictEqual(group?.extra, { "invalid-reads": 0 })
    }
    for (const reply of both([
      ["name", "c"],
      ["pending", 0],
      ["idle", 5],
      ["inactive", -1],
      ["claimed", 0]
    ])) {
      const [consumer] = decoded(commands.xinfoConsumers("s", "g"), [reply])
      assert.deepStrictEqual(consumer?.extra, { claimed: 0 })
    }
    const full = decoded(
      commands.xinfoStreamFull("s"),
      map3([
        ...counters,
        ["entries", []],
        [
          "groups",
          [
            map3([
              ["name", "g"],
              ["last-delivered-id", "0-0"],
              ["entries-read", 0],
              ["lag", 0],
              ["pel-count", 0],
              ["pending", []],
              [
                "consumers",
                [
                  map3([
                    ["name", "c"],
                    ["seen-time", 1],
                    ["active-time", 1],
                    ["pel-count", 0],
                    ["pending", []],
                    ["new", 1]
                  ])
                ]
              ],
              ["new", 2]
            ])
          ]
        ],
        ["new", 3]
      ])
    )
    assert.deepStrictEqual(full.extra, { new: 3 })
    assert.deepStrictEqual(full.groups[0]?.extra, { new: 2 })
    assert.deepStrictEqual(full.groups[0]?.consumers[0]?.extra, { new: 1 })
  })

  it("XPENDING summary and entries with added elements", () => {
    assert.deepStrictEqual(decoded(commands.xpending("s", "g"), [2, "1-0", "2-0", [["alice", 2, "x"]], "more"]), {
      count: 2,
      minId: "1-0",
      maxId: "2-0",
      consumers: [{ name: "alice", pending: 2 }]
    })
    assert.deepStrictEqual(
      decoded(commands.xpendingWithOptions("s", "g", { start: "-", end: "+", count: 1 }), [["1-0", "alice", 5, 1, 9]]),
      [{ id: "1-0", consumer: "alice", idleMillis: 5, deliveries: 1 }]
    )
  })

  it("COMMAND DOCS with fields of the future at every level", () => {
    const docs = decoded(
      commands.commandDocs(["x"]),
      flat2([
        [
          "x",
          flat2([
            ["summary", "Does x."],
            ["since", "10.0.0"],
            ["group", "generic"],
            ["complexity", "O(1)"],
            [
              "arguments",
              [
                flat2([
                  ["name", "key"],
                  ["type", "key"],
                  ["key_spec_index", 0],
                  ["new_arg_field", "y"]
                ])
              ]
            ],
            [
              "subcommands",
              flat2([
                [
                  "x|y",
                  flat2([
                    ["summary", "Sub."],
                    ["new_sub_field", 1]
                  ])
                ]
              ])
            ],
            ["new_doc_field", ["a"]]
          ])
        ]
      ])
    )
    const x = docs.x!
    assert.strictEqual(x.summary, "Does x.")
    assert.deepStrictEqual(x.extra, { new_doc_field: ["a"] })
    assert.deepStrictEqual(x.arguments[0]?.extra, { key_spec_index: 0, new_arg_field: "y" })
    assert.deepStrictEqual(x.subcommands["x|y"]?.extra, { new_sub_field: 1 })
    assert.deepStrictEqual(x.history, [])
  })

  it("FUNCTION LIST and FUNCTION STATS", () => {
    const [library] = decoded(commands.functionList(), [
      map3([
        ["library_name", "lib"],
        ["engine", "LUA"],
        [
          "functions",
          [
            map3([
              ["name", "f"],
              ["description", null],
              ["flags", []],
              ["calls", 3]
            ])
          ]
        ],
        ["library_version", "2"]
      ])
    ])
    assert.deepStrictEqual(library, {
      name: "lib",
      engine: "LUA",
      functions: [{ name: "f", description: null, flags: [], extra: { calls: 3 } }],
      code: null,
      extra: { library_version: "2" }
    })
    const stats = decoded(
      commands.functionStats(),
      flat2([
        ["running_script", null],
        [
          "engines",
          flat2([
            [
              "LUA",
              flat2([
                ["libraries_count", 1],
                ["functions_count", 2],
                ["memory", 9]
              ])
            ]
          ])
        ],
        ["total", 1]
      ])
    )
    assert.deepStrictEqual(stats, {
      runningScript: null,
      engines: { LUA: { librariesCount: 1, functionsCount: 2, extra: { memory: 9 } } },
      extra: { total: 1 }
    })
  })

  it("CLIENT INFO and CLIENT LIST keep every name=value, known or not", () => {
    const line = "id=7 addr=127.0.0.1:1 db=0 lib-name=x tot-net-in=301 future-thing=yes\n"
    assert.deepStrictEqual(decoded(commands.clientInfo(), line), {
      id: "7",
      addr: "127.0.0.1:1",
      db: "0",
      "lib-name": "x",
      "tot-net-in": "301",
      "future-thing": "yes"
    })
    assert.strictEqual(decoded(commands.clientList(), line + line)[1]?.["future-thing"], "yes")
  })

  it("INFO keeps unknown sections and fields", () => {
    const info = parseInfo("# Server\r\nvalkey_version:9.1.2\r\nnew_field:1\r\n\r\n# Brand New\r\nthing:x\r\n")
    assert.deepStrictEqual(info, { server: { valkey_version: "9.1.2", new_field: "1" }, "brand new": { thing: "x" } })
  })

  it("ROLE with an added element, the words primary and replica, and a role of the future", () => {
    assert.deepStrictEqual(decoded(commands.role(), ["master", 10, [], "extra"]), {
      role: "primary",
      offset: 10,
      replicas: []
    })
    assert.strictEqual(decoded(commands.role(), ["primary", 10, []]).role, "primary")
    assert.strictEqual(decoded(commands.role(), ["replica", "10.0.0.1", 7000, "connected", 10]).role, "replica")
    assert.deepStrictEqual(decoded(commands.role(), ["observer", 1, "x"]), {
      role: "other",
      name: "observer",
      reply: [1, "x"]
    })
  })

  it("XAUTOCLAIM with an added element keeps it", () => {
    const reply: RespValue = ["0-0", [], ["1-1"], "future"]
    assert.deepStrictEqual(decoded(commands.xautoclaimJustId("s", "g", "c", 0, "0-0"), reply), {
      nextId: "0-0",
      claimed: [],
      deletedIds: ["1-1"],
      extra: ["future"]
    })
    assert.deepStrictEqual(decoded(commands.xautoclaimJustId("s", "g", "c", 0, "0-0"), reply.slice(0, 3)), {
      nextId: "0-0",
      claimed: [],
      deletedIds: ["1-1"]
    })
  })
})
