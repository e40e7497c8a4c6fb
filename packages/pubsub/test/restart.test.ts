import { assert, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Fiber } from "effect"
import type { SubscriptionEvent } from "../src/index.ts"
import { standalone, standaloneClient, unique, watchEvents } from "./support.ts"

const tags = (events: ReadonlyArray<SubscriptionEvent>) => events.map((e) => `${e._tag} ${e.kind} ${e.name}`).sort()

layer(ValkeyServer.layer(), { excludeTestServices: true, timeout: 60_000 })("faults and reconnects", (it) => {
  for (const protocol of [2, 3] as const) {
    it.effect(`RESP${protocol}: subscriptions come back after a restart, and every later message arrives`, () =>
      Effect.gen(function* () {
        const server = yield* ValkeyServer
        const pubsub = yield* standalone({ protocol })
        const channel = unique("restart")
        const sharded = `${channel}:s`
        const subscriptions = [
          yield* pubsub.subscription("channel", channel),
          yield* pubsub.subscription("pattern", `${channel}:p:*`),
          yield* pubsub.subscription("sharded", sharded)
        ]
        // Lost then Resubscribed, for each of the three.
        const events = yield* watchEvents(pubsub, 6)
        yield* server.restart
        const seen = yield* Fiber.join(events)
        const names = [`channel ${channel}`, `pattern ${channel}:p:*`, `sharded ${sharded}`]
        assert.deepStrictEqual(tags(seen), [...names.map((n) => `Lost ${n}`), ...names.map((n) => `Resubscribed ${n}`)])
        assert.isTrue(seen.every((e) => e.node === server.address))
        const messages = Array.from({ length: 50 }, (_, i) => `m${i}`)
        for (const m of messages) {
          yield* pubsub.publish(channel, m)
          yield* pubsub.publish(`${channel}:p:x`, m)
          yield* pubsub.publish(sharded, m, { sharded: true })
        }
        for (const sub of subscriptions) {
          const received = yield* Effect.forEach(messages, () => Effect.map(sub.take, (m) => m.payload))
          assert.deepStrictEqual(received, messages)
        }
      })
    )
  }

  it.effect("a consumer joining a lost subscription returns once it is back, and gets what follows", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const pubsub = yield* standalone({}, { subscribeTimeout: "20 seconds" })
      const channel = unique("rejoin")
      yield* pubsub.subscription("channel", channel)
      const lost = yield* watchEvents(pubsub, 1, (e) => e._tag === "Lost" && e.name === channel)
      const late = yield* Effect.gen(function* () {
        yield* server.stop
        yield* Fiber.join(lost)
        // While nothing is subscribed on the server, a new consumer of the channel waits.
        const joining = yield* Effect.forkChild(pubsub.subscription("channel", channel))
        yield* Effect.sleep("300 millis")
        assert.isUndefined(joining.pollUnsafe(), "subscription() returned while the server was down")
        yield* server.start
        return yield* Fiber.join(joining)
      }).pipe(Effect.onError(() => Effect.ignore(server.start)))
      yield* pubsub.publish(channel, "after")
      assert.strictEqual((yield* late.take).payload, "after")
    })
  )

  it.effect("a refused subscription lets go of its other channels at once, and names the refused one", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      yield* server.command(["ACL", "SETUSER", "partial", "on", ">pw", "+@all", "~*", "resetchannels", "&open:*"])
      const pubsub = yield* standalone({ username: "partial", password: "pw" })
      const open = unique("open")
      const closed = unique("closed")
      const error = yield* Effect.flip(pubsub.subscription("channel", [open, closed]))
      assert.strictEqual(error.reason, "refused")
      assert.strictEqual(error.name, closed)
      // Still in the caller's scope, yet not subscribed any more: nobody could read it.
      const subscribers = Effect.map(server.command(["PUBSUB", "NUMSUB", open]), (reply) =>
        Array.isArray(reply) ? Number(reply[1]) : -1
      )
      let count = yield* subscribers
      for (let i = 0; i < 100 && count !== 0; i++) {
        yield* Effect.sleep("20 millis")
        count = yield* subscribers
      }
      assert.strictEqual(count, 0)
      const bad = yield* Effect.flip(pubsub.subscription("channel", open, { strategy: "drop" as "dropping" }))
      assert.strictEqual(bad.reason, "invalid")
    })
  )

  it.effect("a rotated password reaches the subscriber connection on its next reconnect", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      yield* server.command(["ACL", "SETUSER", "rotating", "on", ">first", "+@all", "~*", "&*"])
      const { pubsub, valkey } = yield* standaloneClient({ username: "rotating", password: "first" })
      const channel = unique("rotate")
      const sub = yield* pubsub.subscription("channel", channel)
      const events = yield* watchEvents(pubsub, 2, (e) => e.name === channel)
      yield* server.command(["ACL", "SETUSER", "rotating", "resetpass", ">second"])
      yield* valkey.updatePassword("second")
      yield* server.command(["CLIENT", "KILL", "USER", "rotating"])
      const seen = yield* Fiber.join(events)
      assert.deepStrictEqual(
        seen.map((e) => e._tag),
        ["Lost", "Resubscribed"]
      )
      yield* pubsub.publish(channel, "after rotation")
      assert.strictEqual((yield* sub.take).payload, "after rotation")
    })
  )

  for (const protocol of [2, 3] as const) {
    it.effect(
      `RESP${protocol}: immediateAuth re-authenticates the subscriber now, without losing the subscription`,
      () =>
        Effect.gen(function* () {
          const server = yield* ValkeyServer
          const name = `immediate${protocol}`
          yield* server.command(["ACL", "SETUSER", name, "on", ">first", "+@all", "~*", "&*"])
          const { pubsub, valkey } = yield* standaloneClient({ username: name, password: "first", protocol })
          const channel = unique("immediate")
          const sub = yield* pubsub.subscription("channel", channel)
          const subscriber = Effect.map(server.command(["CLIENT", "LIST", "TYPE", "pubsub"]), (list) =>
            String(list)
              .split("\n")
              .filter((line) => line.includes(` user=${name} `))
              .map((line) => /^id=(\d+)/.exec(line)![1]!)
          )
          const authCalls = Effect.map(server.command(["INFO", "commandstats"]), (info) =>
            Number(/cmdstat_auth:calls=(\d+)/.exec(String(info))?.[1] ?? 0)
          )
          const before = yield* subscriber
          const authBefore = yield* authCalls
          // RESP2: the replacement subscribes, then the old connection leaves.
          const events = yield* watchEvents(pubsub, protocol === 2 ? 1 : 0, (e) => e.name === channel)
          yield* server.command(["ACL", "SETUSER", name, ">second"])
          yield* valkey.updatePassword("second", { immediateAuth: true })
          assert.deepStrictEqual(
            (yield* Fiber.join(events).pipe(Effect.timeout("10 seconds"))).map((e) => e._tag),
            protocol === 2 ? ["Resubscribed"] : []
          )
          // Only the new password is accepted now; the subscriber was authenticated with it.
          yield* server.command(["ACL", "SETUSER", name, "<first"])
          const after = yield* Effect.eventually(
            Effect.flatMap(subscriber, (ids) => (ids.length === 1 ? Effect.succeed(ids) : Effect.fail("two")))
          ).pipe(Effect.timeout("10 seconds"))
          // AUTH on the shared connection and on the subscriber (RESP2: in its new handshake).
          assert.isAtLeast((yield* authCalls) - authBefore, 2)
          if (protocol === 3) assert.deepStrictEqual(after, before)
          else assert.notStrictEqual(after[0], before[0])
          assert.strictEqual(yield* pubsub.publish(channel, "after"), 1)
          assert.strictEqual((yield* sub.take).payload, "after")
        })
    )
  }

  it.effect("a subscription the server does not confirm in time fails with a typed error", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const pubsub = yield* standalone({}, { subscribeTimeout: "300 millis" })
      yield* server.pause
      const error = yield* Effect.flip(pubsub.subscription("channel", unique("paused"))).pipe(
        Effect.ensuring(Effect.orDie(server.resume))
      )
      assert.strictEqual(error.reason, "timeout")
      const empty = yield* Effect.flip(pubsub.subscription("channel", []))
      assert.strictEqual(empty.reason, "invalid")
    })
  )
})
