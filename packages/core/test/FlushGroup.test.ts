import { assert, describe, it, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { Commands, ValkeyConfig } from "../src/index.ts"
import { Connection, FlushGroup } from "../src/internal.ts"

const nextTurn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

describe("FlushGroup", () => {
  it.effect("runs each scheduled flush once, after the tick, in one pass per turn", () =>
    Effect.gen(function* () {
      const group = new FlushGroup()
      const order: Array<string> = []
      group.schedule(() => {
        order.push("a")
        // scheduled during the pass: the next turn's pass
        group.schedule(() => order.push("c"))
      })
      group.schedule(() => order.push("b"))
      process.nextTick(() => order.push("tick"))
      assert.deepStrictEqual(order, [])
      yield* nextTurn
      assert.deepStrictEqual(order, ["tick", "a", "b"])
      yield* nextTurn
      assert.deepStrictEqual(order, ["tick", "a", "b", "c"])
    })
  )
})

layer(ValkeyServer.layer(), { excludeTestServices: true })("connections sharing a FlushGroup", (it) => {
  it.effect("commands spread over them from many fibers each get their own reply", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const { connection: options } = yield* ValkeyConfig.resolve({ port: server.port })
      const flushGroup = new FlushGroup()
      const connections = yield* Effect.forEach([0, 1, 2], () => Connection.make({ ...options, flushGroup }))
      const replies = yield* Effect.forEach(
        Array.from({ length: 3000 }, (_, i) => i),
        (i) => connections[i % 3]!.send(Commands.connection.echo(`m${i}`)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(
        replies,
        Array.from({ length: 3000 }, (_, i) => `m${i}`)
      )
    })
  )
})
