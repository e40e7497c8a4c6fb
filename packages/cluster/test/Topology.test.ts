import { assert, describe, it, layer } from "@effect/vitest"
import { Command, type RespValue, ValkeyStandalone } from "@effect-valkey/core"
import { ownsSlot, ValkeyTestCluster, type ValkeyTestClusterHandle } from "@effect-valkey/testkit"
import { Effect, Exit } from "effect"
import * as NodeView from "../src/NodeView.ts"
import { SLOTS } from "../src/Slot.ts"
import * as Topology from "../src/Topology.ts"

const host = "127.0.0.1"

const ok = (exit: Exit.Exit<Topology.Topology, Topology.TopologyError>): Topology.Topology => {
  if (Exit.isFailure(exit)) assert.fail(`expected a topology, got ${String(exit.cause)}`)
  return exit.value
}

const failure = (exit: Exit.Exit<Topology.Topology, Topology.TopologyError>): Topology.TopologyError => {
  if (Exit.isSuccess(exit)) return assert.fail("expected a TopologyError")
  const error = Exit.findErrorOption(exit)
  if (error._tag === "None") return assert.fail(`expected a typed failure, got ${String(exit.cause)}`)
  assert.instanceOf(error.value, Topology.TopologyError)
  return error.value
}

/** The primary address owning each slot, or "" when uncovered. */
const owners = (topology: Topology.Topology): Array<string> =>
  Array.from({ length: SLOTS }, (_, slot) => topology.shardOfSlot(slot)?.primary.address ?? "")

/** Both parsers' view of the cluster as seen from `port`, over RESP `protocol`. */
const fetch = (port: number, protocol: 2 | 3) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { valkey } = yield* ValkeyStandalone.make({ port, protocol })
      const shards = yield* valkey.custom(["CLUSTER", "SHARDS"])
      const slots = yield* valkey.custom(["CLUSTER", "SLOTS"])
      return {
        shards: ok(Topology.fromShards(shards, { host })),
        slots: ok(Topology.fromSlots(slots, { host })),
        raw: { shards, slots }
      }
    })
  )

/** Both parsers agree with each other and with the testkit's CLUSTER NODES, for every slot. */
const checkAgainstCluster = Effect.fnUntraced(function* (cluster: ValkeyTestClusterHandle) {
  const view = yield* cluster.topology
  const expected = Array.from({ length: SLOTS }, (_, slot) => {
    const owner = view.find((node) => node.role === "primary" && ownsSlot(node, slot))
    return owner === undefined ? "" : `${owner.host}:${owner.port}`
  })
  for (const node of cluster.nodes) {
    for (const protocol of [2, 3] as const) {
      const { shards, slots } = yield* fetch(node.port, protocol)
      assert.isTrue(shards.equals(slots), `RESP${protocol} SHARDS and SLOTS agree, seen from ${node.address}`)
      assert.isTrue(slots.equals(shards))
      assert.deepStrictEqual(owners(shards), expected)
      assert.deepStrictEqual(owners(slots), expected)
      assert.isTrue(shards.isCovered())
      assert.strictEqual(shards.coveredSlots, SLOTS)
      assert.deepStrictEqual(
        new Set(shards.primaries().map((p) => p.address)),
        new Set(slots.primaries().map((p) => p.address))
      )
    }
  }
  for (const slot of [0, 1, 5460, 5461, 8000, 10922, 12182, 16383]) {
    const owner = yield* cluster.slotOwner(slot)
    const { shards } = yield* fetch(cluster.nodes[0]!.port, 3)
    assert.strictEqual(shards.shardOfSlot(slot)?.primary.address, owner.address, `slot ${slot}`)
    assert.strictEqual(shards.shardOfSlot(slot)?.primary.id, owner.id)
  }
})

