/**
 * No orphans: servers are stopped when the fiber owning their scope is interrupted, both
 * while running and in the middle of start-up.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { ValkeyServer } from "../src/index.ts"
import { liveProcessCount } from "../src/internal/processes.ts"
import { sleepReal } from "../src/internal/time.ts"
import { dirExists, processExists } from "./helpers.ts"

describe("interruption", () => {
  it.live("stops the server when the owning fiber is interrupted", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<{ readonly pid: number; readonly dir: string }>()
      const fiber = yield* Effect.forkChild(
        Effect.scoped(
          Effect.gen(function* () {
            const server = yield* ValkeyServer.make()
            yield* Deferred.succeed(started, { pid: server.pid, dir: server.dir })
            return yield* Effect.never
          })
        )
      )
      const { pid, dir } = yield* Deferred.await(started)
      expect(processExists(pid)).toBe(true)
      yield* Fiber.interrupt(fiber)
      expect(processExists(pid)).toBe(false)
      expect(dirExists(dir)).toBe(false)
    })
  )

  it.live("stops a server that is still starting when interrupted", () =>
    Effect.gen(function* () {
      for (const delay of [0, 5, 15, 40]) {
        const fiber = yield* Effect.forkChild(Effect.scoped(Effect.andThen(ValkeyServer.make(), Effect.never)))
        yield* sleepReal(delay)
        yield* Fiber.interrupt(fiber)
        expect(liveProcessCount()).toBe(0)
      }
    })
  )

  it.live("a layer stops its server when it is released", () =>
    Effect.gen(function* () {
      const pid = yield* Effect.gen(function* () {
        const server = yield* ValkeyServer
        return server.pid
      }).pipe(Effect.provide(ValkeyServer.layer()))
      expect(processExists(pid)).toBe(false)
    })
  )
})
