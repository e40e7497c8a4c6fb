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

layer(ValkeyTestSentinel.layer({ replicas: 2 }), { excludeTestServices: true, timeout: 90_000 })(
  "PubSub on Sentinel",
  (it) => {
    for (const protocol of [2, 3] as const) {
      it.effect(`RESP${protocol}: subscriptions move to the new primary when the old one is killed`, () =>
        Effect.gen(function* () {
          const topology = yield* ValkeyTestSentinel
          const before = yield* topology.awaitPrimary()
          const config = { sentinels: topology.sentinelAddresses, name: topology.name, protocol }
          const context = yield* Layer.build(
            PubSub.layerSentinel(config).pipe(Layer.provideMerge(ValkeySentinel.layer(config)))
          )
          const pubsub = Context.get(context, PubSub)
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
          // The killed node comes back (as a replica, once the sentinels see it) for the next test.
          yield* before.start
        }).pipe(Effect.scoped)
      )
    }
  }
)
