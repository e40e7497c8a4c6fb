import { assert, describe, it, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Exit, Fiber } from "effect"
import { Command, Reply } from "../src/index.ts"
import { client } from "./support.ts"

const blpop = (key: string, seconds: number) =>
  Command.make(["BLPOP", key, seconds], Reply.nullable(Reply.array(Reply.string)), {
    keys: 1,
    blockMillis: seconds * 1000
  })

// Real clock: these tests wait for real servers.
layer(ValkeyServer.layer(), { excludeTestServices: true })("Connection on a shared server", (it) => {
  it.effect("concurrent callers are pipelined and each gets its own reply", () =>
    Effect.gen(function* () {
      const v = yield* client()
      const replies = yield* Effect.forEach(
        Array.from({ length: 1000 }, (_, i) => `m${i}`),
        (m) => v.echo(m),
        {
          concurrency: "unbounded"
        }
      )
      assert.deepStrictEqual(
        replies,
        Array.from({ length: 1000 }, (_, i) => `m${i}`)
      )
    })
  )

  it.effect("inflight limit: exactly the excess is rejected at once, later requests work", () =>
    Effect.gen(function* () {
      const v = yield* client({ inflightLimit: 1000 })
      const results = yield* Effect.forEach(
        Array.from({ length: 5000 }, (_, i) => i),
        (i) => Effect.result(v.echo(String(i))),
        { concurrency: "unbounded" }
      )
      const ok = results.filter((r) => r._tag === "Success")
      const rejected = results.filter((r) => r._tag === "Failure")
      assert.strictEqual(ok.length, 1000)
      assert.strictEqual(rejected.length, 4000)
      for (const r of rejected) if (r._tag === "Failure") assert.strictEqual(r.failure._tag, "InflightLimitError")
      // The accepted ones are the first 1,000, each with its own reply.
      for (let i = 0; i < 1000; i++) {
        const r = results[i]!
        assert.isTrue(r._tag === "Success" && r.success === String(i))
      }
      assert.strictEqual(yield* v.echo("after"), "after")
    })
  )

  it.effect("interrupting 1,000 in-flight calls never desynchronises the replies", () =>
    Effect.gen(function* () {
      const v = yield* client({ inflightLimit: 5000 })
      // Forked sequentially so every call is a child of the test fiber, not of a forEach worker.
      const fibers = yield* Effect.forEach(
        Array.from({ length: 2000 }, (_, i) => i),
        (i) => Effect.forkChild(v.echo(`i${i}`))
      )
      const victims = new Set<number>()
      while (victims.size < 1000) victims.add(Math.floor(Math.random() * fibers.length))
      yield* Effect.forEach(victims, (i) => Fiber.interrupt(fibers[i]!), { concurrency: "unbounded", discard: true })
      const survivors = yield* Effect.forEach(
        fibers.map((f, i) => [f, i] as const).filter(([, i]) => !victims.has(i)),
        ([f, i]) => Effect.map(Fiber.await(f), (exit) => [exit, i] as const)
      )
      for (const [exit, i] of survivors) assert.deepStrictEqual(exit, Exit.succeed(`i${i}`))
      const following = yield* Effect.forEach(
        Array.from({ length: 10_000 }, (_, i) => i),
        (i) => Effect.map(v.echo(`f${i}`), (reply) => reply === `f${i}`),
        { concurrency: 500 }
      )
      assert.strictEqual(following.filter((ok) => ok).length, 10_000)
    })
  )

  it.effect("RESP3 push frames go to the push handler, never to a caller", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const { ValkeyConfig, Commands } = yield* Effect.promise(() => import("../src/index.ts"))
      const { Connection } = yield* Effect.promise(() => import("../src/internal.ts"))
      const resolved = yield* ValkeyConfig.resolve({ port: server.port })
      const conn = yield* Connection.make(resolved.connection)
      const pushes: Array<unknown> = []
      conn.setPushHandler((push) => pushes.push(push.data[0]))
      yield* conn.send(Command.make(["CLIENT", "TRACKING", "ON"], Reply.ok))
      yield* conn.send(Commands.strings.set("tracked", "1"))
      assert.strictEqual(yield* conn.send(Commands.strings.get("tracked")), "1")
      yield* server.command(["SET", "tracked", "2"])
      // The invalidation push arrives before this reply; the reply still matches its request.
      assert.strictEqual(yield* conn.send(Commands.connection.echo("after-push")), "after-push")
      assert.deepStrictEqual(pushes, ["invalidate"])
    })
  )

  it.effect("the handshake sets the client name, database and library name", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const v = yield* client({ clientName: "tour-client", database: 3 })
      yield* v.set("in-db-3", "yes")
      assert.strictEqual(yield* v.clientGetName(), "tour-client")
      const list = String(yield* server.command(["CLIENT", "LIST"]))
      const line = list.split("\n").find((l) => l.includes("name=tour-client"))!
      assert.include(line, "db=3")
      assert.include(line, "lib-name=effect-valkey")
      assert.include(line, "resp=3")
      assert.strictEqual(
        yield* server
          .pipeline([
            ["SELECT", "3"],
            ["GET", "in-db-3"]
          ])
          .pipe(Effect.map((r) => r[1])),
        "yes"
      )
    })
  )

  it.effect("RESP2 when asked", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const v = yield* client({ protocol: 2, clientName: "resp2-client" })
      assert.strictEqual(yield* v.ping(), "PONG")
      const list = String(yield* server.command(["CLIENT", "LIST"]))
      assert.include(
        list.split("\n").find((l) => l.includes("name=resp2-client")),
        "resp=2"
      )
    })
  )

  it.effect("a blocking command gets its own block time plus a margin, not the request timeout", () =>
    Effect.gen(function* () {
      const v = yield* client({ requestTimeout: 100, blockingMargin: 500 })
      assert.strictEqual(yield* v.run(blpop("empty-list", 1)), null)
    })
  )

  it.effect("closing the client fails pending and later calls with ClosedError", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const { ValkeyConfig } = yield* Effect.promise(() => import("../src/index.ts"))
      const { Connection } = yield* Effect.promise(() => import("../src/internal.ts"))
      const resolved = yield* ValkeyConfig.resolve({ port: server.port })
      const conn = yield* Connection.make(resolved.connection)
      const pending = yield* Effect.forkChild(conn.send(blpop("never", 0)))
      yield* Effect.sleep("50 millis")
      yield* conn.close
      const error = yield* Effect.flip(Fiber.join(pending))
      assert.strictEqual(error._tag, "ClosedError")
      const later = yield* Effect.flip(conn.send(Command.make(["PING"], Reply.string)))
      assert.strictEqual(later._tag, "ClosedError")
    })
  )

  it.effect("a killed connection fails in-flight calls with ConnectionError and reconnects", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const { ValkeyConfig, Commands } = yield* Effect.promise(() => import("../src/index.ts"))
      const { Connection } = yield* Effect.promise(() => import("../src/internal.ts"))
      const resolved = yield* ValkeyConfig.resolve({ port: server.port, clientName: "victim" })
      // One connection for both calls: once its BLPOP has failed, it has seen the loss, so
      // the next call waits for the reconnect instead of racing the close.
      const conn = yield* Connection.make(resolved.connection)
      const inflight = yield* Effect.forkChild(conn.send(blpop("kill-me", 0)))
      yield* Effect.sleep("100 millis")
      yield* server.command(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])
      const error = yield* Effect.flip(Fiber.join(inflight))
      assert.strictEqual(error._tag, "ConnectionError")
      // Not re-sent: the BLPOP that was in flight is gone, and the connection works again.
      assert.strictEqual(yield* conn.send(Commands.connection.echo("back")), "back")
      assert.strictEqual(yield* conn.send(Commands.connection.clientGetName()), "victim")
      const clients = String(yield* server.command(["CLIENT", "LIST"]))
      assert.notInclude(clients, "cmd=blpop")
    })
  )
})

