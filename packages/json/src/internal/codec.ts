/**
 * How the JSON commands write values and read replies: the routing facts they share, the JSON
 * text of a value (through a document Schema's JSON codec when there is one) with the reason a
 * value cannot be sent, and the decoders of every reply shape the module answers (per path
 * syntax: JSONPath replies hold one entry per match, legacy paths one value).
 */
import { Args, Command, type Key, Reply, type RespValue, VerbatimString } from "@effect-valkey/core"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { isJsonPath } from "../JsonPath.ts"
import { type DocumentSchema, type JsonType, type JsonValue, RawJson, type RespJson } from "../JsonValue.ts"

// --- shared constants ------------------------------------------------------------------------

export const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
export const WRITE_KEY: Command.CommandOptions = { keys: 1 }
export const DEBUG_KEY: Command.CommandOptions = { keys: 2, readonly: true }
export const ROOT = "."

// --- argument checks -------------------------------------------------------------------------

/** Why a value cannot be sent. */
export class Unusable {
  readonly reason: string
  constructor(reason: string) {
    this.reason = reason
  }
}

/** The JSON text of a value (or of a `RawJson`), or why it has none. */
export const jsonText = (value: unknown): string | Unusable => {
  if (value instanceof RawJson) return value.text
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (cause) {
    return new Unusable(`the value has no JSON text: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
  return text === undefined ? new Unusable(`the value has no JSON text (${typeof value})`) : text
}

export const { badFinite, badInteger } = Args

/** Appends the JSON text of each value to `args`, or returns why one cannot be sent. */
export const pushValues = (args: Array<Key | number>, values: ReadonlyArray<unknown>): Unusable | undefined => {
  for (const value of values) {
    const text = jsonText(value)
    if (text instanceof Unusable) return text
    args.push(text)
  }
  return undefined
}

// --- Schema ----------------------------------------------------------------------------------

export type ValueDecoder<A> = (value: unknown) => A

/** Why a value could not be encoded: the SchemaError's message (the cause itself if it is no error). */
export const schemaIssue = (exit: Exit.Exit<unknown, Schema.SchemaError>): string => {
  const error = Exit.findErrorOption(exit)
  return error._tag === "Some" ? error.value.message : String(Exit.isFailure(exit) ? exit.cause : exit)
}

/** How a document Schema reads parsed JSON and writes JSON text. */
export interface DocumentCodec {
  readonly decode: ValueDecoder<unknown>
  readonly text: (value: unknown) => string | Unusable
}

export const documentCodecs = new WeakMap<object, DocumentCodec>()

/**
 * A document Schema through Effect Schema's JSON codec (`Schema.toCodecJson`), derived once per
 * Schema: a `Date` is written as its ISO string, a `bigint` as a string, an `Option` as
 * `{ _tag, value }`, and read back through the same codec, so what `set` writes `get` reads. A
 * Schema whose values are JSON already (strings, numbers, structs of them) is unchanged by it.
 */
export const documentCodec = (schema: DocumentSchema<unknown>): DocumentCodec => {
  const cached = documentCodecs.get(schema)
  if (cached !== undefined) return cached
  const codec = Schema.toCodecJson(schema)
  const encodeExit = Schema.encodeUnknownExit(codec)
  const made: DocumentCodec = {
    decode: Reply.schema(codec, "the document"),
    text: (value) => {
      const exit = encodeExit(value)
      if (Exit.isFailure(exit)) return new Unusable(`the value does not match the schema: ${schemaIssue(exit)}`)
      return jsonText(exit.value)
    }
  }
  documentCodecs.set(schema, made)
  return made
}

/** A decoder of parsed JSON through a Schema's JSON codec; a mismatch throws DecodeFailure. */
export const schemaDecoder = <A>(schema: DocumentSchema<A>): ValueDecoder<A> =>
  documentCodec(schema as DocumentSchema<unknown>).decode as ValueDecoder<A>

/** The JSON text of `value` encoded through `schema`'s JSON codec, or why it cannot be sent. */
export const schemaText = <A>(schema: DocumentSchema<A>, value: A): string | Unusable =>
  documentCodec(schema as DocumentSchema<unknown>).text(value)

// --- reply decoders --------------------------------------------------------------------------

export const fail = (message: string): never => {
  throw new Command.DecodeFailure(message)
}

export const parse = (text: string): JsonValue => {
  try {
    return JSON.parse(text) as JsonValue
  } catch (cause) {
    throw new Command.DecodeFailure(`the reply is not JSON: ${JSON.stringify(text.slice(0, 60))}`, cause)
  }
}

/** A bulk string of JSON text, parsed. */
export const json: Command.Decoder<JsonValue> = (reply) => parse(Reply.text(reply))

export const nullableJson: Command.Decoder<JsonValue | null> = Reply.nullable(json)

/** JSON text that must be an array (the JSONPath form of a reply): one entry per match. */
export const jsonArray = (reply: RespValue): Array<JsonValue> => {
  const value = json(reply)
  return Array.isArray(value) ? value : fail(`expected a JSON array of matches, got ${describe(value)}`)
}

export const describe = (value: JsonValue): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : typeof value

export const isRecord = (value: JsonValue): value is { [key: string]: JsonValue } =>
  value !== null && typeof value === "object" && !Array.isArray(value)

export const number = (value: JsonValue): number =>
  typeof value === "number" ? value : fail(`expected a number, got ${describe(value)}`)

export const numberOrNull = (value: JsonValue): number | null => (value === null ? null : number(value))

/** JSON.NUMINCRBY / NUMMULTBY: JSON text `[n, null, …]` (JSONPath) or `n` (legacy). */
export const numbersReply: Command.Decoder<Array<number | null>> = (reply) => jsonArray(reply).map(numberOrNull)
export const numberReply: Command.Decoder<number> = (reply) => number(json(reply))

export const integers = Reply.array(Reply.nullableInteger)
export const nullableIntegers = Reply.nullable(integers)

export const toggled: Command.Decoder<boolean> = (reply) => {
  if (typeof reply === "boolean") return reply
  if (typeof reply === "number") return reply !== 0
  const text = Reply.text(reply)
  return text === "true" ? true : text === "false" ? false : fail(`expected true or false, got ${text}`)
}
export const toggledMatches = Reply.array(Reply.nullable(toggled))

export const typeName = Reply.text as Command.Decoder<JsonType>
export const typeNames = Reply.nullable(Reply.array(typeName))
export const nullableTypeName = Reply.nullable(typeName)

export const popped = Reply.array(nullableJson)

export const keyList = Reply.array(Reply.string)
export const nullableKeyList = Reply.nullable(keyList)
export const keyLists = Reply.nullable(Reply.array(nullableKeyList))

/** A member name in JSON.RESP form (a bulk or simple string). */
export const memberName = (reply: RespValue): string => Reply.text(reply)

/**
 * One value in JSON.RESP form: `["{", [k, v], …]` or `["{", k, v, …]`, `["[", …]`, scalars.
 * valkey-json 1.0.2 sends those arrays under RESP3 too; a RESP3 map, set or an array without a
 * `[`/`{` marker, as a later module might send, is read as the object or array it stands for
 * rather than refused.
 */
export const respJson = (reply: RespValue): RespJson => {
  if (reply === null || typeof reply === "string" || typeof reply === "number" || typeof reply === "boolean") {
    return reply
  }
  if (typeof reply === "bigint") return Number(reply)
  if (reply instanceof VerbatimString || reply instanceof Uint8Array) return Reply.text(reply)
  if (reply instanceof Map) {
    const entries: Array<[string, RespJson]> = []
    for (const [k, v] of reply as ReadonlyMap<RespValue, RespValue>) entries.push([memberName(k), respJson(v)])
    return Object.fromEntries(entries)
  }
  if (reply instanceof Set) return Array.from(reply as ReadonlySet<RespValue>, respJson)
  if (Array.isArray(reply)) {
    const items = reply as ReadonlyArray<RespValue>
    const first = items[0]
    const head = typeof first === "string" || first instanceof Uint8Array ? Reply.text(first) : undefined
    if (head === "[") return items.slice(1).map(respJson)
    if (head === "{") {
      const entries: Array<[string, RespJson]> = []
      if (items.length > 1 && Array.isArray(items[1])) {
        for (let i = 1; i < items.length; i++) {
          const member = items[i]
          if (!Array.isArray(member) || member.length !== 2) return fail("expected [key, value] members after {")
          entries.push([memberName(member[0]), respJson(member[1])])
        }
      } else {
        if ((items.length - 1) % 2 !== 0) return fail("expected key/value pairs after {")
        for (let i = 1; i < items.length; i += 2) entries.push([memberName(items[i]!), respJson(items[i + 1]!)])
      }
      return Object.fromEntries(entries)
    }
    return items.map(respJson)
  }
  return fail("expected a value in JSON.RESP form")
}

/** JSONPath form: one value per match; nil when the key does not exist (valkey-json 1.0.2). */
export const respMatches = Reply.nullable(Reply.array(respJson))
export const nullableResp = Reply.nullable(respJson)

export const debugNumbers = Reply.nullable(Reply.array(Reply.integer))

/** Chooses the decoder by path syntax, the module's own rule. */
export const byPath = <J, L>(path: string, jsonPath: Command.Decoder<J>, legacy: Command.Decoder<L>) =>
  (isJsonPath(path) ? jsonPath : legacy) as Command.Decoder<never>
