/**
 * A small cluster with a password and TLS everywhere (clients, cluster bus, replication,
 * MIGRATE), and cluster teardown leaving no process behind.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AdminClient, ValkeyTestCluster } from "../src/index.ts"
import { dirExists, processExists } from "./helpers.ts"

describe("ValkeyTestCluster (password + TLS)", () => {
  it.live("converges, authenticates over TLS, migrates a slot, and stops every node on scope close", () =>
    Effect.gen(function* () {
      const leftovers = yield* Effect.scoped(
        Effect.gen(function* () {
          const cluster = yield* ValkeyTestCluster.make({
            primaries: 2,
            replicasPerPrimary: 1,
            password: "cluster-pw",
            tls: true
          })
          expect(cluster.nodes).toHaveLength(4)
          const tls = cluster.tls!
          for (const node of cluster.nodes) {
            expect(node.tls?.ca).toBe(tls.ca)
            expect(node.url).toBe(`valkeys://default:cluster-pw@127.0.0.1:${node.port}`)
          }
          const node = cluster.primaries[0]!
          const plain = { host: node.host, port: node.port, tls: { ca: tls.ca } }
          const noAuth = yield* Effect.flip(AdminClient.command(plain, ["GET", "x"]))
          expect(noAuth.message).toMatch(/NOAUTH/)
          const slot = Number(yield* node.command(["CLUSTER", "KEYSLOT", "{tls}"]))
          const from = yield* cluster.slotOwner(slot)
          const to = cluster.primaries.find((candidate) => candidate.id !== from.id)!
          yield* from.command(["SET", "{tls}:k", "v"])
          yield* cluster.migrateSlot(slot, from, to)
          expect(yield* to.command(["GET", "{tls}:k"])).toBe("v")
          return cluster.nodes.map((n) => ({ pid: n.pid, dir: n.dir }))
        })
      )
      for (const { pid, dir } of leftovers) {
        expect(processExists(pid)).toBe(false)
        expect(dirExists(dir)).toBe(false)
      }
    })
  )

  it.live("rejects an invalid shape with a typed error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.scoped(ValkeyTestCluster.make({ primaries: 0 })))
      expect(error._tag).toBe("InvalidStateError")
    })
  )
})
