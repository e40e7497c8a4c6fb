/**
 * A server on the IPv6 loopback (`::1`), reached by host and by URL (`valkey://[::1]:port`).
 */
import { assert, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { ValkeyStandalone } from "../src/index.ts"

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
