/**
 * One shared 3x1 cluster for all fault operations; each test reads the current topology
 * first, so the tests hold whatever order they run in.
 */
import { assert, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { parseClusterNodes, ValkeyTestCluster } from "../src/index.ts"
import { processExists } from "./helpers.ts"

const keySlot = (cluster: ValkeyTestCluster["Service"], key: string) =>
  Effect.map(cluster.nodes.find((node) => node.status === "running")!.command(["CLUSTER", "KEYSLOT", key]), Number)

layer(ValkeyTestCluster.layer({ primaries: 3, replicasPerPrimary: 1 }), { timeout: "60 seconds" })(
  "ValkeyTestCluster",
  (it) => {
    it.effect("starts 3 primaries with 1 replica each, all slots covered and in sync", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        expect(cluster.nodes).toHaveLength(6)
        expect(cluster.primaries).toHaveLength(3)
        expect(cluster.replicas).toHaveLength(3)
        expect(cluster.seeds).toEqual(cluster.nodes.map((node) => `127.0.0.1:${node.port}`))
        for (const primary of cluster.primaries) expect(cluster.replicasOf(primary)).toHaveLength(1)
        for (const node of cluster.nodes) {
          const info = String(yield* node.command(["CLUSTER", "INFO"]))
          expect(info).toContain("cluster_state:ok")
          expect(info).toContain("cluster_slots_assigned:16384")
          expect(yield* node.command(["CLUSTER", "MYID"])).toBe(node.id)
        }
        const owner = yield* cluster.slotOwner(0)
        expect(owner.role).toBe("primary")
        const view = yield* cluster.topology
        expect(view.filter((info) => info.role === "replica")).toHaveLength(3)
      })
    )

    it.effect("migrateSlot moves the keys and the ownership of a slot", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const slot = yield* keySlot(cluster, "{mig}")
        const from = yield* cluster.slotOwner(slot)
        const to = cluster.primaries.find((node) => node.id !== from.id)!
        for (let i = 0; i < 25; i++) yield* from.command(["SET", `{mig}:${i}`, `v${i}`])
        yield* cluster.migrateSlot(slot, from, to, { batchSize: 10 })
        expect((yield* cluster.slotOwner(slot)).id).toBe(to.id)
        expect(yield* to.command(["CLUSTER", "COUNTKEYSINSLOT", String(slot)])).toBe(25)
        expect(yield* to.command(["GET", "{mig}:7"])).toBe("v7")
        expect(yield* from.command(["CLUSTER", "COUNTKEYSINSLOT", String(slot)])).toBe(0)
        const moved = yield* Effect.flip(from.command(["GET", "{mig}:7"]))
        expect(moved.message).toMatch(new RegExp(`^MOVED ${slot} 127\\.0\\.0\\.1:${to.port}`))
      })
    )

    it.effect("step-wise slot migration exposes the migrating state to clients", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const slot = yield* keySlot(cluster, "{step}")
        const from = yield* cluster.slotOwner(slot)
        const to = cluster.primaries.find((node) => node.id !== from.id)!
        yield* from.command(["SET", "{step}:present", "1"])
        yield* cluster.beginSlotMigration(slot, from, to)
        const mine = parseClusterNodes(String(yield* from.command(["CLUSTER", "NODES"]))).find((info) => info.myself)!
        expect(mine.migrating).toEqual([{ slot, to: to.id }])
        // a missing key is redirected with ASK while the slot is migrating
        const ask = yield* Effect.flip(from.command(["GET", "{step}:absent"]))
        expect(ask.message).toMatch(new RegExp(`^ASK ${slot} 127\\.0\\.0\\.1:${to.port}`))
        expect(yield* from.command(["GET", "{step}:present"])).toBe("1")
        expect(yield* cluster.moveSlotKeys(slot, from, to)).toBe(1)
        yield* cluster.finishSlotMigration(slot, from, to)
        expect((yield* cluster.slotOwner(slot)).id).toBe(to.id)
        expect(yield* to.command(["GET", "{step}:present"])).toBe("1")
      })
    )

    it.effect("migrateSlot from a node that does not own the slot is a typed error", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const owner = yield* cluster.slotOwner(42)
        const other = cluster.primaries.find((node) => node.id !== owner.id)!
        const error = yield* Effect.flip(cluster.migrateSlot(42, other, owner))
        expect(error._tag).toBe("InvalidStateError")
      })
    )

    it.effect("failover promotes a replica and demotes its primary", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const primary = yield* cluster.slotOwner(100)
        const replica = cluster.replicasOf(primary)[0]!
        const promoted = yield* cluster.failover(replica)
        expect(promoted.id).toBe(replica.id)
        expect(promoted.role).toBe("primary")
        expect((yield* cluster.slotOwner(100)).id).toBe(replica.id)
        const role = (yield* replica.command(["ROLE"])) as ReadonlyArray<unknown>
        expect(role[0]).toBe("master")
        expect(primary.role).toBe("replica")
        expect(primary.primaryId).toBe(replica.id)
      })
    )

    it.effect("restart keeps the node's port and id and the cluster settles", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const node = cluster.replicas[0]!
        const { port, pid, id } = node
        yield* cluster.restart(node)
        expect(node.port).toBe(port)
        expect(node.pid).not.toBe(pid)
        expect(processExists(pid)).toBe(false)
        expect(yield* node.command(["CLUSTER", "MYID"])).toBe(id)
        expect(String(yield* node.command(["CLUSTER", "INFO"]))).toContain("cluster_state:ok")
      })
    )

    it.effect("pause stops replies of a node, resume brings them back", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const node = cluster.replicas[0]!
        yield* cluster.pause(node)
        const error = yield* Effect.flip(node.command(["PING"], { timeout: "300 millis" }))
        expect(error._tag === "AdminConnectionError" ? error.code : error._tag).toBe("TIMEOUT")
        yield* cluster.resume(node)
        expect(yield* node.command(["PING"])).toBe("PONG")
        yield* cluster.waitForConsistency()
      })
    )

    it.effect("kill of a replica refuses connections, start brings it back in sync", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const node = cluster.replicas[0]!
        const pid = node.pid
        yield* cluster.kill(node)
        expect(processExists(pid)).toBe(false)
        const error = yield* Effect.flip(node.command(["PING"]))
        expect(error._tag === "AdminConnectionError" ? error.code : error._tag).toBe("ECONNREFUSED")
        yield* cluster.start(node)
        expect(node.role).toBe("replica")
        expect(String(yield* node.command(["INFO", "replication"]))).toContain("master_link_status:up")
      })
    )

    it.effect("kill of a primary lets its replica take over; the old primary rejoins as replica", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const primary = yield* cluster.slotOwner(9000)
        const replica = cluster.replicasOf(primary)[0]!
        yield* cluster.kill(primary)
        yield* cluster.waitForConsistency()
        expect((yield* cluster.slotOwner(9000)).id).toBe(replica.id)
        yield* cluster.start(primary)
        expect(primary.role).toBe("replica")
        expect(primary.primaryId).toBe(replica.id)
      })
    )

    it.effect("failover of a killed primary its replica already replaced on its own succeeds", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const primary = yield* cluster.slotOwner(100)
        const replica = cluster.replicasOf(primary)[0]!
        yield* cluster.kill(primary)
        // The cluster's own failover (node timeout, election), before the testkit hears of it.
        let role = ""
        for (let i = 0; i < 300 && role !== "master"; i++) {
          const reply = yield* replica.command(["ROLE"])
          role = Array.isArray(reply) ? String(reply[0]) : ""
          // The real clock: this suite runs with the TestClock.
          if (role !== "master") yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
        }
        expect(role).toBe("master")
        const promoted = yield* cluster.failover(primary, { mode: "takeover" })
        expect(promoted.id).toBe(replica.id)
        expect((yield* cluster.slotOwner(100)).id).toBe(replica.id)
        yield* cluster.start(primary)
      })
    )

    it.effect("addNode joins an empty primary and a replica of it", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const before = cluster.nodes.length
        const primary = yield* cluster.addNode()
        expect(primary.role).toBe("primary")
        const replica = yield* cluster.addNode({ replicaOf: primary })
        expect(replica.role).toBe("replica")
        expect(replica.primaryId).toBe(primary.id)
        expect(cluster.nodes).toHaveLength(before + 2)
        for (const node of cluster.nodes.filter((n) => n.status === "running")) {
          const view = parseClusterNodes(String(yield* node.command(["CLUSTER", "NODES"])))
          expect(view.find((info) => info.id === primary.id)?.slots).toEqual([])
          expect(view.find((info) => info.id === replica.id)?.primaryId).toBe(primary.id)
        }
        // the new primary can take a slot
        const slot = yield* keySlot(cluster, "{new}")
        yield* cluster.migrateSlot(slot, yield* cluster.slotOwner(slot), primary)
        assert.strictEqual((yield* cluster.slotOwner(slot)).id, primary.id)
      })
    )
  }
)
