import { assert, describe, it } from "@effect/vitest"
import { RespError } from "@effect-valkey/core"
import { command, parse } from "../src/internal/frames.ts"

const bytes = (text: string) => new TextEncoder().encode(text)

describe("frames", () => {
  it("messages of each kind, with bytes payloads kept exact", () => {
    const payload = new Uint8Array([0xff, 0x00])
    const message = parse([bytes("message"), bytes("ch"), payload])
    assert.strictEqual(message?.type, "message")
    if (message?.type !== "message") return
    assert.deepStrictEqual(message.asBytes(), { kind: "message", channel: "ch", payload })
    assert.strictEqual(message.asText(), message.asText()) // built once
    const pmessage = parse([bytes("pmessage"), bytes("p*"), bytes("px"), bytes("hi")])
    assert.deepStrictEqual(pmessage?.type === "message" ? pmessage.asText() : undefined, {
      kind: "pmessage",
      channel: "px",
      pattern: "p*",
      payload: "hi"
    })
    const smessage = parse([bytes("smessage"), bytes("s"), bytes("x")])
    assert.strictEqual(smessage?.type === "message" ? smessage.kind : undefined, "sharded")
  })

  it("a payload read as text serves text consumers as is and bytes consumers as UTF-8", () => {
    const message = parse([bytes("message"), bytes("ch"), "\uFEFFhé"])
    if (message?.type !== "message") return assert.fail("not a message")
    assert.strictEqual(message.asText().payload, "\uFEFFhé")
    assert.deepStrictEqual(message.asBytes().payload, bytes("\uFEFFhé"))
  })

  it("confirmations, errors, and frames pub/sub ignores", () => {
    assert.deepStrictEqual(parse([bytes("ssubscribe"), bytes("a"), 1]), {
      type: "subscribed",
      kind: "sharded",
      name: "a"
    })
    assert.deepStrictEqual(parse([bytes("punsubscribe"), bytes("p*"), 0]), {
      type: "unsubscribed",
      kind: "pattern",
      name: "p*"
    })
    // UNSUBSCRIBE with nothing subscribed names no channel
    assert.strictEqual(parse([bytes("unsubscribe"), null, 0]), undefined)
    assert.deepStrictEqual(parse(new RespError("NOPERM no permission")), {
      type: "error",
      message: "NOPERM no permission"
    })
    assert.strictEqual(parse([bytes("pong"), bytes("")]), undefined)
    assert.strictEqual(parse([bytes("invalidate"), [bytes("k")]]), undefined)
  })

  it("commands", () => {
    assert.deepStrictEqual(command("channel", true, "a"), ["SUBSCRIBE", "a"])
    assert.deepStrictEqual(command("pattern", false, "a*"), ["PUNSUBSCRIBE", "a*"])
    assert.deepStrictEqual(command("sharded", true, "s"), ["SSUBSCRIBE", "s"])
  })
})
