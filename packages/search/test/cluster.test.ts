/**
 * The search commands on the cluster router, offline. valkey-search, as it loads by default,
 * runs every node of a cluster on its own (cluster.live.test.ts shows it on a real cluster), so
 * FT.CREATE / FT.DROPINDEX go to every primary and must succeed on all, and FT.SEARCH, FT.INFO,
 * FT._LIST and FT.AGGREGATE ask every primary and gather; aliases and FT.EXPLAINCLI, which no
 * module build here has, go to one node; `Search.coordinated` sends any of them to one node. A
 * fake two-shard cluster of replay servers (a primary and a replica each, answering CLUSTER
 * SLOTS with their own addresses and every recorded request with its recorded reply) shows
 * where each command went: never to a replica, even when reads may go to replicas.
 */
import { assert, describe, it } from "@effect/vitest"
import { ValkeyCluster } from "@effect-valkey/cluster"
import type { Command } from "@effect-valkey/core"
import { ReplayServer, type ReplayServerHandle } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { Aggregate, type IndexInfo, Query, Search } from "../src/index.ts"
import { calls, records } from "./fixtures.ts"
import { names, ofExit, offline, ofResult, recordOf, sent } from "./outcomes.ts"

const ZERO = new Float32Array([0, 0])

/** Every command the package builds, with whether it only reads. */
const commands: ReadonlyArray<readonly [string, Command.Command<unknown>, boolean]> = [
  ...names.map((name) => [name, calls[name]!(), !name.startsWith("create") && !name.startsWith("drop")] as const),
  ["aggregate", Search.aggregate("idx", "*", { stages: [Aggregate.limit(0, 1)] }), true],
  ["aliasAdd", Search.aliasAdd("a", "idx"), false],
  ["aliasUpdate", Search.aliasUpdate("a", "idx"), false],
  ["aliasDel", Search.aliasDel("a"), false],
  ["aliasList", Search.aliasList(), true],
  ["explainCli", Search.explainCli("idx", Query.knn({ field: "vec", k: 1, vector: ZERO, param: "q" })), true]
]

/** Where a command goes in a cluster, by what it is. */
const kind = (name: string): "everyPrimary" | "gathered" | "oneNode" =>
  name.startsWith("create") || name.startsWith("drop")
    ? "everyPrimary"
    : name.startsWith("alias") || name === "explainCli"
      ? "oneNode"
      : "gathered"

describe("the routing facts the search commands declare", () => {
  it("keyless, routed by the client; definitions on every primary, reads gathered, the rest to one node", () => {
    for (const [name, command, reads] of commands) {
      if (command.invalid !== undefined) continue
      assert.strictEqual(command.firstKey, -1, `${name} has no key`)
      assert.notStrictEqual(command.serverRouted, true, `${name} is routed by the client`)
      assert.strictEqual(command.readonly, reads, `${name} readonly`)
      switch (kind(name)) {
        case "everyPrimary":
          assert.strictEqual(command.request, "all_shards", `${name} request policy`)
          assert.strictEqual(command.response, "all_succeeded", `${name} response policy`)
          assert.isUndefined(command.shards, `${name} is not gathered`)
          break
        case "gathered":
          assert.isDefined(command.shards, `${name} is gathered`)
          assert.strictEqual(command.shards!.command.args[0], command.args[0], `${name} asks each primary the same`)
          break
        case "oneNode":
          assert.isUndefined(command.request, `${name} request policy`)
          assert.isUndefined(command.shards, `${name} is not gathered`)
      }
    }
  })

  it("coordinated: the same command (a search: for all k results, see shards.test.ts), to one node", () => {
    for (const [name, command, reads] of commands) {
      if (command.invalid !== undefined) continue
      const one = Search.coordinated(command)
      if (!name.startsWith("search")) assert.deepStrictEqual(one.args, command.args, name)
      else assert.strictEqual(one.args[0], "FT.SEARCH", name)
      assert.strictEqual(one.readonly, reads, name)
      assert.isUndefined(one.request, name)
      assert.isUndefined(one.shards, name)
      assert.strictEqual(one.bytes, command.bytes, name)
    }
  })
})

