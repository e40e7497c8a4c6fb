/**
 * Pub/sub on a Sentinel client: subscriptions move to the new primary when the old one is
 * killed, and their events say so (`Lost` on the old primary, `Resubscribed` on the new one).
 */
import { assert, layer } from "@effect/vitest"
import { ValkeySentinel } from "@effect-valkey/core"
import { ValkeyTestSentinel } from "@effect-valkey/testkit"
import { Context, Effect, Fiber, Layer } from "effect"
import { PubSub } from "../src/index.ts"
import { unique, watchEvents } from "./support.ts"

// A topology per test: a killed primary restarted for the next test would come back as an
// empty primary until the sentinels turn it into a replica, and could be elected meanwhile.
layer(Layer.empty, { excludeTestServices: true, timeout: 90_000 })("PubSub on Sentinel", (it) => {
  for (const protocol of [2, 3] as const) {
    it.effect(`RESP${protocol}: subscriptions move to the new primary when the old one is killed`, () =>
      Effect.gen(function* () {
        const topology = yield* ValkeyTestSentinel.make({ replicas: 2 })
        const before = yield* topology.awaitPrimary()
        const config = { sentinels: topology.sentinelAddresses, name: topology.name, protocol }
        const context = yield* Layer.build(PubSub.layer().pipe(Layer.provideMerge(ValkeySentinel.layer(config))))
        const pubsub = Context.get(context, PubSub.PubSub)
        const channel = unique("sentinel")
        const subscriptions = [
          yield* pubsub.subscription("channel", channel),
          yield* pubsub.subscription("pattern", `${channel}:p:*`)
        ]
        yield* pubsub.publish(channel, "before")
        yield* pubsub.publish(`${channel}:p:x`, "before")
        for (const sub of subscriptions) assert.strictEqual((yield* sub.take).payload, "before")
        const events = yield* watchEvents(pubsub, 2, (e) => e._tag === "Resubscribed")
        const lost = yield* watchEvents(pubsub, 2, (e) => e._tag === "Lost")
        yield* topology.killPrimary
        const after = yield* topology.awaitPrimary({ not: before.address })
        const moved = yield* Fiber.join(events)
        assert.isTrue(
          moved.every((e) => e.node === after.address),
          JSON.stringify(moved)
        )
        const gone = yield* Fiber.join(lost)
        assert.isTrue(
          gone.every((e) => e.node === before.address),
          JSON.stringify(gone)
        )
        yield* pubsub.publish(channel, "after")
        yield* pubsub.publish(`${channel}:p:x`, "after")
        for (const sub of subscriptions) assert.strictEqual((yield* sub.take).payload, "after")
      }).pipe(Effect.scoped)
    )
  }
})
