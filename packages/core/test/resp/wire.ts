/**
 * Test support: a description of RESP frames as they appear on the wire (`Wire`), their
 * encoding, the value the decoder must produce for them, and fast-check arbitraries.
 *
 * A wire description rather than a `RespValue` because the wire has more forms than values
 * (simple vs bulk string, RESP2 nil vs RESP3 null, attributes that decode to nothing), and a
 * fake server that sends garbage needs those forms too.
 *
 * @since 0.1.0
 */
import * as fc from "fast-check"
import { RespError, RespPush, type RespValue, VerbatimString } from "../../src/resp/types.ts"

/**
 * One RESP frame as sent on the wire.
 *
 * @since 0.1.0
 * @category models
 */
export type Wire =
  | { readonly t: "simple"; readonly s: string }
  | { readonly t: "error"; readonly s: string }
  | { readonly t: "int"; readonly n: number | bigint }
  | { readonly t: "bulk"; readonly s: string | Uint8Array }
  | { readonly t: "nullBulk" }
  | { readonly t: "nullArray" }
  | { readonly t: "null" }
  | { readonly t: "bool"; readonly b: boolean }
  | { readonly t: "double"; readonly d: number; readonly exponent: boolean }
  | { readonly t: "bignum"; readonly n: bigint }
  | { readonly t: "bulkError"; readonly s: string }
  | { readonly t: "verbatim"; readonly format: string; readonly text: string }
  | { readonly t: "array"; readonly items: ReadonlyArray<Wire> }
  | { readonly t: "map"; readonly entries: ReadonlyArray<readonly [Wire, Wire]> }
  | { readonly t: "set"; readonly items: ReadonlyArray<Wire> }
  | { readonly t: "push"; readonly items: ReadonlyArray<Wire> }
  | { readonly t: "attr"; readonly entries: ReadonlyArray<readonly [Wire, Wire]>; readonly value: Wire }

const utf8 = (s: string | Uint8Array): Buffer => (typeof s === "string" ? Buffer.from(s, "utf8") : Buffer.from(s))

const doubleText = (d: number, exponent: boolean): string => {
  if (Number.isNaN(d)) return "nan"
  if (d === Number.POSITIVE_INFINITY) return "inf"
  if (d === Number.NEGATIVE_INFINITY) return "-inf"
  if (Object.is(d, -0)) return "-0"
  return exponent ? d.toExponential() : String(d)
}

/**
 * The bytes of one frame, appended to `out`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeWireInto = (w: Wire, out: Array<Buffer>): void => {
  switch (w.t) {
    case "simple":
      out.push(Buffer.from(`+${w.s}\r\n`, "utf8"))
      return
    case "error":
      out.push(Buffer.from(`-${w.s}\r\n`, "utf8"))
      return
    case "int":
      out.push(Buffer.from(`:${w.n}\r\n`))
      return
    case "bulk":
    case "bulkError": {
      const data = utf8(w.s)
      out.push(Buffer.from(`${w.t === "bulk" ? "$" : "!"}${data.length}\r\n`), data, Buffer.from("\r\n"))
      return
    }
    case "verbatim": {
      const data = Buffer.concat([Buffer.from(`${w.format}:`), utf8(w.text)])
      out.push(Buffer.from(`=${data.length}\r\n`), data, Buffer.from("\r\n"))
      return
    }
    case "nullBulk":
      out.push(Buffer.from("$-1\r\n"))
      return
    case "nullArray":
      out.push(Buffer.from("*-1\r\n"))
      return
    case "null":
      out.push(Buffer.from("_\r\n"))
      return
    case "bool":
      out.push(Buffer.from(w.b ? "#t\r\n" : "#f\r\n"))
      return
    case "double":
      out.push(Buffer.from(`,${doubleText(w.d, w.exponent)}\r\n`))
      return
    case "bignum":
      out.push(Buffer.from(`(${w.n}\r\n`))
      return
    case "array":
    case "set":
    case "push":
      out.push(Buffer.from(`${w.t === "array" ? "*" : w.t === "set" ? "~" : ">"}${w.items.length}\r\n`))
      for (const item of w.items) encodeWireInto(item, out)
      return
    case "map":
      out.push(Buffer.from(`%${w.entries.length}\r\n`))
      for (const [k, v] of w.entries) {
        encodeWireInto(k, out)
        encodeWireInto(v, out)
      }
      return
    case "attr":
      out.push(Buffer.from(`|${w.entries.length}\r\n`))
      for (const [k, v] of w.entries) {
        encodeWireInto(k, out)
        encodeWireInto(v, out)
      }
      encodeWireInto(w.value, out)
      return
  }
}

/**
 * The bytes of a sequence of frames.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeWire = (...frames: ReadonlyArray<Wire>): Buffer => {
  const out: Array<Buffer> = []
  for (const w of frames) encodeWireInto(w, out)
  return Buffer.concat(out)
}

const toInt = (n: number | bigint): number | bigint =>
  typeof n === "bigint" && n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n

const bytesOf = (s: string | Uint8Array): Uint8Array => new Uint8Array(utf8(s))

/**
 * The value the decoder must produce for a frame; `bytes`: strings as bytes.
 *
 * @since 0.1.0
 * @category decoding
 */