const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`
const slotsNode = (server: ReplayServerHandle, id: string) => `*3\r\n${bulk(server.host)}:${server.port}\r\n${bulk(id)}`

interface FakeCluster {
  readonly primaries: ReadonlyArray<ReplayServerHandle>
  readonly replicas: ReadonlyArray<ReplayServerHandle>
}

/** Two shards (slots 0-8191 and 8192-16383), each a primary and a replica, all replaying. */
const fakeCluster = (protocol: 2 | 3) =>
  Effect.gen(function* () {
    let topology = "*0\r\n"
    const answer = (request: ReadonlyArray<string>) => {
      if (request[0]?.toUpperCase() !== "CLUSTER") return undefined
      const sub = request[1]?.toUpperCase()
      if (sub === "SLOTS") return topology
      if (sub === "SHARDS") return "-ERR unknown subcommand 'SHARDS'\r\n"
      return undefined
    }
    const start = () => ReplayServer.make(records, { protocol, answer })
    const [p0, r0, p1, r1] = [yield* start(), yield* start(), yield* start(), yield* start()]
    const id = (n: number) => String(n).repeat(40)
    topology =
      `*2\r\n*4\r\n:0\r\n:8191\r\n${slotsNode(p0, id(1))}${slotsNode(r0, id(2))}` +
      `*4\r\n:8192\r\n:16383\r\n${slotsNode(p1, id(3))}${slotsNode(r1, id(4))}`
    return { primaries: [p0, p1], replicas: [r0, r1] } satisfies FakeCluster
  })

/** FT.* requests each node received, by node. */
const ftRequests = (cluster: FakeCluster) =>
  [...cluster.primaries, ...cluster.replicas].map((server) =>
    server.requestBytes.filter((_, i) => server.requests[i]![0]!.startsWith("FT."))
  )

/** The fake cluster and a client on it that would read from replicas if it were allowed to. */
const clientOnFakeCluster = (protocol: 2 | 3) =>
  Effect.gen(function* () {
    const cluster = yield* fakeCluster(protocol)
    const { valkey } = yield* ValkeyCluster.make({
      seeds: [cluster.primaries[0]!.address],
      protocol,
      readFrom: "preferReplica",
      topologyRefresh: false
    })
    return { cluster, valkey }
  })

/** How many FT.* requests each node received (primaries first, then replicas). */
const counts = (cluster: FakeCluster) => ftRequests(cluster).map((list) => list.length)

for (const protocol of [2, 3] as const) {
  describe(`on a fake cluster of replay servers, RESP${protocol}`, () => {
    it.live("each recorded case reaches every primary or one, never a replica; definitions decode", () =>
      Effect.gen(function* () {
        const { cluster, valkey } = yield* clientOnFakeCluster(protocol)
        for (const name of sent) {
          const before = counts(cluster)
          const command = calls[name]!()
          const exit = yield* Effect.exit(valkey.run(command))
          const reached = counts(cluster).map((n, node) => n - before[node]!)
          // Nodes 0 and 1 are the primaries, 2 and 3 their replicas.
          assert.strictEqual(reached[2]! + reached[3]!, 0, `${name} did not go to a replica`)
          assert.deepStrictEqual(reached.slice(0, 2), [1, 1], `${name} went to both primaries: ${reached}`)
          const requests = ftRequests(cluster)
          if (command.shards === undefined || name.startsWith("info") || name.startsWith("list")) {
            // Sent as recorded, so each primary replays the recorded reply.
            for (const node of [0, 1]) {
              assert.deepStrictEqual(
                requests[node]!.at(-1),
                recordOf(name, protocol).request,
                `${name} sent as recorded`
              )
            }
          }
          if (command.shards === undefined || name.startsWith("list")) {
            // Both primaries said the same: the gathered (or all_succeeded) value is that one.
            assert.deepStrictEqual(ofExit(exit), offline(name, protocol), `${name} RESP${protocol}`)
          }
        }
        // The control: with this configuration a keyed read does go to a replica (connected
        // with READONLY); it is not recorded, so the replica answers an error.
        yield* Effect.exit(valkey.get("some-key"))
        const reader = cluster.replicas.find((replica) => replica.requests.some((r) => r[0] === "GET"))
        assert.isDefined(reader, "a keyed read went to a replica")
        assert.isTrue(reader!.requests.some((r) => r[0] === "READONLY"))
      })
    )

    it.live("FT.INFO from two primaries adds their counts up and keeps each", () =>
      Effect.gen(function* () {
        const { valkey } = yield* clientOnFakeCluster(protocol)
        const name = sent.find((n) => n.startsWith("info_hash"))!
        const alone = offline(name, protocol) as { value: { numDocs: number; numRecords: number } }
        const info = yield* valkey.run(calls[name]!() as Command.Command<IndexInfo.IndexInfo>)
        assert.strictEqual(info.numDocs, 2 * alone.value.numDocs)
        assert.strictEqual(info.numRecords, 2 * alone.value.numRecords)
        assert.strictEqual(info.shards?.length, 2)
      })
    )

    it.live("coordinated commands go to one primary; all but searches as recorded, decoded as one node's reply", () =>
      Effect.gen(function* () {
        const { cluster, valkey } = yield* clientOnFakeCluster(protocol)
        for (const name of sent) {
          const before = counts(cluster)
          const exit = yield* Effect.exit(valkey.run(Search.coordinated(calls[name]!())))
          const reached = counts(cluster).map((n, node) => n - before[node]!)
          assert.strictEqual(
            reached.reduce((a, b) => a + b, 0),
            1,
            `${name} went to one node: ${reached}`
          )
          assert.strictEqual(reached[2]! + reached[3]!, 0, `${name} did not go to a replica`)
          // A search asks for every KNN result with its distance (shards.test.ts), not recorded.
          if (!name.startsWith("search")) {
            assert.deepStrictEqual(ofExit(exit), offline(name, protocol), `${name} RESP${protocol}`)
          }
        }
      })
    )

    it.live("in a batch each command goes where it would alone, results in order", () =>
      Effect.gen(function* () {
        const { cluster, valkey } = yield* clientOnFakeCluster(protocol)
        const chosen = sent.filter((name) => calls[name]!().shards === undefined || name.startsWith("list"))
        const results = yield* valkey.batch(chosen.map((name) => calls[name]!()))
        results.forEach((result, i) => {
          assert.deepStrictEqual(ofResult(result), offline(chosen[i]!, protocol), `${chosen[i]} in a batch`)
        })
        const reached = counts(cluster)
        assert.deepStrictEqual(reached, [chosen.length, chosen.length, 0, 0])
      })
    )
  })
}
