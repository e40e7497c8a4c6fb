import { assert, describe, it } from "@effect/vitest"
import { collectingTracer, ValkeyServer } from "@effect-valkey/testkit"
import { ConfigProvider, Context, Effect, Fiber, Layer, Metric, Option, Tracer } from "effect"
import { Command, Observability, Reply, Valkey, ValkeyStandalone } from "../src/index.ts"
import type { ValkeyConfig } from "../src/ValkeyConfig.ts"

/** A client whose metrics go to a registry of its own. */
const clientWithRegistry = (port: number, config: ValkeyConfig) => {
  const registry: Metric.MetricRegistry = new Map()
  return Effect.map(
    Effect.provideService(ValkeyStandalone.make({ port, ...config }), Metric.MetricRegistry, registry),
    (client) => ({ ...client, registry })
  )
}

/** The state of one series: `id` with exactly `attributes`. */
const series = (registry: Metric.MetricRegistry, id: string, attributes: Record<string, string>) => {
  const context = Context.make(Metric.MetricRegistry, registry)
  const found = Metric.snapshotUnsafe(context).filter(
    (s) =>
      s.id === id &&
      JSON.stringify(Object.entries(s.attributes ?? {}).sort()) === JSON.stringify(Object.entries(attributes).sort())
  )
  assert.isAtMost(found.length, 1, `${id} ${JSON.stringify(attributes)}`)
  return found[0]?.state as
    | { readonly count: number; readonly sum: number; readonly max: number; readonly value: number }
    | undefined
}

const count = (registry: Metric.MetricRegistry, id: string, attributes: Record<string, string>): number =>
  series(registry, id, attributes)?.count ?? 0

const attributesOf = (span: Tracer.NativeSpan) => Object.fromEntries(span.attributes)