export const expected = (w: Wire, bytes: boolean): RespValue => {
  switch (w.t) {
    case "simple":
      return bytes ? bytesOf(w.s) : w.s
    case "bulk":
      return bytes ? bytesOf(w.s) : utf8(w.s).toString("utf8")
    case "error":
    case "bulkError":
      return new RespError(w.s)
    case "verbatim":
      return bytes ? bytesOf(w.text) : new VerbatimString(w.format, w.text)
    case "int":
      return toInt(w.n)
    case "nullBulk":
    case "nullArray":
    case "null":
      return null
    case "bool":
      return w.b
    case "double":
      return w.d
    case "bignum":
      return w.n
    case "array":
      return w.items.map((item) => expected(item, bytes))
    case "set":
      return new Set(w.items.map((item) => expected(item, bytes)))
    case "push":
      return new RespPush(w.items.map((item) => expected(item, bytes)))
    case "map":
      return new Map(w.entries.map(([k, v]) => [expected(k, bytes), expected(v, bytes)]))
    case "attr":
      return expected(w.value, bytes)
  }
}

/**
 * Decoded values with every `Buffer` turned into a plain `Uint8Array`, so deep equality does
 * not depend on which of the two the decoder chose.
 *
 * @since 0.1.0
 * @category decoding
 */
export const normalize = (v: RespValue): RespValue => {
  if (v instanceof Uint8Array) return new Uint8Array(v)
  if (Array.isArray(v)) return v.map(normalize)
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [normalize(k), normalize(x)]))
  if (v instanceof Set) return new Set([...v].map(normalize))
  if (v instanceof RespPush) return new RespPush(v.data.map(normalize))
  return v
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const lineText = fc
  .string({ unit: fc.oneof(fc.constantFrom("a", "Z", "0", " ", ":", "é", "日", "😀"), fc.string({ maxLength: 1 })) })
  .map((s) => s.replace(/[\r\n]/g, "_"))

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("", "\r\n", "\r", "\n", "$3\r\nabc\r\n", "*-1\r\n"),
  fc.string({ unit: fc.constantFrom("\r", "\n", "a", "é", "😀"), maxLength: 20 })
)

const scalar: fc.Arbitrary<Wire> = fc.oneof(
  lineText.map((s) => ({ t: "simple", s }) as const),
  lineText.map((s) => ({ t: "error", s: `ERR ${s}` }) as const),
  fc
    .oneof(
      fc.integer(),
      fc.maxSafeInteger(),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.constantFrom(0, -1, 2 ** 53 - 1, -(2 ** 53) + 1, 2n ** 53n, -(2n ** 53n))
    )
    .map((n) => ({ t: "int", n }) as const),
  anyText.map((s) => ({ t: "bulk", s }) as const),
  fc.uint8Array({ maxLength: 40 }).map((s) => ({ t: "bulk", s }) as const),
  fc.constant({ t: "nullBulk" } as const),
  fc.constant({ t: "nullArray" } as const),
  fc.constant({ t: "null" } as const),
  fc.boolean().map((b) => ({ t: "bool", b }) as const),
  fc
    .record({ d: fc.double(), exponent: fc.boolean() })
    .map(({ d, exponent }) => ({ t: "double", d, exponent }) as const),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).map((n) => ({ t: "bignum", n }) as const),
  anyText.map((s) => ({ t: "bulkError", s: `ERR ${s}` }) as const),
  fc
    .record({ format: fc.constantFrom("txt", "mkd"), text: anyText })
    .map(({ format, text }) => ({ t: "verbatim", format, text }) as const)
)

/**
 * Any frame, nested up to a few levels, every RESP2 and RESP3 form.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const wire: fc.Arbitrary<Wire> = fc.letrec<{ wire: Wire }>((tie) => {
  const child = tie("wire")
  const entries = fc.array(fc.tuple(child, child), { maxLength: 4 })
  return {
    wire: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      fc.array(child, { maxLength: 6 }).map((items) => ({ t: "array", items }) as const),
      entries.map((e) => ({ t: "map", entries: e }) as const),
      fc.array(child, { maxLength: 5 }).map((items) => ({ t: "set", items }) as const),
      fc.array(child, { maxLength: 3 }).map((items) => ({ t: "push", items }) as const),
      fc.record({ entries, value: child }).map(({ entries, value }) => ({ t: "attr", entries, value }) as const)
    )
  }
}).wire

/**
 * A top-level message: a reply (decoded as bytes or not) or a push frame.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export type TopLevel =
  | { readonly kind: "reply"; readonly frame: Wire; readonly bytes: boolean }
  | { readonly kind: "push"; readonly frame: Wire & { readonly t: "push" } }

/**
 * A top-level message; replies that are themselves pushes are excluded (they would be routed
 * as pushes), and a push may be preceded by an attribute.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const topLevel: fc.Arbitrary<TopLevel> = fc.oneof(
  fc
    .record({ frame: wire, bytes: fc.boolean() })
    .filter(({ frame }) => !isPushAtTop(frame))
    .map(({ frame, bytes }) => ({ kind: "reply", frame, bytes }) as const),
  fc.array(wire, { maxLength: 4 }).map((items) => ({ kind: "push", frame: { t: "push", items } }) as const)
)

const isPushAtTop = (w: Wire): boolean => w.t === "push" || (w.t === "attr" && isPushAtTop(w.value))

/**
 * Cuts `data` into chunks at the given (sorted, deduplicated) cut points.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const cut = (data: Buffer, points: ReadonlyArray<number>): Array<Buffer> => {
  const sorted = [...new Set(points.map((p) => p % (data.length + 1)))].sort((a, b) => a - b)
  const chunks: Array<Buffer> = []
  let previous = 0
  for (const p of sorted) {
    chunks.push(data.subarray(previous, p))
    previous = p
  }
  chunks.push(data.subarray(previous))
  return chunks
}
