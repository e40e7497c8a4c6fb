/**
 * Sentinel: the same `Valkey` service on the primary the sentinels name, through a failover,
 * with pub/sub that follows it. See docs/sentinel.md.
 *
 *   node --conditions=source examples/sentinel.ts
 *
 * Starts a throwaway topology on free loopback ports (a primary, 2 replicas, 3 sentinels with
 * quorum 2, down-after 1 s) and stops it at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { Valkey, ValkeySentinel } from "@effect-valkey/core"
import { PubSub } from "@effect-valkey/pubsub"
import { ValkeyTestSentinel } from "@effect-valkey/testkit"
import { Console, Effect, Fiber, Layer, Stream } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`   ${label.padEnd(46)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

const program = (topology: ValkeyTestSentinel["Service"]) =>
  Effect.gen(function* () {
    const valkey = yield* Valkey
    const sentinel = yield* ValkeySentinel.ValkeySentinel
    const pubsub = yield* PubSub.PubSub

    yield* Console.log("── discovery: the sentinels name the primary, ROLE confirms it")
    yield* show("primary", sentinel.primary().address)
    yield* show("set('greeting', 'hello')", yield* valkey.set("greeting", "hello"))
    yield* show("wait(1, 1000): replicas that have it", yield* valkey.wait(1, 1000))

    const news = yield* pubsub.subscription("channel", "news")
    yield* pubsub.publish("news", "before the failover")
    yield* show("received", (yield* news.take).payload)

    yield* Console.log("── failover: the primary is killed; the sentinels promote a replica")
    // Lost on the old primary, then Resubscribed on the new one: loss is never silent.
    const moved = yield* pubsub.events.pipe(
      Stream.tap((event) => show(`event ${event._tag}`, `${event.kind} ${event.name} on ${event.node}`)),
      Stream.filter((event) => event._tag === "Resubscribed"),
      Stream.take(1),
      Stream.runDrain,
      Effect.forkScoped({ startImmediately: true })
    )
    const killed = yield* topology.killPrimary
    yield* show("killed", killed.address)
    const started = Date.now()
    // Calls made meanwhile wait for the new primary (up to their request timeout). One written
    // to the old primary's socket just as it died fails with ConnectionError (it may have
    // run, so it is never re-sent): a GET is safe to retry.
    const greeting = yield* valkey
      .get("greeting")
      .pipe(Effect.retry({ while: (error) => error._tag === "ConnectionError", times: 3 }))
    yield* show("get('greeting') during the failover", greeting)
    yield* show("answered after (ms)", Date.now() - started)
    const change = sentinel.switches().at(-1)
    yield* show("moved to", change === undefined ? "(not yet)" : `${change.to.address} via ${change.via}`)
    yield* show("role of the node now used", yield* valkey.custom(["ROLE"]))

    yield* Console.log("── pub/sub: the subscription moved with the primary")
    yield* Fiber.join(moved)
    yield* pubsub.publish("news", "after the failover")
    yield* show("received", (yield* news.take).payload)
  })

const main = Effect.gen(function* () {
  const topology = yield* ValkeyTestSentinel.make({ replicas: 2 })
  yield* Console.log(`sentinels at ${topology.sentinelAddresses.map((s) => `${s.host}:${s.port}`).join(", ")}`)
  const config: ValkeySentinel.SentinelConfig = {
    sentinels: topology.sentinelAddresses,
    name: topology.name,
    // Long enough to wait out a failover (about 3 s here) instead of failing during it.
    requestTimeout: "10 seconds"
  }
  const layer = PubSub.layer().pipe(Layer.provideMerge(ValkeySentinel.layer(config)))
  yield* program(topology).pipe(Effect.provide(layer), Effect.scoped)
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
