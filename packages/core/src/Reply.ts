/**
 * Reply decoders: each turns a raw RESP value into a command's typed value, and gives the
 * same JS value under RESP2 and RESP3 (a RESP3 map and a RESP2 flat array decode alike, as do
 * a RESP3 double and a RESP2 bulk string holding a number).
 *
 * @since 0.1.0
 */
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { DecodeFailure, type Decoder } from "./Command.ts"
import { RespError, type RespValue, VerbatimString } from "./resp/types.ts"

const fail = (expected: string, reply: RespValue): never => {
  throw new DecodeFailure(`expected ${expected}, got ${describe(reply)}`)
}

const describe = (reply: RespValue): string => {
  if (reply === null) return "null"
  if (Array.isArray(reply)) return `an array of ${reply.length}`
  if (reply instanceof Map) return "a map"
  if (reply instanceof Set) return "a set"
  if (reply instanceof Uint8Array) return "bytes"
  if (reply instanceof RespError) return `an error (${reply.message})`
  return typeof reply
}

const utf8 = new TextDecoder()

/**
 * The reply as a string: strings and verbatim strings as they are, bytes as UTF-8, numbers in
 * decimal. Not `null`.
 *
 * @since 0.1.0
 * @category decoders
 */
export const text = (reply: RespValue): string => {
  if (typeof reply === "string") return reply
  if (reply instanceof VerbatimString) return reply.text
  if (reply instanceof Uint8Array) return utf8.decode(reply)
  if (typeof reply === "number" || typeof reply === "bigint") return String(reply)
  return fail("a string", reply)
}

/**
 * The raw value, untouched.
 *
 * @since 0.1.0
 * @category decoders
 */
export const raw: Decoder<RespValue> = (reply) => reply

/**
 * A bulk string (a `Uint8Array` when the command asked for bytes).
 *
 * @since 0.1.0
 * @category decoders
 */
export const string: Decoder<string> = (reply) =>
  typeof reply === "string" || reply instanceof Uint8Array ? (reply as string) : text(reply)

/**
 * A bulk string or nil.
 *
 * @since 0.1.0
 * @category decoders
 */
export const nullableString: Decoder<string | null> = (reply) =>
  reply === null || typeof reply === "string" || reply instanceof Uint8Array ? (reply as string | null) : text(reply)

/**
 * The status reply `OK`.
 *
 * @since 0.1.0
 * @category decoders
 */
export const ok: Decoder<"OK"> = (reply) => (text(reply) === "OK" ? "OK" : fail("OK", reply))

/**
 * `OK`, or nil when a condition (NX, XX, IFEQ) stopped the write.
 *
 * @since 0.1.0
 * @category decoders
 */
export const okOrNull: Decoder<"OK" | null> = (reply) => (reply === null ? null : ok(reply))

/**
 * An integer reply.
 *
 * @since 0.1.0
 * @category decoders
 */
export const integer: Decoder<number> = (reply) => {
  if (typeof reply === "number") return reply
  if (typeof reply === "bigint") return Number(reply)
  const n = Number(text(reply))
  return Number.isFinite(n) ? n : fail("an integer", reply)
}

/**
 * An integer reply, or nil.
 *
 * @since 0.1.0
 * @category decoders
 */
export const nullableInteger: Decoder<number | null> = (reply) => (reply === null ? null : integer(reply))

/**
 * An integer 0/1 (or a RESP3 boolean) as a boolean.
 *
 * @since 0.1.0
 * @category decoders
 */
export const boolean: Decoder<boolean> = (reply) => (typeof reply === "boolean" ? reply : integer(reply) !== 0)

/**
 * A floating point number: a RESP3 double, or a RESP2 bulk string such as `"3.5"`, `"inf"`.
 *
 * @since 0.1.0
 * @category decoders
 */
export const double: Decoder<number> = (reply) => {
  if (typeof reply === "number") return reply
  const s = text(reply).toLowerCase()
  if (s === "inf" || s === "+inf") return Infinity
  if (s === "-inf") return -Infinity
  if (s === "nan") return NaN
  const n = Number(s)
  return Number.isNaN(n) ? fail("a number", reply) : n
}

