/**
 * One shared topology (primary, 2 replicas, 3 sentinels) for the fault operations; each test
 * asks the sentinels who is primary first, so the tests hold in whatever order they run.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { ValkeyTestSentinel } from "../src/index.ts"
import { done, notYet, pollUntil } from "../src/internal/time.ts"

layer(ValkeyTestSentinel.layer({ replicas: 2 }), { timeout: "60 seconds" })("ValkeyTestSentinel", (it) => {
  it.effect("starts a primary, 2 replicas in sync and 3 sentinels that agree on it", () =>
    Effect.gen(function* () {
      const topology = yield* ValkeyTestSentinel
      expect(topology.nodes).toHaveLength(3)
      expect(topology.sentinels).toHaveLength(3)
      const primary = yield* topology.awaitPrimary()
      expect(primary.address).toBe(topology.nodes[0]!.address)
      const role = yield* primary.command(["ROLE"])
      expect(Array.isArray(role) && role[0]).toBe("master")
      const replicas = yield* topology.sentinelCommand(["SENTINEL", "REPLICAS", topology.name])
      expect(replicas).toHaveLength(2)
    })
  )

  it.effect("SENTINEL FAILOVER promotes a replica", () =>
    Effect.gen(function* () {
      const topology = yield* ValkeyTestSentinel
      const before = yield* topology.awaitPrimary()
      yield* topology.failover
      const after = yield* topology.awaitPrimary({ not: before.address })
      expect(after.address).not.toBe(before.address)
      // The old primary is turned into a replica of the new one (soon after, not at once).
      // Sentinel then kills its normal clients (CLIENT KILL TYPE normal), an admin command's
      // connection too: that is not an answer yet.
      const role = yield* pollUntil({
        what: `${before.address} to follow ${after.address}`,
        timeoutMs: 20_000,
        check: before.command(["ROLE"]).pipe(
          Effect.map((reply) =>
            Array.isArray(reply) && reply[0] === "slave" ? done(reply) : notYet(JSON.stringify(reply))
          ),
          Effect.catchTag("AdminConnectionError", (error) => Effect.succeed(notYet(error.message)))
        )
      })
      expect(role[2]).toBe(after.port)
    })
  )

  it.effect("killing a sentinel leaves the others agreeing; killing the primary fails over", () =>
    Effect.gen(function* () {
      const topology = yield* ValkeyTestSentinel
      const sentinel = yield* topology.killSentinel(2)
      expect(sentinel.status).toBe("stopped")
      const before = yield* topology.awaitPrimary()
      const started = Date.now()
      const killed = yield* topology.killPrimary
      expect(killed.address).toBe(before.address)
      const after = yield* topology.awaitPrimary({ not: before.address })
      expect(after.address).not.toBe(before.address)
      yield* Effect.logInfo(`failover after kill took ${Date.now() - started} ms`)
    })
  )
})
