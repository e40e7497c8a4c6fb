/**
 * `npm start`: a tour of effect-valkey against throwaway local servers started by the testkit:
 * one standalone server, then a 3-primary cluster. They are stopped again at the end, also on
 * Ctrl-C. Each step prints what it does and what came back.
 *
 * JSON and Search run when their modules are found: paths in VALKEY_MODULES (colon-separated,
 * e.g. VALKEY_MODULES=/usr/lib/valkey/libjson.so:/usr/lib/valkey/libsearch.so), or the builds
 * in a shared/modules/ folder beside the project (see the testkit's Modules).
 */

import { NodeRuntime } from "@effect/platform-node"
import { ClusterRouter, ClusterScan, type ClusterScanCursor, Slot, ValkeyCluster } from "@effect-valkey/cluster"
import { Valkey, ValkeyStandalone } from "@effect-valkey/core"
import { Json } from "@effect-valkey/json"
import { PubSub } from "@effect-valkey/pubsub"
import { Field, Query, Search, Vector } from "@effect-valkey/search"
import { type AdminReply, Modules, ValkeyServer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Console, Effect, Fiber, Layer, Redacted, Schema, Stream } from "effect"

const part = (title: string) => Console.log(`\n━━ ${title}`)
const step = (title: string) => Console.log(`\n── ${title}`)
const show = (label: string, value: unknown) =>
  Console.log(`   ${label.padEnd(40)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

// ── Standalone ──────────────────────────────────────────────────────────────────────────────

const typedCommands = Effect.gen(function* () {
  yield* step("Typed commands: every reply has a type, every error a tag")
  const valkey = yield* Valkey
  yield* show("set('greeting', 'hello')", yield* valkey.set("greeting", "hello"))
  yield* show("get('greeting')", yield* valkey.get("greeting"))
  yield* show("get('missing')", yield* valkey.get("missing"))
  yield* show("set(…, { condition: 'NX' })", yield* valkey.set("greeting", "again", { condition: "NX" }))
  yield* show("mset / mget", yield* valkey.mset({ a: "1", b: "2" }).pipe(Effect.andThen(valkey.mget(["a", "b", "c"]))))
  yield* show(
    "hset / hgetall",
    yield* valkey.hset("user:1", { name: "Ada", visits: 3 }).pipe(Effect.andThen(valkey.hgetall("user:1")))
  )
  yield* show("incrBy('visits', 5)", yield* valkey.incrBy("visits", 5))
  const wrongType = yield* Effect.flip(valkey.incr("user:1"))
  yield* show("incr on a hash fails with", `${wrongType._tag}: ${wrongType.message}`)
  const invalid = yield* Effect.flip(valkey.set("k", "v", { ex: 10, px: 10 }))
  yield* show("bad options, caught before sending", `${invalid._tag}: ${invalid.message}`)
})

const customCommand = Effect.gen(function* () {
  yield* step("Custom command: anything the server knows, decoded with a Schema if you like")
  const valkey = yield* Valkey
  yield* show("custom(['OBJECT','ENCODING','visits'])", yield* valkey.custom(["OBJECT", "ENCODING", "visits"]))
  const count = yield* valkey.custom(["HLEN", "user:1"], { schema: Schema.Number })
  yield* show("custom(['HLEN', …], Schema.Number)", count)
})

const multiplexing = Effect.gen(function* () {
  yield* step("One multiplexed connection: 10,000 calls from 1,000 fibers, auto-pipelined")
  const valkey = yield* Valkey
  const started = Date.now()
  const replies = yield* Effect.forEach(
    Array.from({ length: 10_000 }, (_, i) => i),
    (i) => valkey.echo(`m${i}`),
    { concurrency: 1000 }
  )
  const matched = replies.every((reply, i) => reply === `m${i}`)
  yield* show("replies matched to their callers", `${matched} (${Date.now() - started} ms)`)
})

const inflightLimit = (port: number) =>
  Effect.gen(function* () {
    yield* step("The inflight limit: past it, calls fail at once with a typed error (nothing queues)")
    const { valkey } = yield* ValkeyStandalone.make({ port, inflightLimit: 100 })
    const results = yield* Effect.forEach(
      Array.from({ length: 500 }, (_, i) => i),
      (i) => Effect.result(valkey.echo(`${i}`)),
      { concurrency: "unbounded" }
    )
    const rejected = results.filter((r) => r._tag === "Failure")
    yield* show(
      "500 concurrent calls at limit 100",
      `${results.length - rejected.length} succeeded, ${rejected.length} rejected`
    )
    const first = rejected[0]
    if (first?._tag === "Failure") yield* show("a rejection", `${first.failure._tag}: ${first.failure.message}`)
  }).pipe(Effect.scoped)

const passwordRotation = Effect.gen(function* () {
  yield* step("Password rotation without a restart (a second server, with an ACL user 'app')")
  const server = yield* ValkeyServer.make({ users: [{ name: "app", password: "first-password" }] })
  const { valkey } = yield* ValkeyStandalone.make({
    port: server.port,
    username: "app",
    password: Redacted.make("first-password")
  })
  yield* show("connected as", yield* valkey.aclWhoami())
  yield* server.command(["ACL", "SETUSER", "app", "resetpass", ">second-password"])
  yield* valkey.updatePassword(Redacted.make("second-password"))
  yield* show("server rotated; client updated", "(the secret never appears in logs or errors)")
  yield* server.command(["CLIENT", "KILL", "USER", "app"])
  yield* Effect.sleep("200 millis")
  yield* show("connection killed; next call reconnects", yield* valkey.echo("still here"))
}).pipe(Effect.scoped)

/** The names in a `MODULE LIST` reply (`[[name, json, ver, …], …]`). */
const moduleNames = (reply: AdminReply): Array<string> =>
  (Array.isArray(reply) ? reply : []).flatMap((module: AdminReply) => {
    if (!Array.isArray(module)) return []
    const i = module.indexOf("name")
    return i >= 0 && typeof module[i + 1] === "string" ? [module[i + 1] as string] : []
  })

const json = Effect.gen(function* () {
  yield* step("JSON (valkey-json): commands are values, replies decoded, optionally with a Schema")
  const valkey = yield* Valkey
  const User = Schema.Struct({ name: Schema.String, visits: Schema.Number })
  yield* show("Json.set('doc:ada', '$', {…})", yield* valkey.run(Json.set("doc:ada", "$", { name: "Ada", visits: 3 })))
  yield* show("Json.numIncrBy('$.visits', 1)", yield* valkey.run(Json.numIncrBy("doc:ada", "$.visits", 1)))
  yield* show("Json.get('.', { schema: User })", yield* valkey.run(Json.get("doc:ada", ".", { schema: User })))
})

const search = Effect.gen(function* () {
  yield* step("Search (valkey-search): an index on hashes, and a vector (KNN) query")
  const valkey = yield* Valkey
  const index = Search.index("tour-docs")
    .on("HASH")
    .prefix("tour:doc:")
    .schema({ color: Field.tag(), embedding: Field.vector.hnsw({ dim: 2, metric: "L2" }) })
  yield* show("Search.create(tour-docs)", yield* valkey.run(Search.create(index)))
  for (const [key, color, vector] of [
    ["tour:doc:1", "red", [0, 0]],
    ["tour:doc:2", "red", [1, 1]],
    ["tour:doc:3", "blue", [0.1, 0.1]]
  ] as const) {
    yield* valkey.hset(key, [
      ["color", color],
      ["embedding", Vector.toBytes(vector)]
    ])
  }
  yield* Effect.sleep("500 millis") // indexing is asynchronous
  const nearest = Query.knn({ field: "embedding", k: 2, vector: [0.1, 0.1] })
  yield* show("search(knn 2 of [0.1, 0.1])", yield* valkey.run(Search.search("tour-docs", nearest)))
})

/** JSON and Search when the server loaded their modules; a line saying so otherwise. */
const modules = (server: ValkeyServer["Service"]) =>
  Effect.gen(function* () {
    const loaded = moduleNames(yield* server.command(["MODULE", "LIST"]))
    if (loaded.some((name) => /json/i.test(name))) yield* json
    else yield* step("JSON: skipped, no valkey-json module loaded (add its path to VALKEY_MODULES)")
    if (loaded.some((name) => /search/i.test(name))) yield* search
    else yield* step("Search: skipped, no valkey-search module loaded (add its path to VALKEY_MODULES)")
  })

// ── Cluster ─────────────────────────────────────────────────────────────────────────────────

const multiSlot = Effect.gen(function* () {
  yield* step("Multi-slot MSET/MGET: split by slot, sent to each owner, put back in key order")
  const valkey = yield* Valkey
  const router = yield* ClusterRouter.ClusterRouter
  const keys = ["apple", "fig", "kiwi", "plum"]
  for (const key of keys) {
    const slot = Slot.slotOf(key)
    yield* show(`  '${key}'`, `slot ${slot} on ${router.topology().shardOfSlot(slot)?.primary.address}`)
  }
  yield* show("mset({ apple, fig, kiwi, plum })", yield* valkey.mset(keys.map((k) => [k, `${k}!`] as const)))
  yield* show("mget([plum, missing, fig])", yield* valkey.mget(["plum", "missing", "fig"]))
  const cross = yield* Effect.flip(valkey.rename("apple", "kiwi"))
  yield* show("rename(apple, kiwi) across slots", `${cross._tag}, refused before sending`)
})

const KEYS = 20_000

const clusterScan = Effect.gen(function* () {
  yield* step(`Cluster scan: ${KEYS.toLocaleString("en")} keys, one page per step, a cursor you keep`)
  const valkey = yield* Valkey
  for (let start = 0; start < KEYS; start += 2000) {
    yield* valkey.mset(Array.from({ length: 2000 }, (_, i) => [`tour:scan:${start + i}`, "x"] as const))
  }
  const router = yield* ClusterRouter.ClusterRouter
  const live = process.stdout.isTTY === true
  const progress = (found: number, cursor: ClusterScanCursor) =>
    `keys found ${String(found).padStart(6)}, slots covered ${String(ClusterScan.slotsDone(cursor)).padStart(5)} / 16384`
  let cursor: ClusterScanCursor | undefined = ClusterScan.start
  let found = 0
  let pages = 0
  while (cursor !== undefined) {
    const [keys, next]: readonly [ReadonlyArray<string>, ClusterScanCursor | undefined] = yield* ClusterScan.step(
      router,
      cursor,
      { match: "tour:scan:*", count: 500 }
    )
    found += keys.length
    pages++
    // Slots count as covered when a node's pass ends: a line per finished pass. On a terminal,
    // the line in progress is also redrawn after every page (paced so it can be watched).
    const node = cursor.pass === undefined ? "" : `${cursor.pass.host}:${cursor.pass.port}`
    if (next !== undefined && next.pass === undefined) {
      const line = `   ${progress(found, next)}  (pass on ${node} done)`
      yield* Console.log(live ? `\r${line.padEnd(90)}` : line)
    } else if (next !== undefined && live) {
      process.stdout.write(`\r   ${progress(found, next)}  (scanning ${next.pass?.host}:${next.pass?.port})`)
      yield* Effect.sleep("15 millis")
    }
    cursor = next
  }
  yield* show("done", `${found} keys found in ${pages} pages, all 16384 slots covered`)
})

const pubsub = Effect.gen(function* () {
  yield* step("Pub/sub: a subscription is a Stream; events say where each one lives")
  const pubsub = yield* PubSub.PubSub
  // Listen to the events first, and wait for the stream's subscription to be confirmed.
  const subscribed = yield* pubsub.events.pipe(
    Stream.filter((event) => event._tag === "Subscribed"),
    Stream.take(1),
    Stream.runCollect,
    Effect.forkChild
  )
  yield* Effect.yieldNow
  const reader = yield* pubsub.subscribe("tour:news").pipe(
    Stream.take(3),
    Stream.map((message) => message.payload),
    Stream.runCollect,
    Effect.forkChild
  )
  for (const event of yield* Fiber.join(subscribed)) {
    yield* show(`event ${event._tag}`, `${event.kind} ${event.name} on ${event.node} (owner of its slot)`)
  }
  for (const text of ["one", "two", "three"]) yield* pubsub.publish("tour:news", text)
  yield* show("subscribe('tour:news') took 3", yield* Fiber.join(reader))
  // A sharded channel lives on the shard that owns its slot: SSUBSCRIBE / SPUBLISH.
  const jobs = yield* pubsub.subscription("sharded", "tour:{jobs}")
  yield* show(
    "publish('tour:{jobs}', …, { sharded })",
    yield* pubsub.publish("tour:{jobs}", "job 1", { sharded: true })
  )
  const job = yield* jobs.take
  yield* show("ssubscribe('tour:{jobs}') got", `${job.kind} ${job.payload}`)
}).pipe(Effect.scoped)

// ── The tour ────────────────────────────────────────────────────────────────────────────────

const program = Effect.gen(function* () {
  yield* Console.log("effect-valkey tour: throwaway servers on free loopback ports, stopped at the end.")

  yield* part("A standalone server")
  // The JSON and Search parts run when the testkit finds their modules (VALKEY_MODULES or shared/modules/).
  const found = [
    Modules.moduleFromEnv("json", "VALKEY_JSON_MODULE"),
    Modules.moduleFromEnv("search", "VALKEY_SEARCH_MODULE")
  ]
  const server = yield* ValkeyServer.make({ modules: [...new Set(found.flatMap((lookup) => lookup.modules))] })
  yield* Console.log(`server up at ${server.address}`)
  const client = ValkeyStandalone.layer({ port: server.port, clientName: "tour" })
  yield* Effect.provide(Effect.all([typedCommands, customCommand, multiplexing, modules(server)]), client)
  yield* inflightLimit(server.port)
  yield* passwordRotation

  yield* part("A cluster: 3 primaries, no replicas")
  const cluster = yield* ValkeyTestCluster.make({ primaries: 3, replicasPerPrimary: 0 })
  yield* Console.log(`cluster up: ${cluster.seeds.join(", ")}`)
  const config = { seeds: [cluster.seeds[0]!] }
  const clusterClient = PubSub.layer().pipe(Layer.provideMerge(ValkeyCluster.layer(config)))
  yield* Effect.provide(Effect.all([multiSlot, clusterScan, pubsub]), clusterClient)

  yield* Console.log("\nDone. Stopping the servers; nothing is left running.")
}).pipe(Effect.scoped)

NodeRuntime.runMain(program)
