/**
 * The recorded valkey-json traffic (`../shared/fixtures/modules/json.jsonl`, beside the repo) and,
 * for every recorded case, the API call that must produce its request and the value (or error)
 * its reply must decode to. Both RESP2 and RESP3 records of a case decode to the same value.
 */
import { readFileSync } from "node:fs"
import { assert } from "@effect/vitest"
import type { Command, RespValue } from "@effect-valkey/core"
import { RespDecoder } from "@effect-valkey/core/internal"
import { Exit } from "effect"
import { Json } from "../src/index.ts"

export interface FixtureRecord {
  readonly name: string
  readonly protocol: 2 | 3
  readonly args: ReadonlyArray<string>
  readonly request: Buffer
  readonly reply: Buffer
  readonly replyText: string
}

/** Resolved from this file, so it works in the main tree and in a clean clone beside `shared/`. */
export const fixtureUrl = new URL("../../../../shared/fixtures/modules/json.jsonl", import.meta.url)

export const records: ReadonlyArray<FixtureRecord> = readFileSync(fixtureUrl, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => {
    const r = JSON.parse(line) as {
      name: string
      protocol: 2 | 3
      args: Array<string>
      request_b64: string
      reply_b64: string
      reply_text: string
    }
    return {
      name: r.name,
      protocol: r.protocol,
      args: r.args,
      request: Buffer.from(r.request_b64, "base64"),
      reply: Buffer.from(r.reply_b64, "base64"),
      replyText: r.reply_text
    }
  })

/** What a case's reply must become: a value, or a failure with this tag (and server code). */
export type Expected =
  | { readonly value: unknown }
  | { readonly error: "ReplyError"; readonly code: string }
  | { readonly error: "DecodeError" | "InvalidArgumentError" }

export interface Case {
  readonly command: Command.Command<unknown>
  readonly expected: Expected
}

/** The document of `user:1` as the setup wrote it. */
export const user1 = {
  name: "Ada",
  age: 36,
  tags: ["math", "code"],
  active: true,
  address: { city: "London", zip: null },
  scores: [1.5, 2, 3],
  nested: { a: { x: 1 }, b: { x: "two" } }
}

const value = (v: unknown): Expected => ({ value: v })

