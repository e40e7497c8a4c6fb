/**
 * Test helpers: a client on a testkit server, for the protocol under test.
 */
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Layer } from "effect"
import { Command, Reply, Valkey, type ValkeyService, ValkeyStandalone } from "../src/index.ts"
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

/**
 * ROLE's first word from the node the client sends it to: marked read-only it goes where reads
 * go (a replica under `readFrom`), else to the primary.
 */
export const roleOf = (valkey: ValkeyService, readonly: boolean) =>
  Effect.map(valkey.run(Command.make(["ROLE"], Reply.raw, { readonly })), (reply) =>
    Array.isArray(reply) ? Reply.text(reply[0]!) : ""
  )

/**
 * Polls `check` every 25 ms on the real clock until `done` holds; dies after `seconds`
 * (default 30) naming `what`. For what a server or the sentinels do in their own time.
 */
export const eventually = <A, E, R>(
  check: Effect.Effect<A, E, R>,
  done: (a: A) => boolean,
  what: string,
  seconds = 30
) =>
  Effect.gen(function* () {
    const deadline = Date.now() + seconds * 1000
    while (Date.now() < deadline) {
      const a = yield* check
      if (done(a)) return a
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 25)))
    }
    return yield* Effect.die(new Error(`never held: ${what}`))
  })

export { Valkey }
