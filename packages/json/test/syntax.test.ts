/**
 * What the package sends and how it reads replies, against the valkey-json documentation, for
 * what the recordings do not cover (NOESCAPE, DEBUG DEPTH, Schema-encoded writes, ARRINDEX
 * ranges, ARRPOP index), and the inputs it refuses before sending.
 */
import { Command, RespError } from "@effect-valkey/core"
import { Exit, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Json } from "../src/index.ts"
import { Account, accounts, bigBalance, firstAccountJson } from "./documents.ts"

const words = (command: Command.Command<unknown>): Array<string> => command.args.map(String)

describe("what is sent", () => {
  it("JSON.GET formatting options in the documented order, NOESCAPE included, paths last", () => {
    const command = Json.get("doc", "$.a", { indent: "\t", newline: "\n", space: " ", noEscape: true })
    expect(words(command)).toStrictEqual([
      "JSON.GET",
      "doc",
      "INDENT",
      "\t",
      "NEWLINE",
      "\n",
      "SPACE",
      " ",
      "NOESCAPE",
      "$.a"
    ])
    expect(words(Json.getPaths("doc", [".a", "$.b"]))).toStrictEqual(["JSON.GET", "doc", ".a", "$.b"])
  })

  it("JSON.SET with NX/XX, and a Schema encoding the value before it is written", () => {
    expect(words(Json.set("doc", "$", { a: 1 }, { condition: "NX" }))).toStrictEqual([
      "JSON.SET",
      "doc",
      "$",
      '{"a":1}',
      "NX"
    ])
    const User = Schema.Struct({ name: Schema.String, joined: Schema.Date })
    const command = Json.set(
      "user",
      "$",
      { name: "Ada", joined: new Date("2024-01-02T03:04:05.000Z") },
      { schema: User }
    )
    expect(JSON.parse(String(command.args[3]))).toStrictEqual({ name: "Ada", joined: "2024-01-02T03:04:05.000Z" })
  })

  it("JSON.SET and JSON.MSET with a Schema write its JSON codec's form: Date, BigInt, Option, brands", () => {
    const [first, second] = accounts as [Account, Account]
    expect(JSON.parse(String(Json.set("a", "$", first, { schema: Account }).args[3]))).toStrictEqual(firstAccountJson)
    const mset = Json.mset(
      [
        ["a", "$", first],
        ["b", ".owner", second.owner]
      ] as const,
      { schema: Schema.Union([Account, Account.fields.owner]) }
    )
    expect(words(mset).slice(0, 3)).toStrictEqual(["JSON.MSET", "a", "$"])
    expect(JSON.parse(words(mset)[3]!)).toStrictEqual(firstAccountJson)
    expect(words(mset).slice(4)).toStrictEqual(["b", ".owner", '{"name":"Bob"}'])
  })

  it("ARRINDEX with a range, ARRPOP with an index, DEBUG MEMORY/FIELDS/DEPTH", () => {
    expect(words(Json.arrIndex("doc", "$.a", 3, { start: 1, end: -1 }))).toStrictEqual([
      "JSON.ARRINDEX",
      "doc",
      "$.a",
      "3",
      "1",
      "-1"
    ])
    expect(words(Json.arrPop("doc", ".a", 0))).toStrictEqual(["JSON.ARRPOP", "doc", ".a", "0"])
    expect(words(Json.debugMemory("doc", "$.a"))).toStrictEqual(["JSON.DEBUG", "MEMORY", "doc", "$.a"])
    expect(words(Json.debugFields("doc"))).toStrictEqual(["JSON.DEBUG", "FIELDS", "doc"])
    expect(words(Json.debugDepth("doc"))).toStrictEqual(["JSON.DEBUG", "DEPTH", "doc"])
  })
})

describe("what replies become", () => {
  it("a JSONPath answers one entry per match, a legacy path the value itself", () => {
    expect(Command.settle(Json.get("doc", "$.a"), "[1,2]")).toStrictEqual(Exit.succeed([1, 2]))
    expect(Command.settle(Json.get("doc", ".a"), "1")).toStrictEqual(Exit.succeed(1))
    expect(Command.settle(Json.get("doc", ".a"), null)).toStrictEqual(Exit.succeed(null))
    expect(Command.settle(Json.debugDepth("doc"), 3)).toStrictEqual(Exit.succeed(3))
  })

  it("a Schema mismatch is a DecodeError, a module error a ReplyError", () => {
    const exit = Command.settle(Json.get("doc", ".", { schema: Schema.Struct({ n: Schema.Number }) }), '{"n":"x"}')
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("DecodeError")
    const error = Command.settle(Json.get("doc", ".nope"), new RespError("NONEXISTENT JSON path does not exist"))
    expect(Exit.isFailure(error) && JSON.stringify(error.cause)).toContain("NONEXISTENT")
  })
})

describe("Schema documents read back", () => {
  it("JSON.GET and JSON.MGET decode the JSON codec's form to the Schema's values", () => {
    const [first, second] = accounts as [Account, Account]
    const text = JSON.stringify(firstAccountJson)
    expect(Command.settle(Json.get("a", ".", { schema: Account }), text)).toStrictEqual(Exit.succeed(first))
    expect(Command.settle(Json.get("a", "$", { schema: Account }), `[${text}]`)).toStrictEqual(Exit.succeed([first]))
    const secondText = String(Json.set("b", "$", second, { schema: Account }).args[3])
    expect(
      Command.settle(Json.mget(["a", "none", "b"], ".", { schema: Account }), [text, null, secondText])
    ).toStrictEqual(Exit.succeed([first, null, second]))
    expect(Command.settle(Json.get("a", ".balance", { schema: Schema.BigInt }), `"${bigBalance}"`)).toStrictEqual(
      Exit.succeed(bigBalance)
    )
  })
})

describe("refused before sending", () => {
  it.each([
    ["JSON.SET of a value JSON cannot hold", Json.set("doc", "$", { big: 1n })],
    ["JSON.SET of a value the Schema rejects", Json.set("doc", "$", "x" as never, { schema: Schema.Number })],
    [
      "JSON.SET of an invalid Date through a Schema",
      Json.set("doc", "$", new Date(Number.NaN), { schema: Schema.Date })
    ],
    [
      "JSON.MSET of a value the Schema rejects",
      Json.mset(
        [
          ["a", "$", 1n],
          ["b", "$", 2 as never]
        ],
        { schema: Schema.BigInt }
      )
    ],
    ["JSON.GET with no paths", Json.getPaths("doc", [])],
    ["JSON.MGET with no keys", Json.mget([], "$")],
    ["JSON.MSET with no entries", Json.mset([])]
  ] as const)("%s", (_, command) => {
    expect(command.invalid?._tag).toBe("InvalidArgumentError")
  })
})
