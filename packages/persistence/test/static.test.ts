import { assert, describe, it } from "@effect/vitest"
import { VerbatimString } from "@effect-valkey/core"
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
    assert.strictEqual(ValkeyRedis.blockMillisOf("BLPOP", ["a", "b", "1.5"]), 1500)
    assert.strictEqual(ValkeyRedis.blockMillisOf("brpop", ["a", "0"]), 0)
    assert.strictEqual(ValkeyRedis.blockMillisOf("BLMOVE", ["a", "b", "LEFT", "RIGHT", "2"]), 2000)
    assert.strictEqual(ValkeyRedis.blockMillisOf("BZMPOP", ["0.25", "1", "z", "MIN"]), 250)
    assert.strictEqual(
      ValkeyRedis.blockMillisOf("XREADGROUP", ["GROUP", "g", "c", "block", "300", "STREAMS", "s", ">"]),
      300
    )
    assert.isUndefined(ValkeyRedis.blockMillisOf("XREAD", ["COUNT", "1", "STREAMS", "s", "0"]))
    assert.strictEqual(ValkeyRedis.blockMillisOf("WAIT", ["1", "100"]), 100)
    assert.strictEqual(ValkeyRedis.blockMillisOf("WAITAOF", ["1", "0", "100"]), 100)
    assert.isUndefined(ValkeyRedis.blockMillisOf("GET", ["k"]))
    assert.isUndefined(ValkeyRedis.blockMillisOf("BLPOP", ["k", "soon"]))
    const command = ValkeyRedis.commandOf("BLPOP", ["k", "2"])
    assert.strictEqual(command.blockMillis, 2000)
    assert.isTrue(command.serverRouted)
    assert.deepStrictEqual(command.args, ["BLPOP", "k", "2"])
  })
})
