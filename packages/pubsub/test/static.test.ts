import { assert, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Option, Queue } from "effect"
import type { Message } from "../src/index.ts"
import { standalone, unique } from "./support.ts"

layer(ValkeyServer.layer(), { excludeTestServices: true, timeout: 60_000 })("static subscriptions", (it) => {
  it.effect("made with the layer, read with poll and take", () =>
    Effect.gen(function* () {
      const channel = unique("static")
      const pubsub = yield* standalone(
        {},
        { subscriptions: { channels: [channel], patterns: [`${channel}:*`], sharded: [`${channel}.s`] } }
      )
      assert.deepStrictEqual(yield* pubsub.static.poll, Option.none())
      yield* pubsub.publish(channel, "a")
      yield* pubsub.publish(`${channel}:x`, "b")
      yield* pubsub.publish(`${channel}.s`, "c", { sharded: true })
      assert.deepStrictEqual(yield* pubsub.static.take, { kind: "message", channel, payload: "a" })
      assert.deepStrictEqual(yield* pubsub.static.take, {
        kind: "pmessage",
        channel: `${channel}:x`,
        pattern: `${channel}:*`,
        payload: "b"
      })
      const third = yield* pubsub.static.take
      assert.strictEqual(third.kind, "smessage")
      assert.deepStrictEqual(yield* pubsub.static.poll, Option.none())
      yield* pubsub.publish(channel, "d")
      const polled = yield* pubsub.static.poll.pipe(Effect.repeat({ until: Option.isSome }))
      assert.strictEqual(Option.getOrThrow(polled).payload, "d")
    })
  )

  it.effect("with a callback, and bytes", () =>
    Effect.gen(function* () {
      const channel = unique("callback")
      const received = yield* Queue.unbounded<Message<string | Uint8Array>>()
      const pubsub = yield* standalone(
        { protocol: 2 },
        {
          subscriptions: {
            channels: [channel],
            bytes: true,
            callback: (message) => Queue.offer(received, message)
          }
        }
      )
      yield* pubsub.publish(channel, new Uint8Array([0xff, 0x00, 0x80]))
      const message = yield* Queue.take(received)
      assert.instanceOf(message.payload, Uint8Array)
      assert.deepStrictEqual([...(message.payload as Uint8Array)], [0xff, 0x00, 0x80])
    })
  )

  it.effect("a refused static subscription fails the layer with a typed error", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      yield* server.command(["ACL", "SETUSER", "limited", "on", ">pw", "+@all", "~*", "resetchannels", "&allowed"])
      const error = yield* Effect.flip(
        standalone({ username: "limited", password: "pw" }, { subscriptions: { channels: ["forbidden"] } })
      )
      assert.strictEqual(error._tag, "SubscribeError")
      assert.strictEqual(error._tag === "SubscribeError" ? error.reason : "", "refused")
    })
  )
})
