/**
 * A topology on TLS only (data nodes, replication, sentinels): the client reaches the
 * sentinels and the data nodes with their own TLS settings.
 */
import { expect, layer } from "@effect/vitest"
import { ValkeyTestSentinel } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { ValkeySentinel } from "../src/index.ts"

layer(ValkeyTestSentinel.layer({ replicas: 1, tls: true }), { excludeTestServices: true, timeout: "90 seconds" })(
  "ValkeySentinel over TLS",
  (it) => {
    it.effect("separate TLS settings for the sentinels and the data nodes", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const ca = topology.nodes[0]!.tls!.ca
        const { sentinel, valkey } = yield* ValkeySentinel.make({
          sentinels: topology.sentinelAddresses,
          name: topology.name,
          tls: { ca },
          sentinel: { tls: { ca } }
        })
        expect(sentinel.primary().address).toBe((yield* topology.awaitPrimary()).address)
        yield* valkey.set("tls:k", "v")
        expect(yield* valkey.get("tls:k")).toBe("v")
      }).pipe(Effect.scoped)
    )

    it.effect("a failover over TLS: the client moves to the promoted replica", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const ca = topology.nodes[0]!.tls!.ca
        const before = yield* topology.awaitPrimary()
        const { sentinel, valkey } = yield* ValkeySentinel.make({
          sentinels: topology.sentinelAddresses,
          name: topology.name,
          tls: { ca },
          sentinel: { tls: { ca } },
          requestTimeout: "30 seconds"
        })
        yield* topology.killPrimary
        const after = yield* topology.awaitPrimary({ not: before.address })
        while (sentinel.primary().address !== after.address) yield* Effect.sleep("20 millis")
        yield* valkey.set("tls:after", "1")
        expect(yield* after.command(["GET", "tls:after"])).toBe("1")
      }).pipe(Effect.scoped)
    )

    it.effect("sentinels reached without TLS: SentinelUnavailableError", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const ca = topology.nodes[0]!.tls!.ca
        const error = yield* Effect.flip(
          ValkeySentinel.make({
            sentinels: topology.sentinelAddresses,
            name: topology.name,
            tls: { ca },
            connectTimeout: "500 millis"
          })
        )
        expect(error._tag).toBe("SentinelUnavailableError")
      }).pipe(Effect.scoped)
    )
  }
)
