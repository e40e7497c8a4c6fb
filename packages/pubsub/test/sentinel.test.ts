/**
 * Pub/sub on a Sentinel client: subscriptions move to the new primary when the old one is
 * killed, and their events say so (`Lost` on the old primary, `Resubscribed` on the new one).
 */
import { assert, layer } from "@effect/vitest"
import { ValkeySentinel } from "@effect-valkey/core"
import { ValkeyTestSentinel } from "@effect-valkey/testkit"
import { Context, Effect, Layer, Schedule, Stream } from "effect"
import { PubSub, type SubscriptionEvent } from "../src/index.ts"
import { unique } from "./support.ts"

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
        const client = Context.get(context, ValkeySentinel.ValkeySentinel)
        const channel = unique("sentinel")
        const subscriptions = [
          yield* pubsub.subscription("channel", channel),
          yield* pubsub.subscription("pattern", `${channel}:p:*`)
        ]
        yield* pubsub.publish(channel, "before")
        yield* pubsub.publish(`${channel}:p:x`, "before")
        for (const sub of subscriptions) assert.strictEqual((yield* sub.take).payload, "before")
        // Every event from the kill on: under load the sentinels may fail over more than once
        // (a promoted replica that misses its down-after window), and the client must follow
        // each time; what counts is that both subscriptions end up on the agreed primary.
        const seen: Array<SubscriptionEvent> = []
        yield* pubsub.events.pipe(
          Stream.runForEach((event) => Effect.sync(() => seen.push(event))),
          Effect.forkScoped({ startImmediately: true })
        )
        yield* topology.killPrimary
        const after = yield* topology.awaitPrimary({ not: before.address })
        const story = () =>
          JSON.stringify({ before: before.address, after: after.address, events: seen, switches: client.switches() })
        const onAfter = () => seen.filter((e) => e._tag === "Resubscribed" && e.node === after.address).length
        yield* Effect.suspend(() => (onAfter() >= 2 ? Effect.void : Effect.fail("not yet"))).pipe(
          Effect.retry(Schedule.spaced("25 millis")),
          Effect.timeoutOrElse({
            duration: "15 seconds",
            orElse: () => Effect.die(new Error(`both subscriptions resubscribed on ${after.address}: ${story()}`))
          })
        )
        // Subscriptions only go where the sentinels sent the client.
        const named = new Set(client.switches().map((s) => s.to.address))
        assert.isTrue(
          seen.every((e) => e._tag !== "Resubscribed" || named.has(e.node)),
          `every resubscription is on a primary the client switched to: ${story()}`
        )
        const lost = seen.filter((e) => e._tag === "Lost")
        assert.isTrue(
          lost.length >= 2 && lost.slice(0, 2).every((e) => e.node === before.address),
          `the first Lost events name the killed primary: ${story()}`
        )
        yield* pubsub.publish(channel, "after")
        yield* pubsub.publish(`${channel}:p:x`, "after")
        for (const sub of subscriptions) assert.strictEqual((yield* sub.take).payload, "after")
      }).pipe(Effect.scoped)
    )
  }
})
