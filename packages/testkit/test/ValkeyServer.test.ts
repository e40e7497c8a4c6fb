/**
 * Standalone servers: start-up defaults, options (password, ACL, TLS, mTLS, extra config,
 * persistence) and every fault operation, checked through the admin client.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AdminClient, ValkeyServer } from "../src/index.ts"
import { dirExists, processExists } from "./helpers.ts"

describe("ValkeyServer", () => {
  it.live("starts on a free loopback port without persistence and answers PING", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      expect(server.host).toBe("127.0.0.1")
      expect(server.port).not.toBe(6379)
      expect(server.url).toBe(`valkey://127.0.0.1:${server.port}`)
      expect(server.address).toBe(`127.0.0.1:${server.port}`)
      expect(server.status).toBe("running")
      expect(dirExists(server.dir)).toBe(true)
      expect(processExists(server.pid)).toBe(true)
      expect(yield* server.command(["PING"])).toBe("PONG")
      expect(yield* server.command(["CONFIG", "GET", "save"])).toEqual(["save", ""])
      expect(yield* server.command(["CONFIG", "GET", "appendonly"])).toEqual(["appendonly", "no"])
      expect(yield* server.command(["CONFIG", "GET", "dir"])).toEqual(["dir", server.dir])
      expect(yield* server.command(["DBSIZE"])).toBe(0)
    })
  )

  it.live("applies extra config given as lines or as a record", () =>
    Effect.gen(function* () {
      const lines = yield* ValkeyServer.make({ config: ["maxmemory-policy allkeys-lru", "hz 20"] })
      expect(yield* lines.command(["CONFIG", "GET", "maxmemory-policy"])).toEqual(["maxmemory-policy", "allkeys-lru"])
      expect(yield* lines.command(["CONFIG", "GET", "hz"])).toEqual(["hz", "20"])
      const record = yield* ValkeyServer.make({
        config: { "maxmemory-policy": "volatile-ttl", "lazyfree-lazy-expire": true }
      })
      expect(yield* record.command(["CONFIG", "GET", "maxmemory-policy"])).toEqual(["maxmemory-policy", "volatile-ttl"])
      expect(yield* record.command(["CONFIG", "GET", "lazyfree-lazy-expire"])).toEqual(["lazyfree-lazy-expire", "yes"])
    })
  )

  it.live("restart keeps the port and answers again", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { port, pid } = server
      yield* server.command(["SET", "k", "v"])
      yield* server.restart
      expect(server.port).toBe(port)
      expect(server.pid).not.toBe(pid)
      expect(processExists(pid)).toBe(false)
      expect(yield* server.command(["PING"])).toBe("PONG")
      // no persistence by default: the data is gone
      expect(yield* server.command(["GET", "k"])).toBeNull()
    })
  )

  it.live("persistence: true keeps data across a restart", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ persistence: true })
      yield* server.command(["SET", "k", "v"])
      yield* server.restart
      expect(yield* server.command(["GET", "k"])).toBe("v")
    })
  )

  it.live("kill refuses connections until start brings the server back on the same port", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { port, pid } = server
      yield* server.kill
      expect(server.status).toBe("stopped")
      expect(processExists(pid)).toBe(false)
      const error = yield* Effect.flip(server.command(["PING"]))
      assert.strictEqual(error._tag, "AdminConnectionError")
      expect(error._tag === "AdminConnectionError" ? error.code : undefined).toBe("ECONNREFUSED")
      yield* server.start
      expect(server.port).toBe(port)
      expect(server.status).toBe("running")
      expect(yield* server.command(["PING"])).toBe("PONG")
    })
  )

  it.live("pause stops replies, resume brings them back", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      yield* server.pause
      expect(server.status).toBe("paused")
      const error = yield* Effect.flip(server.command(["PING"], { timeout: "300 millis" }))
      expect(error._tag === "AdminConnectionError" ? error.code : error._tag).toBe("TIMEOUT")
      yield* server.resume
      expect(server.status).toBe("running")
      expect(yield* server.command(["PING"])).toBe("PONG")
    })
  )

  it.live("pause of a killed server is a typed error", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      yield* server.kill
      const error = yield* Effect.flip(server.pause)
      expect(error._tag).toBe("InvalidStateError")
    })
  )

  it.live("password: the admin client authenticates, wrong or missing credentials fail", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ password: "s3cret word" })
      expect(server.url).toBe(`valkey://default:s3cret%20word@127.0.0.1:${server.port}`)
      expect(yield* server.command(["PING"])).toBe("PONG")
      const noAuth = yield* Effect.flip(server.command(["PING"], { credentials: false }))
      expect(noAuth.message).toMatch(/NOAUTH/)
      const wrong = yield* Effect.flip(server.command(["PING"], { credentials: { password: "nope" } }))
      assert.strictEqual(wrong._tag, "AdminReplyError")
      expect(wrong.message).toMatch(/WRONGPASS/)
    })
  )

  it.live("ACL users can authenticate and are limited by their rules", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({
        users: [
          { name: "alice", password: "alice-pw" },
          { name: "reader", password: "reader-pw", rules: "+get ~cache:*" }
        ]
      })
      expect(
        yield* server.pipeline([
          ["AUTH", "alice", "alice-pw"],
          ["ACL", "WHOAMI"]
        ])
      ).toEqual(["OK", "alice"])
      const asAlice = { credentials: { user: "alice", password: "alice-pw" } }
      expect(yield* server.command(["SET", "cache:1", "x"], asAlice)).toBe("OK")
      const wrong = yield* Effect.flip(server.command(["PING"], { credentials: { user: "alice", password: "bad" } }))
      expect(wrong.message).toMatch(/WRONGPASS/)
      const asReader = { credentials: { user: "reader", password: "reader-pw" } }
      expect(yield* server.command(["GET", "cache:1"], asReader)).toBe("x")
      const denied = yield* Effect.flip(server.command(["SET", "cache:1", "y"], asReader))
      expect(denied.message).toMatch(/NOPERM/)
    })
  )

  it.live("tls: TLS-only port with generated CA and certificates", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ tls: true })
      const tls = server.tls!
      expect(server.url).toBe(`valkeys://127.0.0.1:${server.port}`)
      expect(tls.authClients).toBe(false)
      expect(tls.ca).toContain("BEGIN CERTIFICATE")
      expect(tls.cert).toContain("BEGIN CERTIFICATE")
      expect(tls.key).toContain("PRIVATE KEY")
      for (const file of [tls.caFile, tls.certFile, tls.keyFile, tls.serverCertFile, tls.serverKeyFile]) {
        expect(dirExists(file)).toBe(true)
      }
      expect(yield* server.command(["PING"])).toBe("PONG")
      expect(yield* server.command(["CONFIG", "GET", "port"])).toEqual(["port", "0"])
      // no client certificate needed without tlsAuthClients
      const caOnly = { host: server.host, port: server.port, tls: { ca: tls.ca } }
      expect(yield* AdminClient.command(caOnly, ["PING"])).toBe("PONG")
      // plaintext on the TLS port gets no valid reply
      const plain = yield* Effect.flip(
        AdminClient.command({ host: server.host, port: server.port }, ["PING"], { timeout: "1 second" })
      )
      expect(plain._tag).toBe("AdminConnectionError")
    })
  )

  it.live("tls with tlsAuthClients requires the client certificate (mutual TLS)", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ tls: true, tlsAuthClients: true, password: "pw" })
      const tls = server.tls!
      expect(tls.authClients).toBe(true)
      expect(yield* server.command(["PING"])).toBe("PONG")
      const withoutCert = { host: server.host, port: server.port, tls: { ca: tls.ca }, credentials: { password: "pw" } }
      const error = yield* Effect.flip(AdminClient.command(withoutCert, ["PING"], { timeout: "2 seconds" }))
      expect(error._tag).toBe("AdminConnectionError")
    })
  )

  it.live("leaves no process and no directory behind when the scope closes", () =>
    Effect.gen(function* () {
      const { pid, dir } = yield* Effect.scoped(
        Effect.map(ValkeyServer.make(), (server) => ({ pid: server.pid, dir: server.dir }))
      )
      expect(processExists(pid)).toBe(false)
      expect(dirExists(dir)).toBe(false)
    })
  )

  it.live("a paused server is still stopped when the scope closes", () =>
    Effect.gen(function* () {
      const pid = yield* Effect.scoped(
        Effect.gen(function* () {
          const server = yield* ValkeyServer.make({ stopTimeout: "200 millis" })
          yield* server.pause
          return server.pid
        })
      )
      expect(processExists(pid)).toBe(false)
    })
  )

  it.live("fails with a typed error showing the server log on a bad config", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.scoped(ValkeyServer.make({ config: ["no-such-directive yes"] })))
      assert.strictEqual(error._tag, "ServerStartError")
      expect(error.message).toMatch(/no-such-directive/)
    })
  )

  it.live("fails with a typed error when the binary does not exist", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.scoped(ValkeyServer.make({ binary: "/nonexistent/valkey-server" })))
      expect(error._tag).toBe("ServerStartError")
    })
  )
})