layer(ValkeyTestCluster.layer({ primaries: 3, replicasPerPrimary: 1 }), { timeout: 120_000 })(
  "Topology from a live cluster",
  (it) => {
    it.effect("CLUSTER SHARDS and CLUSTER SLOTS, RESP2 and RESP3, agree with CLUSTER NODES on every slot", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        yield* checkAgainstCluster(cluster)
      })
    )

    it.effect("CLUSTER SHARDS lists every node with its id and role; replicas under their primary", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        for (const protocol of [2, 3] as const) {
          const { shards } = yield* fetch(cluster.nodes[0]!.port, protocol)
          assert.strictEqual(shards.shards.length, 3)
          assert.deepStrictEqual(
            new Set(shards.nodes().map((n) => `${n.id}@${n.address}:${n.role}`)),
            new Set(cluster.nodes.map((n) => `${n.id}@${n.address}:${n.role}`))
          )
          for (const shard of shards.shards) {
            const primary = cluster.nodes.find((n) => n.id === shard.primary.id)!
            assert.deepStrictEqual(
              shard.replicas.map((r) => r.id),
              cluster.replicasOf(primary).map((r) => r.id)
            )
            assert.strictEqual(shard.primary.health, "online")
            assert.deepStrictEqual(shard.readReplicas, shard.replicas)
          }
        }
      })
    )

    it.effect("keeps agreeing after a slot migration (re-fetched)", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const before = yield* fetch(cluster.nodes[0]!.port, 3)
        const from = yield* cluster.slotOwner(100)
        const to = cluster.primaries.find((p) => p.id !== from.id)!
        yield* cluster.migrateSlot(100, from, to)
        yield* checkAgainstCluster(cluster)
        const after = yield* fetch(cluster.nodes[0]!.port, 2)
        assert.isFalse(after.shards.equals(before.shards))
        assert.strictEqual(after.shards.shardOfSlot(100)?.primary.address, to.address)
        // Slot 100 now splits its old range: the new owner serves a range of its own.
        assert.deepStrictEqual(
          after.shards.shardOfSlot(100)?.ranges.find(([start, end]) => start <= 100 && 100 <= end),
          [100, 100]
        )
      })
    )

    // Last in the block: it leaves a replica dead.
    it.effect("a dead replica is reported as fail: listed, but not readable; CLUSTER SLOTS drops it", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const victim = cluster.replicas[0]!
        yield* cluster.kill(victim)
        // Real-time polling: it.effect runs on the TestClock, where Effect.sleep would never end.
        const pause = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
        let seen = yield* look(cluster, victim.id)
        for (let i = 0; i < 100 && (seen.dead?.health === "online" || seen.dead?.health === "loading"); i++) {
          yield* pause
          seen = yield* look(cluster, victim.id)
        }
        assert.strictEqual(seen.dead?.health, "fail")
        assert.isFalse(Topology.isReadable(seen.dead!))
        const shard = seen.view.shards.shards.find((s) => s.replicas.some((r) => r.id === victim.id))!
        assert.isFalse(shard.readReplicas.some((r) => r.id === victim.id))
        assert.isFalse(seen.view.slots.nodes().some((n) => n.id === victim.id))
        assert.isTrue(seen.view.shards.equals(seen.view.slots))
      })
    )
  }
)

/** Both views from a live primary, and what they say about the node `id`. */
const look = (cluster: ValkeyTestClusterHandle, id: string) =>
  Effect.map(fetch(cluster.primaries[0]!.port, 3), (view) => ({
    view,
    dead: view.shards.nodes().find((n) => n.id === id)
  }))

// --- hand-made replies ----------------------------------------------------------------------

const shardsNode = (fields: Record<string, RespValue>): RespValue => new Map(Object.entries(fields))
const shard = (slots: Array<RespValue>, nodes: Array<RespValue>): RespValue =>
  new Map<RespValue, RespValue>([
    ["slots", slots],
    ["nodes", nodes]
  ])
const node = (port: number, role = "master", more: Record<string, RespValue> = {}) =>
  shardsNode({ id: `id${port}`, port, ip: "10.0.0.1", endpoint: "10.0.0.1", role, health: "online", ...more })

