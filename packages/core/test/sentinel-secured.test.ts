/**
 * A topology whose data nodes and sentinels have different passwords: the client keeps the
 * two sets of credentials apart, says which side refused, and never shows a password. Also a
 * paused (not dead) primary: the command it holds fails once the client moves, and is not
 * re-sent.
 */
import { assert, expect, layer } from "@effect/vitest"
import { ValkeyTestSentinel } from "@effect-valkey/testkit"
import { Effect, Exit, Fiber, Redacted } from "effect"
import { ValkeySentinel } from "../src/index.ts"

const DATA = "data-secret-1"
const SENTINEL = "sentinel-secret-2"

layer(ValkeyTestSentinel.layer({ replicas: 2, password: DATA, sentinelPassword: SENTINEL }), {
  excludeTestServices: true,
  timeout: "90 seconds"
})("ValkeySentinel with credentials", (it) => {
  const config = (topology: ValkeyTestSentinel["Service"]) => ({
    sentinels: topology.sentinelAddresses,
    name: topology.name,
    password: Redacted.make(DATA),
    sentinel: { password: Redacted.make(SENTINEL) }
  })

  it.effect("separate credentials for the sentinels and the data nodes", () =>
    Effect.gen(function* () {
      const topology = yield* ValkeyTestSentinel
      const { valkey } = yield* ValkeySentinel.make(config(topology))
      yield* valkey.set("secured", "yes")
      expect(yield* valkey.get("secured")).toBe("yes")
    }).pipe(Effect.scoped)
  )

  it.effect("sentinels refusing the credentials: SentinelUnavailableError, no password in it", () =>
    Effect.gen(function* () {
      const topology = yield* ValkeyTestSentinel
      const error = yield* Effect.flip(
        ValkeySentinel.make({ ...config(topology), sentinel: { password: Redacted.make("wrong-sentinel-pw") } })
      )
      expect(error._tag).toBe("SentinelUnavailableError")
      expect(error.message).toMatch(/auth/i)
      expect(error.message).not.toContain("wrong-sentinel-pw")
      expect(error.message).not.toContain(SENTINEL)
    }).pipe(Effect.scoped)
  )

  it.effect("data nodes refusing the credentials: PrimaryNotFoundError saying so, no password in it", () =>
    Effect.gen(function* () {
      const topology = yield* ValkeyTestSentinel
      const error = yield* Effect.flip(
        ValkeySentinel.make({ ...config(topology), password: Redacted.make("wrong-data-pw") })
      )
      expect(error._tag).toBe("PrimaryNotFoundError")
      expect(error.message).toMatch(/auth/i)
      expect(error.message).not.toContain("wrong-data-pw")
      expect(error.message).not.toContain(DATA)
    }).pipe(Effect.scoped)
  )

  it.effect("a paused primary: the command it holds fails when the client moves, later ones succeed", () =>
    Effect.gen(function* () {
      const topology = yield* ValkeyTestSentinel
      const before = yield* topology.awaitPrimary()
      // A request timeout longer than the failover: the move, not the timeout, ends the call.
      const { sentinel, valkey } = yield* ValkeySentinel.make({ ...config(topology), requestTimeout: "60 seconds" })
      yield* valkey.set("paused:k", "1")
      const paused = yield* topology.pausePrimary
      const held = yield* Effect.forkChild(valkey.incr("paused:k"), { startImmediately: true })
      const after = yield* topology.awaitPrimary({ not: before.address })
      const exit = yield* Fiber.await(held)
      assert.isTrue(Exit.isFailure(exit))
      expect(String(Exit.isFailure(exit) && exit.cause)).toContain("ConnectionError")
      while (sentinel.primary().address !== after.address) yield* Effect.sleep("20 millis")
      expect(yield* valkey.incr("paused:k")).toBe(2)
      yield* paused.resume
    }).pipe(Effect.scoped)
  )
})