/**
 * A double, or nil.
 *
 * @since 0.1.0
 * @category decoders
 */
export const nullableDouble: Decoder<number | null> = (reply) => (reply === null ? null : double(reply))

/**
 * An array whose elements are decoded by `item`; a set decodes as an array too.
 *
 * @since 0.1.0
 * @category decoders
 */
export const array =
  <A>(item: Decoder<A>): Decoder<Array<A>> =>
  (reply) => {
    if (Array.isArray(reply)) {
      const out = new Array<A>(reply.length)
      for (let i = 0; i < reply.length; i++) out[i] = item(reply[i])
      return out
    }
    if (reply instanceof Set) return Array.from(reply as ReadonlySet<RespValue>, item)
    return fail("an array", reply)
  }

/**
 * An array, or nil.
 *
 * @since 0.1.0
 * @category decoders
 */
export const nullableArray = <A>(item: Decoder<A>): Decoder<Array<A> | null> => {
  const decode = array(item)
  return (reply) => (reply === null ? null : decode(reply))
}

/**
 * A set reply (RESP3 `~`, RESP2 array) as a JS `Set`.
 *
 * @since 0.1.0
 * @category decoders
 */
export const set = <A>(item: Decoder<A>): Decoder<Set<A>> => {
  const decode = array(item)
  return (reply) => new Set(decode(reply))
}

/**
 * The pairs of a RESP3 map, or of a RESP2 flat array `[k1, v1, k2, v2, …]`.
 *
 * @since 0.1.0
 * @category decoders
 */
export const pairs = (reply: RespValue): Array<readonly [RespValue, RespValue]> => {
  if (reply instanceof Map) return Array.from(reply as ReadonlyMap<RespValue, RespValue>)
  if (Array.isArray(reply)) {
    // RESP2 flat list, or a list of [k, v] pairs (as RESP3 sends some WITHSCORES replies).
    if (reply.length > 0 && Array.isArray(reply[0])) {
      return reply.map((pair) => [(pair as Array<RespValue>)[0], (pair as Array<RespValue>)[1]] as const)
    }
    if (reply.length % 2 !== 0) return fail("an even number of elements", reply)
    const out = new Array<readonly [RespValue, RespValue]>(reply.length / 2)
    for (let i = 0; i < reply.length; i += 2) out[i / 2] = [reply[i], reply[i + 1]] as const
    return out
  }
  return fail("a map", reply)
}

/**
 * A map with string keys as a plain record (HGETALL, CONFIG GET).
 *
 * @since 0.1.0
 * @category decoders
 */
export const record =
  <A>(value: Decoder<A>): Decoder<Record<string, A>> =>
  (reply) => {
    const out: Record<string, A> = {}
    for (const [k, v] of pairs(reply)) out[text(k)] = value(v)
    return out
  }

/**
 * A map as a JS `Map`, keys and values decoded.
 *
 * @since 0.1.0
 * @category decoders
 */
export const map =
  <K, V>(key: Decoder<K>, value: Decoder<V>): Decoder<Map<K, V>> =>
  (reply) => {
    const out = new Map<K, V>()
    for (const [k, v] of pairs(reply)) out.set(key(k), value(v))
    return out
  }

/**
 * A nil-able variant of any decoder.
 *
 * @since 0.1.0
 * @category decoders
 */
export const nullable =
  <A>(decode: Decoder<A>): Decoder<A | null> =>
  (reply) =>
    reply === null ? null : decode(reply)

/**
 * A fixed-length array decoded element by element.
 *
 * @since 0.1.0
 * @category decoders
 */
export const tuple =
  <const D extends ReadonlyArray<Decoder<unknown>>>(
    ...decoders: D
  ): Decoder<{ -readonly [I in keyof D]: D[I] extends Decoder<infer A> ? A : never }> =>
  (reply) => {
    if (!Array.isArray(reply) || reply.length !== decoders.length) {
      return fail(`an array of ${decoders.length}`, reply)
    }
    return decoders.map((decode, i) => decode(reply[i])) as never
  }

/**
 * The fields of a structured reply that its decoder does not name, as the server sent them:
 * servers add fields over versions (Valkey 9 added `databases` to ACL GETUSER), and a reply
 * with more fields than a decoder knows still decodes, keeping them here.
 *
 * @since 0.2.0
 * @category models
 */