describe("fromShards", () => {
  it("reads RESP2 flat arrays and RESP3 maps alike, field names as bytes too", () => {
    const resp3 = [shard([0, 16383], [node(7000), node(7001, "replica")])]
    const bytes = (s: string) => new TextEncoder().encode(s)
    const resp2 = [
      [
        bytes("slots"),
        [0, 16383],
        "nodes",
        [
          [
            "id",
            "id7000",
            "port",
            7000,
            "ip",
            "10.0.0.1",
            "endpoint",
            "10.0.0.1",
            "role",
            "master",
            "health",
            "online"
          ],
          ["id", "id7001", "port", "7001", "ip", "10.0.0.1", "endpoint", "10.0.0.1", "role", "replica"]
        ]
      ]
    ]
    const a = ok(Topology.fromShards(resp3, { host }))
    const b = ok(Topology.fromShards(resp2, { host }))
    assert.isTrue(a.equals(b))
    assert.deepStrictEqual(b.shards[0]!.primary, {
      host: "10.0.0.1",
      port: 7000,
      address: "10.0.0.1:7000",
      id: "id7000",
      role: "primary",
      health: "online"
    })
    assert.deepStrictEqual(
      b.shards[0]!.readReplicas.map((r) => r.address),
      ["10.0.0.1:7001"]
    )
  })

  it("a shard and nodes with fields this client does not know (a newer server's) parse alike", () => {
    const node3 = (port: number, role: string, more: ReadonlyArray<[string, RespValue]>) =>
      new Map<RespValue, RespValue>([
        ["id", `id${port}`],
        ["port", port],
        ["ip", "10.0.0.1"],
        ["endpoint", "10.0.0.1"],
        ["role", role],
        ["health", "online"],
        ...more
      ])
    const reply = [
      new Map<RespValue, RespValue>([
        ["slots", [0, 16383]],
        [
          "nodes",
          [
            node3(7000, "master", [
              ["availability-zone", "az-1"],
              ["future-field", [1, 2]]
            ]),
            node3(7001, "replica", [["future-field", new Map<RespValue, RespValue>([["x", 1]])]])
          ]
        ],
        ["id", "shard-id"],
        ["future-shard-field", "x"]
      ])
    ]
    const topology = ok(Topology.fromShards(reply, { host }))
    assert.strictEqual(topology.shards[0]!.primary.address, "10.0.0.1:7000")
    assert.deepStrictEqual(
      topology.shards[0]!.readReplicas.map((r) => r.address),
      ["10.0.0.1:7001"]
    )
    assert.isTrue(topology.isCovered())
  })

  it("a primary spelled primary, and a node of a role this client does not know, left out", () => {
    const topology = ok(
      Topology.fromShards([shard([0, 16383], [node(7000, "primary"), node(7001, "replica"), node(7002, "observer")])], {
        host
      })
    )
    assert.strictEqual(topology.shards[0]!.primary.address, "10.0.0.1:7000")
    assert.deepStrictEqual(
      topology.nodes().map((n) => n.address),
      ["10.0.0.1:7000", "10.0.0.1:7001"]
    )
  })

  it("endpoint first, then ip, then the host we connected to when the endpoint is ? or empty", () => {
    const topology = ok(
      Topology.fromShards(
        [
          shard(
            [0, 100],
            [
              node(7000, "master", { endpoint: "db.example", ip: "10.0.0.9" }),
              node(7001, "replica", { endpoint: "?", ip: "10.0.0.8" }),
              node(7002, "replica", { endpoint: "", ip: "" }),
              node(7003, "replica", { endpoint: "?", ip: "?" })
            ]
          )
        ],
        { host: "seed.example" }
      )
    )
    assert.deepStrictEqual(
      topology.nodes().map((n) => n.address),
      ["db.example:7000", "10.0.0.8:7001", "seed.example:7002", "seed.example:7003"]
    )
  })

  it("prefers tls-port with tls, port otherwise (tls-port when port is 0)", () => {
    const reply = [
      shard([0, 1], [node(7000, "master", { "tls-port": 8000 }), node(0, "replica", { "tls-port": 8001 })])
    ]
    assert.deepStrictEqual(
      ok(Topology.fromShards(reply, { host, tls: true }))
        .nodes()
        .map((n) => n.port),
      [8000, 8001]
    )
    assert.deepStrictEqual(
      ok(Topology.fromShards(reply, { host }))
        .nodes()
        .map((n) => n.port),
      [7000, 8001]
    )
  })

  it("keeps failed nodes listed but out of readReplicas; a primary that has not failed wins", () => {
    const topology = ok(
      Topology.fromShards(
        [
          shard(
            [0, 16383],
            [
              node(7000, "master", { health: "fail" }),
              node(7001, "master"),
              node(7002, "replica", { health: "loading" }),
              node(7003, "replica"),
              node(7004, "replica", { health: "fail" }),
              node(7005, "replica", { health: "failed" }),
              node(7006, "replica", { health: "something-new" })
            ]
          )
        ],
        { host }
      )
    )
    const only = topology.shards[0]!
    assert.strictEqual(only.primary.port, 7001)
    assert.deepStrictEqual(
      only.replicas.map((r) => r.port),
      [7000, 7002, 7003, 7004, 7005, 7006]
    )
    // An idle in-sync replica is reported as loading (replication offset 0): still readable.
    assert.deepStrictEqual(
      only.readReplicas.map((r) => r.port),
      [7002, 7003]
    )
    assert.strictEqual(topology.nodes().length, 7)
    // A client connects to neither failed node; an unknown health is not a failure.
    assert.deepStrictEqual(
      Topology.servingNodes(topology).map((n) => n.port),
      [7001, 7002, 7003, 7006]
    )
  })

  it("servingNodes keeps a failed primary that still owns its slots", () => {
    const topology = ok(
      Topology.fromShards([shard([0, 16383], [node(7000, "master", { health: "fail" }), node(7001, "replica")])], {
        host
      })
    )
    assert.strictEqual(topology.shards[0]!.primary.port, 7000)
    assert.deepStrictEqual(
      Topology.servingNodes(topology).map((n) => n.port),
      [7000, 7001]
    )
  })

  it("a shard without slots (a new empty primary) is kept; without a primary and slots, skipped", () => {
    const topology = ok(
      Topology.fromShards(
        [shard([0, 8191], [node(7000)]), shard([], [node(7001)]), shard([], [node(7002, "replica")])],
        { host }
      )
    )
    assert.strictEqual(topology.shards.length, 2)
    assert.deepStrictEqual(topology.shards[1]!.ranges, [])
    assert.isFalse(topology.isCovered())
    assert.isTrue(topology.isCovered(8191))
    assert.isFalse(topology.isCovered(8192))
    assert.strictEqual(topology.coveredSlots, 8192)
    assert.strictEqual(topology.slotOwner[9000], -1)
    assert.strictEqual(topology.shardOfSlot(9000), undefined)
  })

  it("fails with a TopologyError on malformed replies, never throws", () => {
    const cases: Array<[RespValue, string]> = [
      ["OK", "not an array"],
      [null, "not an array"],
      [[42], "not a map"],
      [[["slots", [0, 1], "nodes"]], "not a map"],
      [[shard([0], [node(7000)])], "odd number"],
      [[shard([0, "x"], [node(7000)])], "not an integer"],
      [[shard([0, 16384], [node(7000)])], "invalid slot range"],
      [[shard([10, 5], [node(7000)])], "invalid slot range"],
      [[shard([-1, 5], [node(7000)])], "invalid slot range"],
      [[new Map([["slots", [0, 1]]])], "nodes is not an array"],
      // A role this client does not know is left out: here that leaves the slots no primary.
      [[shard([0, 1], [node(7000, "leader")])], "no primary"],
      [[shard([0, 1], [shardsNode({ role: "master", ip: "10.0.0.1" })])], "no usable port"],
      [[shard([0, 1], [node(70000)])], "no usable port"],
      [[shard([0, 1], [node(7000, "replica")])], "no primary"],
      [[shard([0, 1], ["not a node"])], "not a map"],
      [[new Map<RespValue, RespValue>([[1, 2]])], "field name"],
      [[shard([0, 10], [node(7000)]), shard([10, 20], [node(7001)])], "slot 10 is served by both"]
    ]
    for (const [reply, message] of cases) {
      const error = failure(Topology.fromShards(reply, { host }))
      assert.include(
        error.message,
        message,
        JSON.stringify(reply, (_, v) => (v instanceof Map ? [...v] : v))
      )
      assert.match(error.message, /^CLUSTER SHARDS: /)
    }
  })
})

