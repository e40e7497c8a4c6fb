/**
 * The search commands on the cluster router, offline. FT.* commands name an index, not a key:
 * the package declares them keyless with no request or response policy (the module spreads
 * definitions and fans searches out itself), so the router must send each one to a single
 * primary — never split, never fanned out, never to a replica even when reads may go to
 * replicas. A fake two-shard cluster of replay servers (a primary and a replica each, answering
 * CLUSTER SLOTS with their own addresses and every recorded request with its recorded reply)
 * shows where each command went.
 */
import { assert, describe, it } from "@effect/vitest"
import { ValkeyCluster } from "@effect-valkey/cluster"
import type { Command } from "@effect-valkey/core"
import { ReplayServer, type ReplayServerHandle } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { Aggregate, Query, Search } from "../src/index.ts"
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

describe("the routing facts the search commands declare", () => {
  it("keyless, no request or response policy, not server-routed; reads marked read-only", () => {
    for (const [name, command, reads] of commands) {
      if (command.invalid !== undefined) continue
      assert.strictEqual(command.firstKey, -1, `${name} has no key`)
      assert.strictEqual(command.request, undefined, `${name} request policy`)
      assert.strictEqual(command.response, undefined, `${name} response policy`)
      assert.notStrictEqual(command.serverRouted, true, `${name} is routed by the client`)
      assert.strictEqual(command.readonly, reads, `${name} readonly`)
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

for (const protocol of [2, 3] as const) {
  describe(`on a fake cluster of replay servers, RESP${protocol}`, () => {
    it.live("every recorded case goes to exactly one primary, never to a replica, and decodes", () =>
      Effect.gen(function* () {
        const { cluster, valkey } = yield* clientOnFakeCluster(protocol)
        for (const name of sent) {
          const before = ftRequests(cluster).map((list) => list.length)
          const exit = yield* Effect.exit(valkey.run(calls[name]!()))
          assert.deepStrictEqual(ofExit(exit), offline(name, protocol), `${name} RESP${protocol}`)
          const after = ftRequests(cluster)
          const reached = after.map((list, node) => list.length - before[node]!)
          // Nodes 0 and 1 are the primaries, 2 and 3 their replicas.
          assert.strictEqual(
            reached.reduce((a, b) => a + b, 0),
            1,
            `${name} went to one node: ${reached}`
          )
          assert.strictEqual(reached[2]! + reached[3]!, 0, `${name} did not go to a replica`)
          const node = reached.indexOf(1)
          assert.deepStrictEqual(after[node]!.at(-1), recordOf(name, protocol).request, `${name} sent as recorded`)
        }
        // The control: with this configuration a keyed read does go to a replica (connected
        // with READONLY); it is not recorded, so the replica answers an error.
        yield* Effect.exit(valkey.get("some-key"))
        const reader = cluster.replicas.find((replica) => replica.requests.some((r) => r[0] === "GET"))
        assert.isDefined(reader, "a keyed read went to a replica")
        assert.isTrue(reader!.requests.some((r) => r[0] === "READONLY"))
      })
    )

    it.live("a batch of search commands goes to one primary, in order, as one pipeline", () =>
      Effect.gen(function* () {
        const { cluster, valkey } = yield* clientOnFakeCluster(protocol)
        const results = yield* valkey.batch(sent.map((name) => calls[name]!()))
        results.forEach((result, i) => {
          assert.deepStrictEqual(ofResult(result), offline(sent[i]!, protocol), `${sent[i]} in a batch`)
        })
        const reached = ftRequests(cluster)
        const used = reached.filter((list) => list.length > 0)
        assert.strictEqual(used.length, 1, "one node took the whole batch")
        assert.isTrue(reached[0]!.length > 0 || reached[1]!.length > 0, "and it is a primary")
        assert.deepStrictEqual(
          used[0],
          sent.map((name) => recordOf(name, protocol).request)
        )
      })
    )
  })
}
