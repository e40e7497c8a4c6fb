import { assert, describe, it } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Redacted } from "effect"
import { ValkeyStandalone } from "../src/index.ts"

const connectionsReceived = (server: ValkeyServer["Service"]) =>
  Effect.map(server.command(["INFO", "stats"]), (info) =>
    Number(/total_connections_received:(\d+)/.exec(String(info))![1])
  )

describe("authentication", () => {
  it.live("password and ACL users", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({
        password: "s3cret-default",
        users: [{ name: "reader", password: "r3ader", rules: "+get +ping +client ~* &*" }]
      })
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, password: Redacted.make("s3cret-default") })
      assert.strictEqual(yield* valkey.set("k", "v"), "OK")
      const reader = yield* ValkeyStandalone.make({ port: server.port, username: "reader", password: "r3ader" })
      assert.strictEqual(yield* reader.valkey.get("k"), "v")
      // A missing permission is a typed NOPERM error, and the connection goes on working.
      const denied = yield* Effect.flip(reader.valkey.set("k", "w"))
      assert.strictEqual(denied._tag, "ReplyError")
      if (denied._tag === "ReplyError") assert.strictEqual(denied.code, "NOPERM")
      assert.strictEqual(yield* reader.valkey.get("k"), "v")
    })
  )

  it.live("a wrong password fails the layer with AuthError at once, without a reconnect storm", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ password: "right-one" })
      const before = yield* connectionsReceived(server)
      const error = yield* Effect.flip(ValkeyStandalone.make({ port: server.port, password: "wrong-one" }))
      assert.strictEqual(error._tag, "AuthError")
      assert.notInclude(error.message, "wrong-one")
      assert.notInclude(error.message, "right-one")
      yield* Effect.sleep("300 millis")
      // One attempt, plus the admin connection of `connectionsReceived` itself.
      assert.isAtMost((yield* connectionsReceived(server)) - before, 2)
    })
  )

  it.live("password rotation: reconnects with the new password without a failed call", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ users: [{ name: "app", password: "old-pass" }] })
      const { valkey } = yield* ValkeyStandalone.make({
        port: server.port,
        username: "app",
        password: "old-pass",
        clientName: "rotating"
      })
      assert.strictEqual(yield* valkey.set("before", "1"), "OK")
      yield* server.command(["ACL", "SETUSER", "app", "resetpass", ">new-pass"])
      yield* valkey.updatePassword(Redacted.make("new-pass"))
      yield* server.command(["CLIENT", "KILL", "USER", "app"])
      yield* Effect.sleep("200 millis")
      const results = yield* Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        (i) => valkey.echo(`x${i}`),
        {
          concurrency: "unbounded"
        }
      )
      assert.strictEqual(results.length, 100)
      const list = String(yield* server.command(["CLIENT", "LIST"]))
      assert.include(
        list.split("\n").find((l) => l.includes("name=rotating")),
        "user=app"
      )
    })
  )

  it.live("immediate re-authentication on open connections", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ users: [{ name: "app", password: "pass-1" }] })
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, username: "app", password: "pass-1" })
      yield* server.command(["ACL", "SETUSER", "app", "resetpass", ">pass-2"])
      yield* valkey.updatePassword("pass-2", { immediateAuth: true })
      // A wrong immediate password is refused by the server as a typed error.
      const refused = yield* Effect.flip(valkey.updatePassword("pass-3", { immediateAuth: true }))
      assert.strictEqual(refused._tag, "AuthError")
      assert.notInclude(refused.message, "pass-3")
      assert.strictEqual(yield* valkey.ping(), "PONG")
      // The refused password was not kept: a reconnect still authenticates with pass-2.
      yield* server.command(["CLIENT", "KILL", "USER", "app"])
      // Let the client see the close first: a call written into the dying socket fails by design.
      yield* Effect.sleep("200 millis")
      assert.strictEqual(yield* valkey.ping(), "PONG")
    })
  )

  it.live("immediate re-authentication reaches every open connection: shared, dedicated and pooled", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ users: [{ name: "app", password: "pass-1" }] })
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, username: "app", password: "pass-1" })
      const authCalls = Effect.map(server.command(["INFO", "commandstats"]), (info) =>
        Number(/cmdstat_auth:calls=(\d+)/.exec(String(info))?.[1] ?? 0)
      )
      // One pooled connection (the BLPOP's) and one dedicated one are open besides the shared one.
      assert.strictEqual(yield* valkey.blpop(["auth:none"], 0.01), null)
      const own = yield* valkey.dedicated
      assert.strictEqual(yield* own.ping(), "PONG")
      const before = yield* authCalls
      yield* server.command(["ACL", "SETUSER", "app", "resetpass", ">pass-2"])
      yield* valkey.updatePassword("pass-2", { immediateAuth: true })
      assert.strictEqual((yield* authCalls) - before, 3)
      // The pooled connection was re-authenticated, not dropped: a later blocking call still works.
      assert.strictEqual(yield* valkey.blpop(["auth:none"], 0.01), null)
      assert.strictEqual(yield* own.ping(), "PONG")
    })
  )
})

describe("TLS", () => {
  it.live("verifies the server against the given CA; a wrong CA fails with ConnectionError", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ tls: true })
      const other = yield* ValkeyServer.make({ tls: true })
      const tls = server.tls!
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, tls: { ca: tls.ca } })
      assert.strictEqual(yield* valkey.ping(), "PONG")
      const wrong = yield* Effect.flip(ValkeyStandalone.make({ port: server.port, tls: { ca: other.tls!.ca } }))
      assert.strictEqual(wrong._tag, "ConnectionError")
      const systemCas = yield* Effect.flip(ValkeyStandalone.make({ port: server.port, tls: true }))
      assert.strictEqual(systemCas._tag, "ConnectionError")
    })
  )

  it.live("mutual TLS with a client certificate", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ tls: true, tlsAuthClients: true })
      const tls = server.tls!
      const { valkey } = yield* ValkeyStandalone.make({
        url: `valkeys://127.0.0.1:${server.port}`,
        tls: { ca: tls.ca, cert: tls.cert, key: Redacted.make(tls.key) }
      })
      assert.strictEqual(yield* valkey.echo("mtls"), "mtls")
      const noCert = yield* Effect.flip(
        ValkeyStandalone.make({ port: server.port, tls: { ca: tls.ca }, connectTimeout: 2000 }).pipe(
          Effect.flatMap(({ valkey }) => valkey.ping())
        )
      )
      assert.oneOf(noCert._tag, ["ConnectionError"])
    })
  )
})