export type Extra = Record<string, RespValue>

/**
 * A map reply with known field names (RESP3 map, RESP2 flat array) as an object: each
 * property names the server's field and its decoder, `{ lastId: ["last-generated-id",
 * Reply.string] }`. A field the reply lacks is decoded from `null`, so nullable decoders give
 * `null` and the others fail naming the field. Fields the shape does not name are kept, as
 * sent, in `extra`: a server that adds a field never breaks the decoder.
 *
 * @since 0.1.0
 * @category decoders
 */
export const struct = <const S extends Readonly<Record<string, readonly [name: string, decode: Decoder<unknown>]>>>(
  shape: S
): Decoder<{ -readonly [K in keyof S]: S[K][1] extends Decoder<infer A> ? A : never } & { extra: Extra }> => {
  const entries = Object.entries(shape)
  const known = new Set(entries.map(([, [field]]) => field))
  return (reply) => {
    const found = new Map<string, RespValue>()
    const extra: Extra = {}
    for (const [k, v] of pairs(reply)) {
      const field = text(k)
      if (known.has(field)) found.set(field, v)
      else extra[field] = v
    }
    const out: Record<string, unknown> = {}
    for (const [property, [field, decode]] of entries) {
      try {
        out[property] = decode(found.get(field) ?? null)
      } catch (cause) {
        if (!(cause instanceof DecodeFailure)) throw cause
        throw new DecodeFailure(`field ${field}: ${cause.message}`, cause.cause)
      }
    }
    out.extra = extra
    return out as never
  }
}

/**
 * An array whose first elements are decoded one by one, and whose further elements (a newer
 * server's additions, as LATENCY LATEST's sum and count in Valkey 9) are kept as sent, last in
 * the tuple. Fewer elements than decoders is a decode failure.
 *
 * @since 0.2.0
 * @category decoders
 */
export const leading =
  <const D extends ReadonlyArray<Decoder<unknown>>>(
    ...decoders: D
  ): Decoder<[...{ -readonly [I in keyof D]: D[I] extends Decoder<infer A> ? A : never }, Array<RespValue>]> =>
  (reply) => {
    if (!Array.isArray(reply) || reply.length < decoders.length) {
      return fail(`an array of at least ${decoders.length}`, reply)
    }
    const out: Array<unknown> = decoders.map((decode, i) => decode(reply[i]))
    out.push(reply.slice(decoders.length))
    return out as never
  }

/**
 * Text made of `name=value` words on lines (CLIENT LIST, CLIENT INFO) as one record per line.
 *
 * @since 0.1.0
 * @category decoders
 */
export const lineRecords: Decoder<Array<Record<string, string>>> = (reply) => {
  const out: Array<Record<string, string>> = []
  for (const line of text(reply).split("\n")) {
    const trimmed = line.trim()
    if (trimmed === "") continue
    const record: Record<string, string> = {}
    for (const word of trimmed.split(" ")) {
      const at = word.indexOf("=")
      if (at > 0) record[word.slice(0, at)] = word.slice(at + 1)
    }
    out.push(record)
  }
  return out
}

/**
 * A Schema as a decoder: of a reply (`custom`, a script's result) or of a value another decoder
 * has read (a JSON document, a search hit's fields). A value that does not match throws
 * `DecodeFailure` with the Schema's issue as its cause, so the command fails with a typed
 * `DecodeError`; `what` names the value in the message, and a call may name it afresh (`document k`).
 *
 * @since 0.2.0
 * @category decoders
 */
export const schema = <A>(
  schema: Schema.ConstraintDecoder<A>,
  what = "the reply"
): ((value: unknown, name?: string) => A) => {
  const decode = Schema.decodeUnknownExit(schema)
  return (value, name = what) => {
    const exit = decode(value)
    if (Exit.isSuccess(exit)) return exit.value
    const error = Exit.findErrorOption(exit)
    const issue = error._tag === "Some" ? error.value.message : String(exit.cause)
    throw new DecodeFailure(
      `${name} does not match the schema: ${issue}`,
      error._tag === "Some" ? error.value : exit.cause
    )
  }
}
