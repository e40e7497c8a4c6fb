/**
 * A server on the IPv6 loopback (`::1`), reached by host and by URL (`valkey://[::1]:port`);
 * a Sentinel topology there, its sentinels given as `[::1]:port`.
 */
import { assert, layer } from "@effect/vitest"
import { ValkeyServer, ValkeyTestSentinel } from "@effect-valkey/testkit"
import { Effect, Exit } from "effect"
import { ValkeySentinel, ValkeyStandalone } from "../src/index.ts"
import { eventually, roleOf } from "./support.ts"

layer(ValkeyServer.layer({ host: "::1" }), { excludeTestServices: true })("a server on ::1", (it) => {
  it.effect("by host and by URL: commands, and the peer the server sees is ::1", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      assert.match(server.url, /^valkey:\/\/\[::1\]:\d+$/)
      const byHost = yield* ValkeyStandalone.make({ host: "::1", port: server.port, clientName: "v6host" })
      const byUrl = yield* ValkeyStandalone.make({ url: server.url, clientName: "v6url" })
      assert.strictEqual(yield* byHost.valkey.set("v6", "yes"), "OK")
      assert.strictEqual(yield* byUrl.valkey.get("v6"), "yes")
      const list = String(yield* server.command(["CLIENT", "LIST"]))
      for (const name of ["v6host", "v6url"]) {
        const line = list.split("\n").find((l) => l.includes(` name=${name} `))
        assert.match(line ?? "", / addr=\[?::1\]?:\d+ /, name)
      }
    })
  )
})

layer(ValkeyTestSentinel.layer({ host: "::1", replicas: 1 }), { excludeTestServices: true, timeout: "90 seconds" })(
  "Sentinel on ::1",
  (it) => {
    it.effect("finds the primary from [::1]:port sentinels, reads from the replica, follows a failover", () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel
        const before = yield* topology.awaitPrimary()
        const { sentinel, valkey } = yield* ValkeySentinel.make({
          sentinels: topology.sentinelAddresses.map((s) => `[${s.host}]:${s.port}`),
          name: topology.name,
          readFrom: "preferReplica",
          checkInterval: "200 millis"
        })
        assert.deepStrictEqual(
          { host: sentinel.primary().host, port: sentinel.primary().port },
          { host: "::1", port: before.port }
        )
        const role = (readonly: boolean) => roleOf(valkey, readonly)
        assert.strictEqual(yield* role(false), "master")
        assert.strictEqual(yield* role(true), "slave")
        yield* valkey.set("v6:sentinel", "1")
        assert.isAtLeast(yield* valkey.wait(1, 1000), 1)
        // The testkit takes the client's spelling of the address ([::1]:port) for `not`: before
        // the failover no other primary comes.
        const early = yield* Effect.exit(
          topology.awaitPrimary({ not: sentinel.primary().address, timeout: "300 millis" })
        )
        assert.isTrue(Exit.isFailure(early))
        yield* topology.failover
        const after = yield* topology.awaitPrimary({ not: sentinel.primary().address })
        assert.notStrictEqual(after.port, before.port)
        yield* eventually(Effect.sync(sentinel.primary), (p) => p.port === after.port, "the client to move")
        yield* eventually(Effect.exit(valkey.set("v6:sentinel", "2")), Exit.isSuccess, "a write on the new primary")
        assert.strictEqual(yield* after.command(["GET", "v6:sentinel"]), "2")
      }).pipe(Effect.scoped)
    )
  }
)
