/**
 * Test helpers: a client on a testkit server, for the protocol under test.
 */
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Layer } from "effect"
import { Valkey, ValkeyStandalone } from "../src/index.ts"
import type { ValkeyConfig } from "../src/ValkeyConfig.ts"

/** A client of the `ValkeyServer` in context; closes with the test's scope. */
export const client = (config: ValkeyConfig = {}) =>
  Effect.gen(function* () {
    const server = yield* ValkeyServer
    const { valkey } = yield* ValkeyStandalone.make({ port: server.port, ...config })
    return valkey
  })

/** A layer of `Valkey` on the `ValkeyServer` in context. */
export const clientLayer = (config: ValkeyConfig = {}) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      return ValkeyStandalone.layer({ port: server.port, ...config })
    })
  )

export const protocols = [2, 3] as const

export { Valkey }
