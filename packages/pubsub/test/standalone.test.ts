import { assert, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Exit, Fiber, Option, Scope, Stream } from "effect"
import { eventually, standalone, unique, watchEvents } from "./support.ts"

const numsub = (channel: string) =>
  Effect.gen(function* () {
    const server = yield* ValkeyServer
    const reply = yield* server.command(["PUBSUB", "NUMSUB", channel])
    return Number((reply as ReadonlyArray<unknown>)[1])
  })

layer(ValkeyServer.layer(), { excludeTestServices: true, timeout: 60_000 })("standalone pub/sub", (it) => {
  for (const protocol of [2, 3] as const) {
    it.effect(`RESP${protocol}: subscribe, publish, receive; pattern and sharded`, () =>
      Effect.gen(function* () {
        const pubsub = yield* standalone({ protocol })
        const channel = unique("basic")
        const sub = yield* pubsub.subscription("channel", channel)
        const pat = yield* pubsub.subscription("pattern", "basicpat:*")
        const sharded = yield* pubsub.subscription("sharded", `${channel}:s`)
        assert.strictEqual(yield* pubsub.publish(channel, "hello"), 1)
        assert.strictEqual(yield* pubsub.publish("basicpat:x", "via pattern"), 1)
        assert.strictEqual(yield* pubsub.publish(`${channel}:s`, "sharded", { sharded: true }), 1)
        assert.deepStrictEqual(yield* sub.take, { kind: "message", channel, payload: "hello" })
        assert.deepStrictEqual(yield* pat.take, {
          kind: "pmessage",
          channel: "basicpat:x",
          pattern: "basicpat:*",
          payload: "via pattern"
        })
        assert.deepStrictEqual(yield* sharded.take, { kind: "smessage", channel: `${channel}:s`, payload: "sharded" })
        assert.deepStrictEqual(yield* sub.poll, Option.none())
        // the command connection still works alongside
        assert.deepStrictEqual([...(yield* pubsub.numsub([channel]))], [[channel, 1]])
        assert.include(yield* pubsub.channels("basic:*"), channel)
        assert.include(yield* pubsub.shardChannels(), `${channel}:s`)
        assert.isAtLeast(yield* pubsub.numpat, 1)
        assert.strictEqual((yield* pubsub.shardNumsub([`${channel}:s`])).get(`${channel}:s`), 1)
      })
    )

    it.effect(`RESP${protocol}: binary payloads (invalid UTF-8) and a 1 MB payload round-trip`, () =>
      Effect.gen(function* () {
        const pubsub = yield* standalone({ protocol })
        const channel = unique("bytes")
        const sub = yield* pubsub.subscription("channel", channel, { bytes: true })
        const binary = new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x0a, 0x0d])
        const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) % 256)
        yield* pubsub.publish(channel, binary)
        yield* pubsub.publish(channel, big)
        const first = yield* sub.take
        assert.deepStrictEqual([...first.payload], [...binary])
        const second = yield* sub.take
        assert.strictEqual(second.payload.length, big.length)
        assert.isTrue(Buffer.from(second.payload).equals(Buffer.from(big)))
        // the same message as text for a string consumer
        const text = yield* pubsub.subscription("channel", channel)
        const large = "x".repeat(1024 * 1024)
        yield* pubsub.publish(channel, large)
        assert.strictEqual((yield* text.take).payload, large)
      })
    )

    it.effect(
      `RESP${protocol}: with only text consumers payloads come as text, exact; a bytes consumer gets bytes`,
      () =>
        Effect.gen(function* () {
          const pubsub = yield* standalone({ protocol })
          const channel = unique("text")
          const text = yield* pubsub.subscription("channel", channel)
          // A leading BOM is part of the payload; a long non-ASCII one is cut across reads.
          const bom = "\uFEFFhé ✓"
          const long = "é✓x".repeat(20_000)
          yield* pubsub.publish(channel, bom)
          yield* pubsub.publish(channel, long)
          assert.strictEqual((yield* text.take).payload, bom)
          assert.strictEqual((yield* text.take).payload, long)
          const bytes = yield* pubsub.subscription("channel", channel, { bytes: true })
          const binary = new Uint8Array([0xef, 0xbb, 0xbf, 0xff, 0x00, 0x80])
          yield* pubsub.publish(channel, binary)
          assert.deepStrictEqual([...(yield* bytes.take).payload], [...binary])
          assert.strictEqual((yield* text.take).payload, "\uFEFF\uFFFD\u0000\uFFFD")
        })
    )

    it.effect(`RESP${protocol}: three consumers share one server subscription; the last one out unsubscribes`, () =>
      Effect.gen(function* () {
        const pubsub = yield* standalone({ protocol })
        const channel = unique("shared")
        const consumers = yield* Effect.forEach([1, 2, 3], () =>
          pubsub.subscribe(channel).pipe(Stream.take(1), Stream.runCollect, Effect.forkChild)
        )
        yield* eventually(numsub(channel), (n) => n === 1, "subscribed")
        // Leave one by one: interrupting two, then the third ends after one message.
        yield* Fiber.interrupt(consumers[0]!)
        assert.strictEqual(yield* numsub(channel), 1)
        yield* Fiber.interrupt(consumers[1]!)
        assert.strictEqual(yield* numsub(channel), 1)
        // the remaining consumer may still be starting: publish until it took its message
        const got = yield* pubsub
          .publish(channel, "last")
          .pipe(
            Effect.andThen(Fiber.join(consumers[2]!).pipe(Effect.timeoutOption("200 millis"))),
            Effect.repeat({ until: Option.isSome })
          )
        assert.strictEqual(Option.getOrThrow(got)[0]!.payload, "last")
        yield* eventually(numsub(channel), (n) => n === 0, "unsubscribed after the last consumer")
      })
    )

    it.effect(`RESP${protocol}: interrupting a consumer unsubscribes it`, () =>
      Effect.gen(function* () {
        const pubsub = yield* standalone({ protocol })
        const channel = unique("interrupt")
        const events = yield* watchEvents(pubsub, 2)
        const consumer = yield* pubsub.subscribe(channel).pipe(Stream.runDrain, Effect.forkChild)
        yield* eventually(numsub(channel), (n) => n === 1, "subscribed")
        yield* Fiber.interrupt(consumer)
        yield* eventually(numsub(channel), (n) => n === 0, "unsubscribed")
        const seen = yield* Fiber.join(events)
        assert.deepStrictEqual(
          seen.map((e) => [e._tag, e.name]),
          [
            ["Subscribed", channel],
            ["Unsubscribed", channel]
          ]
        )
      })
    )
  }

  it.effect("backpressure: dropping drops the newest, sliding the oldest, both counted", () =>
    Effect.gen(function* () {
      const pubsub = yield* standalone()
      const channel = unique("bp")
      const dropping = yield* pubsub.subscription("channel", channel, { capacity: 2, strategy: "dropping" })
      const sliding = yield* pubsub.subscription("channel", channel, { capacity: 2, strategy: "sliding" })
      for (const m of ["1", "2", "3", "4", "5"]) yield* pubsub.publish(channel, m)
      yield* eventually(dropping.dropped, (n) => n === 3, "dropping counted 3")
      yield* eventually(sliding.dropped, (n) => n === 3, "sliding counted 3")
      assert.deepStrictEqual([(yield* dropping.take).payload, (yield* dropping.take).payload], ["1", "2"])
      assert.deepStrictEqual([(yield* sliding.take).payload, (yield* sliding.take).payload], ["4", "5"])
      assert.strictEqual(yield* pubsub.dropped, 6)
    })
  )

  it.effect("fan-out: messages that come in one read reach each consumer in order, as it asked", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const pubsub = yield* standalone()
      const [a, b] = [unique("fan-a"), unique("fan-b")]
      const both = yield* pubsub.subscription("channel", [a, b])
      const bytes = yield* pubsub.subscription("channel", a, { bytes: true })
      const dropping = yield* pubsub.subscription("channel", a, { capacity: 2, strategy: "dropping" })
      const sliding = yield* pubsub.subscription("channel", a, { capacity: 2, strategy: "sliding" })
      const suspend = yield* pubsub.subscription("channel", a, { capacity: 3 })
      // One script publishes all 20: the server writes them to the subscriber at once.
      const script = "for i = 0, 9 do redis.call('PUBLISH', KEYS[1], i); redis.call('PUBLISH', KEYS[2], i) end"
      yield* server.command(["EVAL", script, "2", a, b])
      const digits = Array.from({ length: 10 }, (_, i) => String(i))
      const seen = yield* Effect.forEach(digits.concat(digits), () =>
        Effect.map(both.take, (m) => `${m.channel}:${m.payload}`)
      )
      assert.deepStrictEqual(
        seen,
        digits.flatMap((d) => [`${a}:${d}`, `${b}:${d}`])
      )
      const decoder = new TextDecoder()
      const raw = yield* Effect.forEach(digits, () => Effect.map(bytes.take, (m) => decoder.decode(m.payload)))
      assert.deepStrictEqual(raw, digits)
      assert.deepStrictEqual(yield* Effect.forEach(digits, () => Effect.map(suspend.take, (m) => m.payload)), digits)
      assert.strictEqual(yield* suspend.dropped, 0)
      assert.strictEqual(yield* dropping.dropped, 8)
      assert.strictEqual(yield* sliding.dropped, 8)
      assert.deepStrictEqual([(yield* dropping.take).payload, (yield* dropping.take).payload], ["0", "1"])
      assert.deepStrictEqual([(yield* sliding.take).payload, (yield* sliding.take).payload], ["8", "9"])
    })
  )

  it.effect("backpressure: suspend (the default) loses nothing with a small buffer", () =>
    Effect.gen(function* () {
      const pubsub = yield* standalone()
      const channel = unique("suspend")
      const sub = yield* pubsub.subscription("channel", channel, { capacity: 4 })
      const messages = Array.from({ length: 500 }, (_, i) => String(i))
      yield* Effect.forEach(messages, (m) => pubsub.publish(channel, m), { discard: true })
      const received = yield* Effect.forEach(messages, () => Effect.map(sub.take, (m) => m.payload))
      assert.deepStrictEqual(received, messages)
      assert.strictEqual(yield* sub.dropped, 0)
    })
  )

  it.effect("a stream still running when the service closes fails with a typed error", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const pubsub = yield* standalone().pipe(Scope.provide(scope))
      const sub = yield* pubsub.subscription("channel", unique("closing")).pipe(Scope.provide(yield* Scope.make()))
      const reader = yield* sub.messages.pipe(Stream.runDrain, Effect.forkChild)
      yield* Scope.close(scope, Exit.void)
      const error = yield* Effect.flip(Fiber.join(reader))
      assert.strictEqual(error.reason, "closed")
    })
  )
})