describe("Connection faults (own servers)", () => {
  it.live("a server with no room refuses the connection with a typed error that says why", () =>
    // Valkey writes the refusal as soon as it accepts, before the client says anything: the
    // socket must not read it before the handshake waits for it.
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ config: { maxclients: 1 } })
      const first = yield* client().pipe(Effect.provideService(ValkeyServer, server))
      assert.strictEqual(yield* first.echo("in"), "in")
      const refused = yield* Effect.flip(client().pipe(Effect.provideService(ValkeyServer, server)))
      assert.strictEqual(refused._tag, "ConnectionError")
      assert.include(refused.message, "max number of clients")
      assert.strictEqual(yield* first.echo("still in"), "still in")
    })
  )

  it.live("requests wait through a server restart and succeed after it", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const v = yield* client().pipe(Effect.provideService(ValkeyServer, server))
      yield* server.stop
      const waiting = yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: 100 }, (_, i) => i),
          (i) => v.echo(`r${i}`),
          { concurrency: "unbounded" }
        )
      )
      yield* Effect.sleep("300 millis")
      yield* server.start
      const replies = yield* Fiber.join(waiting)
      assert.deepStrictEqual(
        replies,
        Array.from({ length: 100 }, (_, i) => `r${i}`)
      )
    })
  )

  it.live("a paused server gives TimeoutError; after resume the connection is consistent", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const v = yield* client({ requestTimeout: 300 }).pipe(Effect.provideService(ValkeyServer, server))
      yield* server.pause
      const timedOut = yield* Effect.forEach(
        Array.from({ length: 50 }, (_, i) => i),
        (i) => Effect.flip(v.echo(`p${i}`)),
        {
          concurrency: "unbounded"
        }
      )
      for (const error of timedOut) assert.strictEqual(error._tag, "TimeoutError")
      yield* server.resume
      // The late replies to the timed-out calls are read and dropped: new calls match.
      const after = yield* Effect.forEach(
        Array.from({ length: 200 }, (_, i) => i),
        (i) => v.echo(`a${i}`),
        {
          concurrency: "unbounded"
        }
      )
      assert.deepStrictEqual(
        after,
        Array.from({ length: 200 }, (_, i) => `a${i}`)
      )
    })
  )

  it.live("commands written while the socket is backed up reach the server intact", () =>
    // While the server is paused the kernel buffers fill and writes stay pending in Node: the
    // writer must not reuse bytes a pending write still refers to (see CommandWriter.rewind).
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const v = yield* client().pipe(Effect.provideService(ValkeyServer, server))
      const value = (i: number) => String.fromCharCode(97 + (i % 26)).repeat(100_000 + i)
      yield* server.pause
      const writes = yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: 120 }, (_, i) => i),
          (i) => Effect.andThen(Effect.sleep(`${i % 12} millis`), v.set(`backed-up:${i}`, value(i))),
          { concurrency: "unbounded" }
        )
      )
      yield* Effect.sleep("300 millis")
      yield* server.resume
      yield* Fiber.join(writes)
      const values = yield* Effect.forEach(
        Array.from({ length: 120 }, (_, i) => i),
        (i) => v.get(`backed-up:${i}`),
        { concurrency: "unbounded" }
      )
      for (let i = 0; i < values.length; i++)
        assert.isTrue(values[i] === value(i), `backed-up:${i} came back different`)
    })
  )

  it.live("a request timeout of 0 means none", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const v = yield* client({ requestTimeout: 0 }).pipe(Effect.provideService(ValkeyServer, server))
      yield* server.pause
      const call = yield* Effect.forkChild(v.echo("patient"))
      yield* Effect.sleep("700 millis")
      assert.strictEqual(call.pollUnsafe(), undefined)
      yield* server.resume
      assert.strictEqual(yield* Fiber.join(call), "patient")
    })
  )

  it.live("the first connect fails with a ConnectionError when nothing listens", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      yield* server.kill
      const error = yield* Effect.flip(client().pipe(Effect.provideService(ValkeyServer, server)))
      assert.strictEqual(error._tag, "ConnectionError")
    })
  )
})
