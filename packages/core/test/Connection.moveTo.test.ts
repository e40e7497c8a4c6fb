/**
 * `Connection.moveTo`, the hook the Sentinel client uses on a failover: a written request
 * fails (never re-sent), queued ones go to the new node, and a connection that was waiting out
 * its reconnect backoff against a dead node moves at once.
 */
import { assert, expect, it } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Exit, Fiber, Schedule } from "effect"
import { Command, Reply, ValkeyConfig } from "../src/index.ts"
import { Connection } from "../src/internal.ts"

const get = (key: string) => Command.make(["GET", key], Reply.nullableString, { keys: 1 })

it.live("moveTo: later commands go to the new node; a command in flight fails and is not re-sent", () =>
  Effect.gen(function* () {
    const a = yield* ValkeyServer.make()
    const b = yield* ValkeyServer.make()
    yield* a.command(["SET", "where", "a"])
    yield* b.command(["SET", "where", "b"])
    const { connection: options } = yield* ValkeyConfig.resolve({ port: a.port })
    const connection = yield* Connection.make(options)
    expect(yield* connection.send(get("where"))).toBe("a")
    // A request the old node holds (paused) is written: it must fail, not move.
    yield* a.pause
    const held = yield* Effect.forkChild(connection.send(get("where")), { startImmediately: true })
    yield* Effect.sleep("50 millis")
    connection.moveTo(b.host, b.port)
    const heldExit = yield* Fiber.await(held)
    assert.isTrue(Exit.isFailure(heldExit))
    expect(String(Exit.isFailure(heldExit) && heldExit.cause)).toContain("ConnectionError")
    expect(connection.address).toBe(b.address)
    expect(yield* connection.send(get("where"))).toBe("b")
    yield* a.resume
  }).pipe(Effect.scoped)
)

it.live("moveTo away from a dead node does not wait out the reconnect backoff", () =>
  Effect.gen(function* () {
    const a = yield* ValkeyServer.make()
    const b = yield* ValkeyServer.make()
    yield* b.command(["SET", "where", "b"])
    const { connection: resolved } = yield* ValkeyConfig.resolve({ port: a.port, requestTimeout: "10 seconds" })
    // A backoff far longer than the test's timeout: only moveTo can bring the connection back in time.
    const connection = yield* Connection.make({ ...resolved, reconnect: Schedule.spaced("1 minute") })
    yield* a.kill
    yield* Effect.sleep("100 millis")
    const queued = yield* Effect.forkChild(connection.send(get("where")), { startImmediately: true })
    yield* Effect.sleep("100 millis")
    connection.moveTo(b.host, b.port)
    expect(yield* Fiber.join(queued)).toBe("b")
  }).pipe(Effect.scoped)
)