describe("observability", () => {
  it.live("off by default: no span, no metric", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { spans, tracer } = collectingTracer()
      const { valkey, registry } = yield* clientWithRegistry(server.port, {})
      yield* Effect.provideService(
        Effect.gen(function* () {
          yield* valkey.set("k", "v")
          yield* valkey.get("k")
          yield* valkey.batch([Command.make(["GET", "k"], Reply.nullableString)])
        }),
        Tracer.Tracer,
        tracer
      )
      assert.deepStrictEqual(spans, [])
      assert.strictEqual(registry.size, 0)
      // Turned off explicitly, the same.
      const off = yield* clientWithRegistry(server.port, { tracing: false, metrics: false })
      yield* Effect.provideService(off.valkey.get("k"), Tracer.Tracer, tracer)
      assert.deepStrictEqual(spans, [])
      assert.strictEqual(off.registry.size, 0)
    })
  )

  it.live("a client span per command, with the OpenTelemetry database attributes", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { spans, tracer } = collectingTracer()
      const { valkey } = yield* ValkeyStandalone.make({
        port: server.port,
        database: 2,
        tracing: { attributes: { "peer.service": "sessions" } }
      })
      const parent = yield* Effect.provideService(
        Effect.withSpan(
          Effect.gen(function* () {
            yield* valkey.set("k", "v")
            assert.strictEqual(yield* valkey.get("k"), "v")
            yield* valkey.configGet(["maxmemory"])
            const wrong = yield* Effect.flip(valkey.lpush("k", ["x"]))
            assert.strictEqual(wrong._tag, "ReplyError")
            return yield* Effect.currentSpan
          }),
          "request"
        ),
        Tracer.Tracer,
        tracer
      )
      const commands = spans.filter((s) => s.name !== "request")
      assert.deepStrictEqual(
        commands.map((s) => s.name),
        ["SET", "GET", "CONFIG GET", "LPUSH"]
      )
      for (const span of commands) {
        assert.strictEqual(span.kind, "client")
        assert.strictEqual(span.status._tag, "Ended")
        assert.strictEqual(Option.getOrUndefined(span.parent)?.spanId, parent.spanId)
        const attributes = attributesOf(span)
        assert.strictEqual(attributes["db.system.name"], "valkey")
        assert.strictEqual(attributes["db.operation.name"], span.name)
        assert.strictEqual(attributes["db.namespace"], "2")
        assert.strictEqual(attributes["server.address"], "127.0.0.1")
        assert.strictEqual(attributes["server.port"], server.port)
        assert.strictEqual(attributes["peer.service"], "sessions")
      }
      assert.isUndefined(attributesOf(commands[0]!)["error.type"])
      const failed = attributesOf(commands[3]!)
      assert.strictEqual(failed["error.type"], "ReplyError")
      assert.strictEqual(failed["db.response.status_code"], "WRONGTYPE")
    })
  )

  it.live("batches, dedicated connections and blocking commands are traced", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { spans, tracer } = collectingTracer()
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, tracing: true })
      const get = (key: string) => Command.make(["GET", key], Reply.nullableString, { keys: 1 })
      yield* Effect.provideService(
        Effect.scoped(
          Effect.gen(function* () {
            yield* valkey.batch([get("a"), get("b"), get("c")])
            yield* valkey.batch([Command.make(["SET", "a", "1"], Reply.ok), get("a")])
            yield* valkey.batch([Command.make(["SET", "a", "1"], Reply.ok), get("a")], { atomic: true })
            yield* valkey.blpop(["empty-list"], 0.05)
            const dedicated = yield* valkey.dedicated
            yield* dedicated.watch(["a"])
            yield* dedicated.get("a")
          })
        ),
        Tracer.Tracer,
        tracer
      )
      assert.deepStrictEqual(
        spans.map((s) => [s.name, s.attributes.get("db.operation.batch.size")]),
        [
          ["BATCH GET", 3],
          ["BATCH", 2],
          ["MULTI", 2],
          ["BLPOP", undefined],
          ["WATCH", undefined],
          ["GET", undefined]
        ]
      )
      for (const span of spans) assert.strictEqual(span.attributes.get("server.port"), server.port)
    })
  )

  it.live("no argument, key, value or secret in any span", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({
        password: "pw-default-9f2",
        users: [{ name: "app", password: "pw-app-71c" }]
      })
      const { spans, tracer } = collectingTracer()
      const { valkey } = yield* ValkeyStandalone.make({
        port: server.port,
        username: "app",
        password: "pw-app-71c",
        clientName: "client-name-3d1",
        tracing: true
      })
      yield* Effect.provideService(
        Effect.gen(function* () {
          yield* valkey.set("key-secret-a1", "value-secret-b2")
          yield* valkey.get("key-secret-a1")
          yield* valkey.custom(["ECHO", "value-secret-c3"])
          yield* valkey.hset("key-secret-d4", [["field-secret-e5", "value-secret-f6"]])
          yield* Effect.flip(valkey.custom(["NOSUCHCOMMAND", "value-secret-g7"]))
          yield* server.command(["ACL", "SETUSER", "app", ">pw-app-new-8e0"])
          yield* valkey.updatePassword("pw-app-new-8e0", { immediateAuth: true })
          yield* valkey.ping()
        }),
        Tracer.Tracer,
        tracer
      )
      assert.isAtLeast(spans.length, 6)
      const text = JSON.stringify(spans.map((s) => [s.name, [...s.attributes]]))
      for (const secret of ["secret", "pw-", "client-name", "app"]) assert.notInclude(text, secret)
    })
  )

  it.live("metrics: commands by name, errors by tag, latency, the inflight gauge", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { valkey, registry } = yield* clientWithRegistry(server.port, {
        metrics: { attributes: { client: "test" } }
      })
      const client = { client: "test" }
      for (let i = 0; i < 10; i++) yield* valkey.get(`k${i}`)
      for (let i = 0; i < 5; i++) yield* valkey.set(`k${i}`, "v")
      yield* Effect.flip(valkey.lpush("k0", ["x"]))
      yield* Effect.flip(valkey.custom(["NOSUCHCOMMAND"]))
      // A pipeline: counted once, and its failed command is an error.
      yield* valkey.batch([
        Command.make(["GET", "k0"], Reply.nullableString),
        Command.make(["LPUSH", "k0", "x"], Reply.integer)
      ])

      assert.strictEqual(count(registry, "valkey.commands", { ...client, "db.operation.name": "GET" }), 10)
      assert.strictEqual(count(registry, "valkey.commands", { ...client, "db.operation.name": "SET" }), 5)
      assert.strictEqual(count(registry, "valkey.commands", { ...client, "db.operation.name": "LPUSH" }), 1)
      assert.strictEqual(count(registry, "valkey.commands", { ...client, "db.operation.name": "BATCH" }), 1)
      assert.strictEqual(count(registry, "valkey.command.errors", { ...client, "error.type": "ReplyError" }), 3)
      const latency = series(registry, "valkey.command.duration", { ...client, "db.operation.name": "GET" })
      assert.strictEqual(latency?.count, 10)
      assert.isAbove(latency!.sum, 0)
      assert.isBelow(latency!.max, 1000)
      // The same series through the exported metric.
      const viaExport = yield* Effect.provideService(
        Metric.value(Metric.withAttributes(Observability.commands, { ...client, "db.operation.name": "GET" })),
        Metric.MetricRegistry,
        registry
      )
      assert.strictEqual(viaExport.count, 10)

      // In flight: a blocked BLPOP counts until it is answered; after a load, back to 0.
      const inflight = () => series(registry, "valkey.commands.inflight", client)?.value
      assert.strictEqual(inflight(), 0)
      const blocked = yield* Effect.forkChild(valkey.blpop(["obs-list"], 5))
      yield* Effect.sleep("100 millis")
      assert.strictEqual(inflight(), 1)
      yield* valkey.lpush("obs-list", ["x"])
      yield* Fiber.join(blocked)
      const all = yield* Effect.forEach(
        Array.from({ length: 2000 }, (_, i) => i),
        (i) => (i % 2 === 0 ? valkey.get(`load${i}`) : valkey.set(`load${i}`, "v")),
        { concurrency: 500 }
      )
      assert.strictEqual(all.length, 2000)
      assert.strictEqual(inflight(), 0)
      assert.strictEqual(count(registry, "valkey.commands", { ...client, "db.operation.name": "GET" }), 1010)
    })
  )

  it.live("metrics: a reconnect after CLIENT KILL is counted, per node", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { valkey, registry } = yield* clientWithRegistry(server.port, { metrics: true })
      const node = { "server.address": "127.0.0.1", "server.port": String(server.port) }
      const id = yield* valkey.clientId()
      assert.strictEqual(count(registry, "valkey.reconnects", node), 0)
      yield* server.command(["CLIENT", "KILL", "ID", String(id)])
      // The next command waits for the reconnect (or fails if it was written before the loss).
      yield* Effect.retry(valkey.ping(), { times: 20 })
      assert.notStrictEqual(yield* valkey.clientId(), id)
      assert.strictEqual(count(registry, "valkey.reconnects", node), 1)
    })
  )

  it.live("config: VALKEY_TRACING / VALKEY_METRICS from Effect Config", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { spans, tracer } = collectingTracer()
      const registry: Metric.MetricRegistry = new Map()
      const env = ConfigProvider.layer(
        ConfigProvider.fromEnv({
          env: { VALKEY_PORT: String(server.port), VALKEY_TRACING: "true", VALKEY_METRICS: "true" }
        })
      )
      const layer = ValkeyStandalone.layerConfig(ValkeyStandalone.configNested("VALKEY")).pipe(
        Layer.provide(env),
        Layer.provide(Layer.succeed(Metric.MetricRegistry, registry))
      )
      yield* Valkey.use((v) => v.ping()).pipe(Effect.provide(layer), Effect.provideService(Tracer.Tracer, tracer))
      assert.deepStrictEqual(
        spans.map((s) => s.name),
        ["PING"]
      )
      assert.strictEqual(count(registry, "valkey.commands", { "db.operation.name": "PING" }), 1)
    })
  )

  it.effect("config: tracing and metrics are validated", () =>
    Effect.gen(function* () {
      const bad = yield* Effect.flip(ValkeyStandalone.make({ port: 1, tracing: "yes" as never, lazyConnect: true }))
      assert.strictEqual(bad._tag, "ConfigError")
      const badAttributes = yield* Effect.flip(
        ValkeyStandalone.make({ port: 1, metrics: { attributes: { n: 1 as never } }, lazyConnect: true })
      )
      assert.strictEqual(badAttributes._tag, "ConfigError")
      assert.deepStrictEqual(Observability.settings({}), { tracing: undefined, metrics: undefined })
      // Off, there is nothing to wrap the router with: commands take the plain path.
      assert.isUndefined(yield* Observability.make(Observability.settings({ tracing: false }), 0))
      assert.isUndefined(yield* Observability.reconnectHook(Observability.settings({})))
      assert.isUndefined(yield* Observability.dropHook(Observability.settings({})))
      assert.deepStrictEqual(Observability.settings({ tracing: true, metrics: { attributes: { a: "b" } } }), {
        tracing: {},
        metrics: { attributes: { a: "b" } }
      })
    })
  )
})
