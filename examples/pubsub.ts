/**
 * Pub/sub with `@effect-valkey/pubsub`: subscriptions as scoped Streams, shared by consumers,
 * with a stream of events that says when a server-side subscription is made, lost, restored
 * or released. See docs/pubsub.md.
 *
 *   node --conditions=source examples/pubsub.ts
 *
 * Starts a throwaway valkey-server on a free loopback port and stops it at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { ValkeyStandalone } from "@effect-valkey/core"
import { PubSub } from "@effect-valkey/pubsub"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Console, Effect, Fiber, Layer, Stream } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`${label.padEnd(46)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

const program = (server: ValkeyServer["Service"]) =>
  Effect.gen(function* () {
    const pubsub = yield* PubSub.PubSub

    // 1. Events: every server-side subscription made, lost, restored, released or refused.
    const events = yield* pubsub.events.pipe(
      Stream.runForEach((event) => Console.log(`  [event] ${event._tag} ${event.kind} ${event.name} on ${event.node}`)),
      Effect.forkChild
    )

    // 2. A subscription stream: SUBSCRIBE when it starts, UNSUBSCRIBE when it ends (here after
    //    three messages). It runs in its own fiber.
    const reader = yield* pubsub.subscribe("news").pipe(
      Stream.take(3),
      Stream.map((message) => `${message.channel}: ${message.payload}`),
      Stream.runCollect,
      Effect.forkChild
    )

    // 3. A subscription held in this scope: `subscription` returns once the server confirmed
    //    it, so nothing published after this line is missed. Two consumers of "news" share
    //    one server subscription.
    const news = yield* pubsub.subscription("channel", "news")
    const orders = yield* pubsub.subscription("pattern", "orders.*", { capacity: 100, strategy: "sliding" })
    yield* show("PUBSUB NUMSUB news (one server subscription)", (yield* pubsub.numsub(["news"])).get("news"))

    // 4. Publish: the reply is how many subscribers the server delivered to.
    yield* show("publish('news', 'hello')", yield* pubsub.publish("news", "hello"))
    yield* pubsub.publish("news", "pub/sub")
    yield* pubsub.publish("news", "world")
    yield* pubsub.publish("orders.eu", "order 1")
    yield* show("the stream's three messages", yield* Fiber.join(reader))
    const held = [yield* news.take, yield* news.take, yield* news.take].map((message) => message.payload)
    yield* show("news.take × 3 (the held subscription)", held)
    const order = yield* orders.take
    yield* show("orders.take", `${order.channel} via ${order.pattern}: ${order.payload}`)

    // 5. Loss is never silent: kill the subscriber connection, and the events show the
    //    subscriptions lost and then restored on the reconnect.
    //    A second listener waits for both subscriptions to be back before publishing again.
    const restored = yield* pubsub.events.pipe(
      Stream.filter((event) => event._tag === "Resubscribed"),
      Stream.take(2),
      Stream.runDrain,
      Effect.forkChild
    )
    yield* Effect.yieldNow // let the listener start before the kill
    yield* Console.log("\nCLIENT KILL TYPE pubsub: the subscriber connection drops")
    yield* server.command(["CLIENT", "KILL", "TYPE", "pubsub"])
    yield* Fiber.join(restored)
    yield* pubsub.publish("news", "after the reconnect")
    yield* show("news.take after the reconnect", (yield* news.take).payload)

    // 6. Introspection, combined over every node in a cluster.
    yield* show("channels()", yield* pubsub.channels())
    yield* show("numpat", yield* pubsub.numpat)
    yield* show("dropped (by every buffer so far)", yield* pubsub.dropped)
    yield* Effect.sleep("100 millis") // let the last events print
    yield* Fiber.interrupt(events)
  }).pipe(Effect.scoped)

const main = Effect.gen(function* () {
  const server = yield* ValkeyServer.make()
  yield* Console.log(`server up at ${server.address}\n`)
  const config = { port: server.port }
  // PubSub on top of the standalone client's Router, with the same config.
  const live = PubSub.layer().pipe(Layer.provideMerge(ValkeyStandalone.layer(config)))
  yield* program(server).pipe(Effect.provide(live))
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
