/**
 * Pub/sub through server restarts, under a steady publisher: the subscription comes back by
 * itself (Lost, then Resubscribed), and messages are lost only inside the measured outage
 * window, from the restart's start to the Resubscribed event. Every message published (and
 * acknowledged by PUBLISH) before the window or after it arrives, exactly once and in order.
 *
 * Existing coverage: pubsub/test/restart.test.ts (resubscription of channel, pattern and
 * sharded subscriptions after one restart, RESP2 and RESP3, with messages published after it).
 *
 * CI: one restart. Chaos: five.
 */
import { assert, describe, it } from "@effect/vitest"
import { Valkey, ValkeyStandalone } from "@effect-valkey/core"
import { PubSub, type SubscriptionEvent } from "@effect-valkey/pubsub"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Context, Deferred, Effect, Exit, Fiber, Layer, Schedule, Stream } from "effect"
import { receiveNumbers } from "./load.ts"
import { report, scale } from "./scale.ts"

const RESTARTS = scale(1, 5)

describe("pub/sub through restarts", () => {
  it.live(`${RESTARTS} restart(s) under a steady publisher: loss only inside the outage window`, () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const config = { port: server.port, requestTimeout: 1000, reconnect: Schedule.spaced("50 millis") }
      const context = yield* Layer.build(PubSub.layer().pipe(Layer.provideMerge(ValkeyStandalone.layer(config))))
      const pubsub = Context.get(context, PubSub.PubSub)
      const publisher = Context.get(context, Valkey)
      const channel = `restart:${Math.random().toString(36).slice(2)}`
      const events: Array<{ readonly tag: SubscriptionEvent["_tag"]; readonly at: number }> = []
      yield* pubsub.events.pipe(
        Stream.filter((e) => e.name === channel),
        Stream.runForEach((e) => Effect.sync(() => events.push({ tag: e._tag, at: Date.now() }))),
        Effect.forkChild({ startImmediately: true })
      )
      const received = yield* receiveNumbers(yield* pubsub.subscription("channel", channel))
      // The publisher: one message every 2 ms, each numbered, with the time it was sent and
      // whether PUBLISH was acknowledged with at least one receiver.
      const stop = yield* Deferred.make<void>()
      const published: Array<{ readonly n: number; readonly at: number; readonly ok: boolean }> = []
      const publishing = yield* Effect.gen(function* () {
        for (let n = 0; n < 200_000 && !(yield* Deferred.isDone(stop)); n++) {
          const at = Date.now()
          const exit = yield* Effect.exit(publisher.publish(channel, String(n)))
          published.push({ n, at, ok: Exit.isSuccess(exit) && exit.value >= 1 })
          yield* Effect.sleep("2 millis")
        }
      }).pipe(Effect.forkChild)
      yield* Effect.sleep("300 millis")
      const windows: Array<{ from: number; to: number }> = []
      for (let r = 0; r < RESTARTS; r++) {
        const before = events.filter((e) => e.tag === "Resubscribed").length
        const from = Date.now()
        yield* server.restart
        // The window closes when the subscription is back on the server.
        for (let i = 0; i < 400 && events.filter((e) => e.tag === "Resubscribed").length === before; i++)
          yield* Effect.sleep("10 millis")
        const back = events.filter((e) => e.tag === "Resubscribed")[before]
        assert.isDefined(back, `restart ${r}: resubscribed`)
        windows.push({ from, to: back!.at })
        yield* Effect.sleep("500 millis")
      }
      yield* Deferred.succeed(stop, undefined)
      yield* Fiber.join(publishing)
      // Let the last messages arrive.
      const last = published.filter((p) => p.ok).at(-1)!.n
      for (let i = 0; i < 200 && !received.includes(last); i++) yield* Effect.sleep("10 millis")
      const inWindow = (at: number) => windows.some((w) => at >= w.from && at <= w.to)
      const got = new Set(received)
      const acknowledged = published.filter((p) => p.ok)
      const outside = acknowledged.filter((p) => !inWindow(p.at))
      const lostOutside = outside.filter((p) => !got.has(p.n)).map((p) => p.n)
      const lostInside = acknowledged.filter((p) => inWindow(p.at) && !got.has(p.n)).length
      report("pubsub restart", {
        restarts: RESTARTS,
        published: published.length,
        acknowledged: acknowledged.length,
        received: received.length,
        lostOutsideWindow: lostOutside.length,
        lostInsideWindow: lostInside,
        outageMs: windows.map((w) => w.to - w.from),
        events: events.map((e) => e.tag)
      })
      assert.deepStrictEqual(lostOutside, [])
      // Exactly once, in order.
      assert.strictEqual(got.size, received.length, "no duplicates")
      assert.isTrue(
        received.every((n, i) => i === 0 || n > received[i - 1]!),
        "in order"
      )
      assert.deepStrictEqual(
        events.map((e) => e.tag),
        ["Subscribed", ...Array.from({ length: RESTARTS }, () => ["Lost", "Resubscribed"] as const).flat()]
      )
    })
  )
})