describe("fromSlots", () => {
  it("groups the ranges of one primary into one shard; replicas deduplicated", () => {
    const topology = ok(
      Topology.fromSlots(
        [
          [0, 99, ["10.0.0.1", 7000, "a"], ["10.0.0.1", 7003, "d"]],
          [100, 199, ["10.0.0.1", 7001, "b", new Map()]],
          [200, 16383, ["10.0.0.1", 7000, "a", []], ["10.0.0.1", 7003, "d"]]
        ],
        { host }
      )
    )
    assert.strictEqual(topology.shards.length, 2)
    assert.deepStrictEqual(topology.shards[0]!.ranges, [
      [0, 99],
      [200, 16383]
    ])
    assert.deepStrictEqual(
      topology.shards[0]!.replicas.map((r) => `${r.id}:${r.role}`),
      ["d:replica"]
    )
    assert.strictEqual(topology.shards[0]!.readReplicas.length, 1)
    assert.strictEqual(topology.shards[1]!.primary.id, "b")
    assert.isTrue(topology.isCovered())
  })

  it("a null, empty or ? endpoint falls back to the metadata ip, then the connected host", () => {
    const topology = ok(
      Topology.fromSlots(
        [
          [0, 1, [null, 7000, "a"]],
          [2, 3, ["?", 7001, "b", ["ip", "10.0.0.2"]]],
          [4, 5, ["", 7002, "c", new Map([["hostname", "h"]])]]
        ],
        { host: "seed" }
      )
    )
    assert.deepStrictEqual(
      topology.primaries().map((n) => n.address),
      ["seed:7000", "10.0.0.2:7001", "seed:7002"]
    )
  })

  it("fails with a TopologyError on malformed replies", () => {
    const cases: Array<[RespValue, string]> = [
      [new Map(), "not an array"],
      [[[0, 1]], "no primary"],
      [["x"], "not an array"],
      [[[0, "a", ["h", 1]]], "not an integer"],
      [[[0, 1, "h"]], "not an array"],
      [[[0, 1, ["h"]]], "no usable port"],
      [[[0, 1, ["?", 1, "id", "bad"]]], "metadata is not a map"],
      [[[0, 20000, ["h", 1]]], "invalid slot range"],
      [
        [
          [0, 5, ["h", 1]],
          [5, 6, ["h", 2]]
        ],
        "served by both"
      ]
    ]
    for (const [reply, message] of cases) {
      const error = failure(Topology.fromSlots(reply, { host }))
      assert.include(error.message, message)
      assert.match(error.message, /^CLUSTER SLOTS: /)
    }
  })
})

