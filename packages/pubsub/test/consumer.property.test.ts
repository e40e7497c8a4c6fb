/**
 * The consumer's buffer against a model of what each strategy promises: random runs of
 * batches (shared arrays, as the dispatcher hands them), single messages, batch pulls, takes
 * and polls. The live tests (standalone.test.ts) check the same strategies through a server;
 * this one reaches the paths a server rarely shows in a short test (a batch larger than the
 * capacity, overflow split across pulls, a sliding buffer that drops inside a batch).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fc from "fast-check"
import type { Strategy } from "../src/Backpressure.ts"
import { Consumer, type Pausable } from "../src/internal/consumer.ts"
import type { Message } from "../src/Message.ts"

const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant("deliver" as const), n: fc.integer({ min: 1, max: 12 }) }),
    fc.constant({ op: "deliverOne" as const }),
    fc.constant({ op: "pull" as const }),
    fc.constant({ op: "take" as const }),
    fc.constant({ op: "poll" as const })
  ),
  { maxLength: 80 }
)

// Nothing waits in this test: a pull or take is only run when a message is there.
const dispatcher = { scheduleTask: () => assert.fail("nothing waits here"), flush: () => {} }

const message = (i: number): Message<string> => ({ kind: "message", channel: "c", payload: String(i) })

describe("consumer buffer", () => {
  for (const strategy of ["suspend", "dropping", "sliding"] as const satisfies ReadonlyArray<Strategy>) {
    it(`${strategy}: takes give what the strategy keeps, in order; drops are counted`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 8 }), ops, (capacity, script) => {
          let paused = false
          const source: Pausable = {
            pause: () => {
              paused = true
            },
            resume: () => {
              paused = false
            }
          }
          const consumer = new Consumer<string>({ bytes: false, strategy, capacity }, () => {}, dispatcher)
          // The model: the messages the consumer holds (buffer and overflow), oldest first.
          let held: Array<number> = []
          let dropped = 0
          let next = 0
          const arrive = (ids: Array<number>) => {
            if (strategy === "dropping") {
              const room = Math.max(capacity - held.length, 0)
              held.push(...ids.slice(0, room))
              dropped += Math.max(ids.length - room, 0)
            } else {
              held.push(...ids)
              if (strategy === "sliding" && held.length > capacity) {
                dropped += held.length - capacity
                held = held.slice(held.length - capacity)
              }
            }
          }
          for (const step of script) {
            switch (step.op) {
              case "deliver": {
                const ids = Array.from({ length: step.n }, () => next++)
                const batch = ids.map(message)
                consumer.deliver(batch, source)
                arrive(ids)
                break
              }
              case "deliverOne": {
                const id = next++
                consumer.deliverOne(message(id), source)
                arrive([id])
                break
              }
              case "pull": {
                if (held.length === 0) break
                const batch = Effect.runSync(consumer.pull).map((m) => Number(m.payload))
                assert.isAtMost(batch.length, capacity)
                assert.deepStrictEqual(batch, held.slice(0, batch.length))
                held = held.slice(batch.length)
                break
              }
              case "take": {
                if (held.length === 0) break
                assert.strictEqual(Number(Effect.runSync(consumer.take).payload), held.shift())
                break
              }
              case "poll": {
                const polled = Effect.runSync(consumer.poll)
                assert.strictEqual(Option.isSome(polled) ? Number(polled.value.payload) : undefined, held.shift())
              }
            }
            assert.strictEqual(consumer.dropped, dropped)
            // Only "suspend" stops the reading: exactly while it holds more than fits.
            assert.strictEqual(paused, strategy === "suspend" && held.length > capacity)
          }
          // Whatever is held comes out, then nothing; the reading goes on.
          while (held.length > 0) assert.strictEqual(Number(Effect.runSync(consumer.take).payload), held.shift())
          assert.isTrue(Option.isNone(Effect.runSync(consumer.poll)))
          assert.isFalse(paused)
        }),
        { numRuns: 300 }
      )
    })
  }

  it.effect("a closed consumer ends its stream after what it holds; a failed one fails after it", () =>
    Effect.gen(function* () {
      const consumer = new Consumer<string>({ bytes: false, strategy: "suspend", capacity: 4 }, () => {}, dispatcher)
      const source: Pausable = { pause: () => {}, resume: () => {} }
      consumer.deliver([message(1), message(2)], source)
      consumer.close()
      consumer.deliverOne(message(3), source)
      assert.deepStrictEqual(
        (yield* consumer.pull).map((m) => m.payload),
        ["1", "2"]
      )
      const end = yield* Effect.flip(consumer.pull)
      assert.strictEqual(end._tag, "Done")
    })
  )
})
