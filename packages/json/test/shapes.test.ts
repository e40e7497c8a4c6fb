/**
 * The replies valkey-json 1.0.2 sent live that the recordings do not hold (see `shapes.ts`),
 * decoded from their captured bytes; and the shapes a later module may send, which must not turn
 * a working command into a `DecodeError`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Command } from "@effect-valkey/core"
import { Exit, Schema } from "effect"
import { Json } from "../src/index.ts"
import { check, decodeOne } from "./fixtures.ts"
import { capturedKeys, shapes } from "./shapes.ts"

describe("live valkey-json 1.0.2 replies the recordings do not hold", () => {
  for (const [name, shape] of Object.entries(shapes)) {
    it(`${name}: sends the captured command, decodes both protocols' replies`, () => {
      const command = shape.command(capturedKeys)
      assert.isUndefined(command.invalid)
      assert.deepStrictEqual(command.args.map(String), shape.args)
      for (const protocol of [2, 3] as const) {
        const reply = decodeOne(Buffer.from(shape.replies[protocol], "latin1"))
        check(Command.settle(command, reply), shape.expected, `${name} RESP${protocol}`)
      }
    })
  }
})

describe("what a later module may add is kept, not refused", () => {
  it("JSON.RESP as RESP3 maps, sets and arrays without a [ or { marker", () => {
    const reply = new Map<string, unknown>([
      ["a", 1],
      ["b", new Set(["x"])],
      ["c", [1, 2]],
      ["d", ["{", "k", true]]
    ])
    assert.deepStrictEqual(
      Command.settle(Json.resp("doc"), reply as never),
      Exit.succeed({
        a: 1,
        b: ["x"],
        c: [1, 2],
        d: { k: true }
      })
    )
  })

  it("a type name JSON.TYPE does not list yet comes through", () => {
    assert.deepStrictEqual(
      Command.settle(Json.type("doc", "$.*"), ["decimal", "string"]),
      Exit.succeed(["decimal", "string"])
    )
  })

  it("a document with members the Schema does not name decodes; several paths with an extra entry too", () => {
    const Named = Schema.Struct({ name: Schema.String })
    assert.deepStrictEqual(
      Command.settle(Json.get("doc", ".", { schema: Named }), '{"name":"Ada","added":{"by":"a later writer"}}'),
      Exit.succeed({ name: "Ada" })
    )
    assert.deepStrictEqual(
      Command.settle(Json.getPaths("doc", ["$.a", "$.b"]), '{"$.a":[1],"$.b":[],"$.meta":{"v":2}}'),
      Exit.succeed({ "$.a": [1], "$.b": [], "$.meta": { v: 2 } } as never)
    )
  })
})
