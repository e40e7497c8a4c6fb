/**
 * Tracing and metrics: a span per command with the OpenTelemetry database attributes, and the
 * `valkey.*` Effect metrics. Both are off by default. See docs/observability.md.
 *
 *   node --conditions=source examples/observability.ts
 *
 * Starts a throwaway valkey-server on a free loopback port and stops it at the end. Spans go
 * to a small tracer that prints them; in an application, `@effect/opentelemetry` (or any
 * Effect `Tracer`) receives them instead.
 */

import { NodeRuntime } from "@effect/platform-node"
import { Commands, Observability, Valkey, type ValkeyConfig, ValkeyStandalone } from "@effect-valkey/core"
import { PubSub } from "@effect-valkey/pubsub"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Console, Effect, Layer, Metric, Option, Tracer } from "effect"

/** A tracer that prints every span when it ends: name, parent, attributes. */
const printingTracer = Tracer.make({
  span(options) {
    const span = new Tracer.NativeSpan(options)
    const end = span.end.bind(span)
    span.end = (endTime, exit) => {
      end(endTime, exit)
      const parent = Option.match(span.parent, { onNone: () => "", onSome: (p) => ` (in ${spanName(p)})` })
      const attributes = [...span.attributes].map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")
      console.log(`  span ${span.name}${parent}\n       ${attributes}`)
    }
    return span
  }
})
const spanName = (span: Tracer.AnySpan) => (span._tag === "Span" ? span.name : span.spanId)

const program = (server: ValkeyServer["Service"]) =>
  Effect.gen(function* () {
    const valkey = yield* Valkey

    yield* Console.log("1. Spans: one per command, children of the caller's span")
    yield* Effect.gen(function* () {
      yield* valkey.set("session:42", "secret session data")
      yield* valkey.get("session:42")
      yield* valkey.configGet(["maxmemory"])
      // A failure: the span carries error.type and the server's code, never the arguments.
      yield* Effect.ignore(valkey.lpush("session:42", ["oops"]))
      // A batch is one span.
      yield* valkey.batch([Commands.strings.get("a"), Commands.strings.get("b")])
    }).pipe(Effect.withSpan("handle-request"), Effect.withTracer(printingTracer))

    yield* Console.log("\n2. Metrics after some load and a killed connection")
    yield* Effect.forEach(
      Array.from({ length: 500 }, (_, i) => i),
      (i) => (i % 5 === 0 ? valkey.set(`k${i}`, "v") : valkey.get(`k${i}`)),
      { concurrency: 100 }
    )
    // The server drops the client's connection: it reconnects, and valkey.reconnects counts it.
    yield* server.command(["CLIENT", "KILL", "ID", String(yield* valkey.clientId())])
    yield* Effect.retry(valkey.ping(), { times: 10 })

    // A pub/sub subscription whose buffer (1 message, "dropping") overflows.
    const pubsub = yield* PubSub.PubSub
    const slow = yield* pubsub.subscription("channel", "ticks", { capacity: 1, strategy: "dropping" })
    for (let i = 0; i < 5; i++) yield* pubsub.publish("ticks", `tick ${i}`)
    yield* Effect.sleep("100 millis")
    yield* Console.log(`   subscription.dropped = ${yield* slow.dropped}`)

    for (const snapshot of yield* Metric.snapshot) {
      if (!snapshot.id.startsWith("valkey.")) continue
      const attributes = JSON.stringify(snapshot.attributes ?? {})
      const state = snapshot.state as unknown as Record<string, unknown>
      const value =
        snapshot.type === "Histogram"
          ? `count=${state.count} mean=${(Number(state.sum) / Number(state.count)).toFixed(3)} ms max=${Number(state.max).toFixed(3)} ms`
          : snapshot.type === "Gauge"
            ? `value=${state.value}`
            : `count=${state.count}`
      yield* Console.log(`   ${snapshot.id.padEnd(25)} ${attributes.padEnd(58)} ${value}`)
    }

    // One series, through the exported metric.
    const gets = yield* Metric.value(
      Metric.withAttributes(Observability.commands, { client: "example", "db.operation.name": "GET" })
    )
    yield* Console.log(`\n   GETs counted: ${gets.count}`)
  }).pipe(Effect.scoped)

const main = Effect.gen(function* () {
  const server = yield* ValkeyServer.make()
  yield* Console.log(`server up at ${server.address}\n`)
  const config: ValkeyConfig.ValkeyConfig = {
    port: server.port,
    tracing: true,
    metrics: { attributes: { client: "example" } }
  }
  const live = PubSub.layer().pipe(Layer.provideMerge(ValkeyStandalone.layer(config)))
  yield* program(server).pipe(Effect.provide(live))
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