describe("Topology", () => {
  it("equals compares owners by primary address, not by shard order", () => {
    const a = ok(
      Topology.make([
        { primary: { ...Topology.nodeAddress("h", 1), role: "primary" }, replicas: [], ranges: [[0, 8191]] },
        { primary: { ...Topology.nodeAddress("h", 2), role: "primary" }, replicas: [], ranges: [[8192, 16383]] }
      ])
    )
    const b = ok(
      Topology.make([
        { primary: { ...Topology.nodeAddress("h", 2), role: "primary" }, replicas: [], ranges: [[8192, 16383]] },
        { primary: { ...Topology.nodeAddress("h", 1), role: "primary" }, replicas: [], ranges: [[0, 8191]] }
      ])
    )
    const c = ok(
      Topology.make([
        { primary: { ...Topology.nodeAddress("h", 1), role: "primary" }, replicas: [], ranges: [[0, 8190]] },
        { primary: { ...Topology.nodeAddress("h", 2), role: "primary" }, replicas: [], ranges: [[8191, 16383]] }
      ])
    )
    const d = ok(
      Topology.make([
        { primary: { ...Topology.nodeAddress("h", 1), role: "primary" }, replicas: [], ranges: [[0, 8190]] }
      ])
    )
    assert.isTrue(a.equals(b))
    assert.isTrue(b.equals(a))
    assert.isFalse(a.equals(c))
    assert.isFalse(c.equals(d))
    assert.isFalse(d.equals(c))
    assert.strictEqual(a.slotOwner[8192], 1)
    assert.strictEqual(b.slotOwner[8192], 0)
  })

  it("parseAddress reads host:port, IPv6 with or without brackets", () => {
    assert.deepStrictEqual(Topology.parseAddress("127.0.0.1:7000"), Topology.nodeAddress("127.0.0.1", 7000))
    assert.deepStrictEqual(Topology.parseAddress("::1:7000"), Topology.nodeAddress("::1", 7000))
    assert.deepStrictEqual(Topology.parseAddress("[::1]:7000"), Topology.nodeAddress("::1", 7000))
    assert.strictEqual(Topology.parseAddress("host"), undefined)
    assert.strictEqual(Topology.parseAddress("host:0"), undefined)
    assert.strictEqual(Topology.parseAddress(":7000"), undefined)
  })
})

describe("NodeView (CLUSTER NODES, the node's own line)", () => {
  const view = (flags: string) => {
    const line = `id1 10.0.0.1:7000@17000 ${flags} - 0 0 7 connected 0-99 [100->-id2]\nid2 10.0.0.2:7000@17000 master - 0 0 3 connected 200\n`
    const exit = Command.settle(NodeView.command, line)
    assert.isTrue(Exit.isSuccess(exit))
    return (exit as Exit.Success<NodeView.NodeView>).value
  }

  it("reads role, epoch, slots and migration markers; a primary spelled primary counts", () => {
    const master = view("myself,master")
    assert.isTrue(master.primary)
    assert.strictEqual(master.epoch, "7")
    assert.strictEqual(
      master.owned.reduce((n, o) => n + o, 0),
      100
    )
    assert.deepStrictEqual([...master.moving], [100])
    assert.isTrue(view("myself,primary").primary)
    assert.isFalse(view("myself,slave").primary)
  })
})
