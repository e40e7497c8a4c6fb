/**
 * Every recorded valkey-json exchange, both ways: the bytes the package encodes for the case
 * equal the recorded request, and the recorded reply decodes to the value stated for the case.
 */
import { assert, describe, it } from "@effect/vitest"
import { Command } from "@effect-valkey/core"
import { encodeCommand } from "@effect-valkey/core/internal"
import { Schema } from "effect"
import { Json } from "../src/index.ts"
import { type Case, cases, check, decodeOne, records, user1 } from "./fixtures.ts"

const settle = (command: Command.Command<unknown>, reply: Buffer) => Command.settle(command, decodeOne(reply))

const caseOf = (name: string): Case => {
  const found = cases[name]
  if (found === undefined) throw new Error(`no API call is mapped to the recorded case ${name}`)
  return found
}

describe("recorded valkey-json traffic", () => {
  it("has both protocols for every case, and every case is mapped", () => {
    const names = new Set(records.map((r) => r.name))
    assert.strictEqual(records.length, names.size * 2)
    assert.deepStrictEqual([...names].sort(), Object.keys(cases).sort())
    for (const name of names) {
      assert.deepStrictEqual(
        records.filter((r) => r.name === name).map((r) => r.protocol),
        [2, 3],
        name
      )
    }
  })

  for (const record of records) {
    describe(`${record.name} (RESP${record.protocol})`, () => {
      it("encodes the recorded request", () => {
        const { command } = caseOf(record.name)
        assert.isUndefined(command.invalid)
        assert.deepStrictEqual(command.args.map(String), record.args)
        assert.isTrue(encodeCommand(command.args).equals(record.request), `request bytes of ${record.name}`)
      })

      it("decodes the recorded reply", () => {
        const { command, expected } = caseOf(record.name)
        check(settle(command, record.reply), expected, `${record.name} RESP${record.protocol}`)
      })
    })
  }
})

const recorded = (name: string, protocol: 2 | 3) => {
  const record = records.find((r) => r.name === name && r.protocol === protocol)
  if (record === undefined) throw new Error(`no record ${name} RESP${protocol}`)
  return record
}

const User = Schema.Struct({
  name: Schema.String,
  age: Schema.Number,
  tags: Schema.Array(Schema.String),
  active: Schema.Boolean,
  address: Schema.Struct({ city: Schema.String, zip: Schema.NullOr(Schema.String) })
})

describe("the same recorded replies, read through other API calls", () => {
  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      it("get_format as text: the module's formatting, unparsed", () => {
        const record = recorded("get_format", protocol)
        const command = Json.getText("user:1", "$.address", { indent: "  ", newline: "\n", space: " " })
        assert.isTrue(encodeCommand(command.args).equals(record.request))
        check(
          settle(command, record.reply),
          { value: '[\n  {\n    "city": "London",\n    "zip": null\n  }\n]' },
          "text"
        )
      })

      it("get_root through a Schema: the decoded document (extra fields dropped)", () => {
        const record = recorded("get_root", protocol)
        const command = Json.get("user:1", ".", { schema: User })
        // The root legacy path is the default: sending "." differs from the recording's bare key.
        assert.deepStrictEqual(command.args, ["JSON.GET", "user:1", "."])
        const bare = Command.withDecoder(Json.get("user:1"), command.decode)
        assert.isTrue(encodeCommand(bare.args).equals(record.request))
        const { nested: _n, scores: _s, ...expected } = user1
        check(settle(command, record.reply), { value: expected }, "schema get")
      })

      it("get_root through a Schema that does not match: a typed DecodeError", () => {
        const record = recorded("get_root", protocol)
        const Wrong = Schema.Struct({ name: Schema.Number })
        check(settle(Json.get("user:1", ".", { schema: Wrong }), record.reply), { error: "DecodeError" }, "mismatch")
      })

      it("get_jsonpath through a Schema: one decoded entry per match", () => {
        const record = recorded("get_jsonpath", protocol)
        const command = Json.get("user:1", "$.name", { schema: Schema.String })
        assert.isTrue(encodeCommand(command.args).equals(record.request))
        check(settle(command, record.reply), { value: ["Ada"] }, "schema jsonpath")
      })

      it("get_missing_key through a Schema: null, not a DecodeError", () => {
        const record = recorded("get_missing_key", protocol)
        check(settle(Json.get("nokey", "$", { schema: User }), record.reply), { value: null }, "missing key")
      })

      it("mget through a Schema: decoded per key, null for the missing one", () => {
        const record = recorded("mget", protocol)
        const command = Json.mget(["user:1", "user:2", "nokey"], "$.name", { schema: Schema.String })
        assert.isTrue(encodeCommand(command.args).equals(record.request))
        check(settle(command, record.reply), { value: [["Ada"], ["Bob"], null] }, "schema mget")
      })

      it("a JSONPath reply read with a legacy decoder's expectations fails typed, not thrown", () => {
        // numincrby's reply is "[37.5]"; a legacy path expects a bare number.
        const record = recorded("numincrby", protocol)
        check(settle(Json.numIncrBy("user:1", ".age", 1.5), record.reply), { error: "DecodeError" }, "shape mismatch")
      })
    })
  }
})
