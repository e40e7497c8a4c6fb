import { assert, describe, it } from "@effect/vitest"
import { Command, VerbatimString } from "@effect-valkey/core"
import { ValkeyRedis } from "../src/index.ts"

describe("replies and commands (no server)", () => {
  it("toReply gives RESP2 shapes", () => {
    assert.deepStrictEqual(
      ValkeyRedis.toReply(
        new Map<string, unknown>([
          ["a", "1"],
          ["b", new Set(["x"])]
        ]) as never
      ),
      ["a", "1", "b", ["x"]]
    )
    assert.deepStrictEqual(ValkeyRedis.toReply(new Map([["s", [["1-1", ["f", "v"]]]]]) as never, "xread"), [
      ["s", [["1-1", ["f", "v"]]]]
    ])
    assert.strictEqual(ValkeyRedis.toReply(new VerbatimString("txt", "hello")), "hello")
    assert.strictEqual(ValkeyRedis.toReply(true), 1)
    assert.isNull(ValkeyRedis.toReply(false))
    assert.deepStrictEqual(ValkeyRedis.toReply([1, null, "x", [2]]), [1, null, "x", [2]])
  })

  it("blockMillisOf finds the block time of blocking commands", () => {
    assert.strictEqual(Command.blockMillisOf("BLPOP", ["a", "b", "1.5"]), 1500)
    assert.strictEqual(Command.blockMillisOf("brpop", ["a", "0"]), 0)
    assert.strictEqual(Command.blockMillisOf("BLMOVE", ["a", "b", "LEFT", "RIGHT", "2"]), 2000)
    assert.strictEqual(Command.blockMillisOf("BZMPOP", ["0.25", "1", "z", "MIN"]), 250)
    assert.strictEqual(
      Command.blockMillisOf("XREADGROUP", ["GROUP", "g", "c", "block", "300", "STREAMS", "s", ">"]),
      300
    )
    assert.isUndefined(Command.blockMillisOf("XREAD", ["COUNT", "1", "STREAMS", "s", "0"]))
    assert.strictEqual(Command.blockMillisOf("WAIT", ["1", "100"]), 100)
    assert.strictEqual(Command.blockMillisOf("WAITAOF", ["1", "0", "100"]), 100)
    assert.isUndefined(Command.blockMillisOf("GET", ["k"]))
    assert.isUndefined(Command.blockMillisOf("BLPOP", ["k", "soon"]))
    const command = ValkeyRedis.commandOf("BLPOP", ["k", "2"])
    assert.strictEqual(command.blockMillis, 2000)
    assert.isTrue(command.serverRouted)
    assert.deepStrictEqual(command.args, ["BLPOP", "k", "2"])
  })
})