/** Every recorded case name, mapped to the API call that produces it. */
export const cases: Record<string, Case> = {
  set_root: { command: Json.set("doc", "$", { a: 1 }), expected: value("OK") },
  set_nx_exists: { command: Json.set("user:1", "$", {}, { condition: "NX" }), expected: value(null) },
  set_xx_missing: { command: Json.set("nokey", "$", {}, { condition: "XX" }), expected: value(null) },
  set_path: { command: Json.set("user:1", "$.age", 37), expected: value("OK") },
  set_bad_json: {
    command: Json.set("doc", "$", Json.raw("{bad")),
    expected: { error: "ReplyError", code: "SYNTAXERR" }
  },
  set_wrongtype: { command: Json.set("plain", "$", 1), expected: { error: "ReplyError", code: "WRONGTYPE" } },
  get_root: { command: Json.get("user:1"), expected: value(user1) },
  get_jsonpath: { command: Json.get("user:1", "$.name"), expected: value(["Ada"]) },
  get_legacy: { command: Json.get("user:1", ".name"), expected: value("Ada") },
  get_multi: {
    command: Json.getPaths("user:1", ["$.name", "$.age"]),
    expected: value({ "$.name": ["Ada"], "$.age": [36] })
  },
  get_format: {
    command: Json.get("user:1", "$.address", { indent: "  ", newline: "\n", space: " " }),
    expected: value([{ city: "London", zip: null }])
  },
  get_missing_key: { command: Json.get("nokey", "$"), expected: value(null) },
  get_missing_path: { command: Json.get("user:1", "$.nope"), expected: value([]) },
  get_recursive: { command: Json.get("user:1", "$..x"), expected: value([1, "two"]) },
  mget: { command: Json.mget(["user:1", "user:2", "nokey"], "$.name"), expected: value([["Ada"], ["Bob"], null]) },
  mset: {
    command: Json.mset([
      ["a", "$", { x: 1 }],
      ["b", "$", [1, 2]]
    ]),
    expected: value("OK")
  },
  del_path: { command: Json.del("user:1", "$.tags"), expected: value(1) },
  del_key: { command: Json.del("user:2"), expected: value(1) },
  forget: { command: Json.forget("user:1", "$.active"), expected: value(1) },
  type_jsonpath: {
    command: Json.type("user:1", "$.*"),
    expected: value(["string", "integer", "array", "boolean", "object", "array", "object"])
  },
  type_legacy: { command: Json.type("user:1", ".age"), expected: value("integer") },
  numincrby: { command: Json.numIncrBy("user:1", "$.age", 1.5), expected: value([37.5]) },
  numincrby_legacy: { command: Json.numIncrBy("user:1", ".age", 2), expected: value(38) },
  nummultby: { command: Json.numMultBy("user:1", "$.scores[*]", 2), expected: value([3, 4, 6]) },
  numincrby_wrong: { command: Json.numIncrBy("user:1", "$.name", 1), expected: value([null]) },
  strappend: { command: Json.strAppend("user:1", "$.name", " Lovelace"), expected: value([12]) },
  strlen: { command: Json.strLen("user:1", "$.name"), expected: value([3]) },
  strlen_legacy: { command: Json.strLen("user:1", ".name"), expected: value(3) },
  toggle: { command: Json.toggle("user:1", "$.active"), expected: value([false]) },
  arrappend: { command: Json.arrAppend("user:1", "$.tags", ["poetry", "engines"]), expected: value([4]) },
  arrappend_legacy: { command: Json.arrAppend("user:1", ".tags", ["x"]), expected: value(3) },
  arrindex: { command: Json.arrIndex("user:1", "$.tags", "code"), expected: value([1]) },
  arrinsert: { command: Json.arrInsert("user:1", "$.tags", 0, ["first"]), expected: value([3]) },
  arrlen: { command: Json.arrLen("user:1", "$..tags"), expected: value([2]) },
  arrpop: { command: Json.arrPop("user:1", "$.tags"), expected: value(["code"]) },
  arrpop_index: { command: Json.arrPop("user:1", "$.scores", -1), expected: value([3]) },
  arrtrim: { command: Json.arrTrim("user:1", "$.scores", 0, 1), expected: value([2]) },
  clear: { command: Json.clear("user:1", "$.scores"), expected: value(1) },
  objkeys: { command: Json.objKeys("user:1", "$.address"), expected: value([["city", "zip"]]) },
  objlen: { command: Json.objLen("user:1", "$"), expected: value([7]) },
  resp: { command: Json.resp("user:1", "$.address"), expected: value([{ city: "London", zip: null }]) },
  debug_memory: { command: Json.debugMemory("user:1"), expected: value(464) },
  debug_fields: { command: Json.debugFields("user:1", "$"), expected: value([18]) }
}

/** Decodes exactly one complete reply from `bytes`. */
export const decodeOne = (bytes: Uint8Array): RespValue => {
  const replies: Array<RespValue> = []
  const decoder = new RespDecoder({
    onReply: (reply) => replies.push(reply),
    onPush: () => {
      throw new Error("unexpected push frame in a recorded reply")
    },
    bytesForNextReply: () => false
  })
  const error = decoder.feed(bytes)
  if (error !== undefined) throw new Error(`recorded reply is not valid RESP: ${error.message}`)
  if (replies.length !== 1) throw new Error(`expected one reply, got ${replies.length}`)
  return replies[0]!
}

/** Asserts that a command's outcome is the expected value or typed failure. */
export const check = (exit: Exit.Exit<unknown, { readonly _tag: string }>, expected: Expected, label: string) => {
  if ("value" in expected) {
    assert.isTrue(Exit.isSuccess(exit), `${label}: expected a value, got ${String(exit)}`)
    if (Exit.isSuccess(exit)) assert.deepStrictEqual(exit.value, expected.value, label)
    return
  }
  assert.isTrue(Exit.isFailure(exit), `${label}: expected ${expected.error}`)
  const error = Exit.isFailure(exit) ? Exit.findErrorOption(exit) : undefined
  assert.strictEqual(error?._tag, "Some", `${label}: expected a typed failure`)
  if (error?._tag !== "Some") return
  assert.strictEqual(error.value._tag, expected.error, label)
  if (expected.error === "ReplyError") assert.strictEqual((error.value as { code?: string }).code, expected.code, label)
}
