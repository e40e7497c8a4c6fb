/**
 * Client-side caching: reads answered from memory, invalidated by the server (CLIENT
 * TRACKING). See docs/client-side-caching.md.
 *
 *   node --conditions=source examples/client-side-caching.ts
 *
 * Starts a throwaway valkey-server on a free loopback port and stops it at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer, type ValkeyServerHandle } from "@effect-valkey/testkit"
import { Console, Effect } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`   ${label.padEnd(52)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

/** GETs the server has run so far: a cache hit adds none. */
const serverGets = (server: ValkeyServerHandle) =>
  Effect.map(server.command(["INFO", "commandstats"]), (info) =>
    Number(/cmdstat_get:calls=(\d+)/.exec(String(info))?.[1] ?? 0)
  )

const program = (server: ValkeyServerHandle) =>
  Effect.gen(function* () {
    const { cache, valkey } = yield* ValkeyStandalone.make({ port: server.port, cache: { maxEntries: 10_000 } })
    const { valkey: other } = yield* ValkeyStandalone.make({ port: server.port })

    yield* Console.log("── a hit costs no round trip")
    yield* other.set("greeting", "hello")
    yield* show("get('greeting')", yield* valkey.get("greeting"))
    const before = yield* serverGets(server)
    for (let i = 0; i < 1000; i++) yield* valkey.get("greeting")
    yield* show("GETs the server ran for 1,000 more reads", (yield* serverGets(server)) - before)

    yield* Console.log("── another client's write: the server invalidates the entry")
    yield* other.set("greeting", "bonjour")
    yield* Effect.sleep("50 millis")
    yield* show("get('greeting') after the invalidation", yield* valkey.get("greeting"))

    yield* Console.log("── this client's own write is seen at once (read-your-writes)")
    yield* valkey.set("greeting", "hallo")
    yield* show("get('greeting') right after set", yield* valkey.get("greeting"))

    yield* Console.log("── concurrent misses of one key send one request")
    const misses = (yield* cache.stats).misses
    yield* Effect.all(
      Array.from({ length: 100 }, () => valkey.hgetall("profile:1")),
      { concurrency: "unbounded" }
    )
    yield* show("cache misses for 100 concurrent reads of profile:1", (yield* cache.stats).misses - misses)

    yield* Console.log("── stats, and invalidate by hand")
    yield* show("stats", yield* cache.stats)
    yield* cache.invalidate(["profile:1"])
    yield* show("entries after invalidate(['profile:1'])", (yield* cache.stats).entries)
  }).pipe(Effect.scoped)

const main = Effect.gen(function* () {
  const server = yield* ValkeyServer.make()
  yield* Console.log(`server up at ${server.address}`)
  yield* program(server)
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
