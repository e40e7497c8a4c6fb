import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { ProtocolError } from "../../src/errors.ts"
import type { DecoderOptions } from "../../src/resp/decoder.ts"
import { harness } from "./harness.ts"
import { cut, encodeWire, expected, normalize, topLevel, wire } from "./wire.ts"

const chunksOf = (data: Buffer, points: ReadonlyArray<number>, oneByte: boolean): Array<Buffer> => {
  if (!oneByte) return cut(data, points)
  const chunks: Array<Buffer> = []
  for (let i = 0; i < data.length; i++) chunks.push(data.subarray(i, i + 1))
  return chunks
}

describe("RespDecoder: round trip", () => {
  it("decodes any sequence of RESP2/RESP3 frames, cut at any bytes, as the frames encode, in chunks kept or reused", () => {
    fc.assert(
      fc.property(
        fc.array(topLevel, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        (messages, points, oneByte, reusedChunks) => {
          const data = encodeWire(...messages.map((m) => m.frame))
          const replyFlags = messages.flatMap((m) => (m.kind === "reply" ? [m.bytes] : []))
          const h = harness({ reusedChunks }, replyFlags)
          const chunks = chunksOf(data, points, oneByte)
          expect(reusedChunks ? h.feedReused(chunks) : h.feedAll(chunks)).toBeUndefined()
          expect(h.events.map((e) => ({ kind: e.kind, value: normalize(e.value) }))).toStrictEqual(
            messages.map((m) =>
              m.kind === "reply"
                ? { kind: "reply", value: expected(m.frame, m.bytes) }
                : { kind: "push", value: expected(m.frame, false) }
            )
          )
          expect(h.state.asked).toBe(replyFlags.length)
          expect(h.decoder.idle).toBe(true)
        }
      ),
      { numRuns: 2000 }
    )
  })
})

describe("RespDecoder: big bulk strings", () => {
  it("a cut bulk string over 64 KiB decodes like Buffer#toString, whatever the bytes and cuts", () => {
    const pieces = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s)))
    )
    fc.assert(
      fc.property(
        fc.array(pieces, { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (parts, points) => {
          // Repeat random material past the 64 KiB threshold.
          const unit = Buffer.concat(parts)
          const payload = Buffer.concat(Array.from({ length: Math.ceil(70_000 / unit.length) }, () => unit))
          const data = Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from("\r\n")])
          for (const reusedChunks of [false, true]) {
            const h = harness({ reusedChunks })
            const chunks = cut(data, [...points, 5000])
            expect(reusedChunks ? h.feedReused(chunks) : h.feedAll(chunks)).toBeUndefined()
            expect(h.replies()).toStrictEqual([payload.toString("utf8")])
          }
        }
      ),
      { numRuns: 50 }
    )
  })
})

/** Feeds chunks; checks every return is undefined or a ProtocolError and that a failure sticks. */
const survives = (chunks: ReadonlyArray<Uint8Array>, options: DecoderOptions = {}) => {
  const h = harness(options, [true, false, true])
  let failure: ProtocolError | undefined
  for (const chunk of chunks) {
    const result = h.decoder.feed(chunk)
    if (result !== undefined) expect(result).toBeInstanceOf(ProtocolError)
    if (failure !== undefined) expect(result).toBe(failure)
    failure = result
  }
  return failure
}

const mutation = fc.oneof(
  fc.record({
    op: fc.constant("set" as const),
    at: fc.nat(),
    byte: fc.oneof(fc.nat(255), fc.constantFrom(13, 10, 45, 48, 57, 42, 36))
  }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), byte: fc.constant(0) }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat(), byte: fc.constant(0) })
)

const mutate = (data: Buffer, mutations: ReadonlyArray<{ op: string; at: number; byte: number }>): Buffer => {
  let bytes = [...data]
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + (m.op === "insert" ? 1 : 0))
    if (m.op === "set" && bytes.length > 0) bytes[at] = m.byte
    else if (m.op === "insert") bytes.splice(at, 0, m.byte)
    else if (m.op === "delete") bytes.splice(at, 1)
    else if (m.op === "truncate") bytes = bytes.slice(0, at)
  }
  return Buffer.from(bytes)
}

describe("RespDecoder: hostile input", () => {
  it("never throws on random bytes, whole or cut", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, points) => {
        survives([bytes])
        survives(cut(Buffer.from(bytes), points))
      }),
      { numRuns: 10_000 }
    )
  })

  it("never throws on mutated valid streams, with default and tight limits", () => {
    fc.assert(
      fc.property(
        fc.array(wire, { minLength: 1, maxLength: 4 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (frames, mutations, points, tight) => {
          const data = mutate(encodeWire(...frames), mutations)
          const options = tight ? { maxDepth: 3, maxBulkLength: 16, maxArrayLength: 4, maxInlineLength: 8 } : {}
          survives(cut(data, points), options)
        }
      ),
      { numRuns: 10_000 }
    )
  })

  it("an error is final until reset", () => {
    const h = harness()
    const error = h.decoder.feed(Buffer.from("+OK\r\n?"))
    expect(error).toBeInstanceOf(ProtocolError)
    expect(h.decoder.feed(Buffer.from("+OK\r\n"))).toBe(error)
    expect(h.replies()).toStrictEqual(["OK"])
  })

  const malformed: ReadonlyArray<readonly [string, string, DecoderOptions?]> = [
    ["unknown type byte", "@foo\r\n"],
    ["inline command instead of RESP", "PING\r\n"],
    ["non-numeric length", "$abc\r\n"],
    ["empty length", "$\r\n"],
    ["negative length other than -1", "$-2\r\n"],
    ["negative array length other than -1", "*-5\r\n"],
    ["nil map", "%-1\r\n"],
    ["nil set", "~-1\r\n"],
    ["nil push", ">-1\r\n"],
    ["nil verbatim", "=-1\r\n"],
    ["nil bulk error", "!-1\r\n"],
    ["length with too many digits", "$12345678901234567\r\n"],
    ["streamed string", "$?\r\n;4\r\nabcd\r\n;0\r\n"],
    ["streamed aggregate", "*?\r\n:1\r\n.\r\n"],
    ["length with a sign", "$+3\r\nabc\r\n"],
    ["bulk payload without CRLF", "$3\r\nabcXY"],
    ["bulk payload longer than announced", "$2\r\nabc\r\n"],
    ["CR without LF after a simple string", "+OK\rX"],
    ["CR without LF after a length", "*1\rX"],
    ["CR without LF after an integer", ":1\rX"],
    ["non-numeric integer", ":12a\r\n"],
    ["empty integer", ":\r\n"],
    ["sign-only integer", ":-\r\n"],
    ["bad double", ",abc\r\n"],
    ["empty double", ",\r\n"],
    ["hex double", ",0x10\r\n"],
    ["JavaScript Infinity", ",Infinity\r\n"],
    ["bad boolean", "#x\r\n"],
    ["long boolean", "#tt\r\n"],
    ["bad null", "_x\r\n"],
    ["bad big number", "(12a\r\n"],
    ["empty big number", "(\r\n"],
    ["verbatim shorter than its format", "=3\r\ntxt\r\n"],
    ["verbatim without colon", "=5\r\ntxtab\r\n"],
    ["bulk over maxBulkLength", "$11\r\nhello world\r\n", { maxBulkLength: 10 }],
    ["bulk header over maxBulkLength, payload never sent", "$536870913\r\n"],
    ["array over maxArrayLength", "*5\r\n", { maxArrayLength: 4 }],
    ["map over maxArrayLength", "%5\r\n", { maxArrayLength: 4 }],
    ["map over the engine limit", "%16777217\r\n"],
    ["set over the engine limit", "~16777217\r\n"],
    ["nesting over maxDepth", "*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", { maxDepth: 3 }],
    ["nesting over the default maxDepth", `${"*1\r\n".repeat(257)}:1\r\n`],
    ["attribute nesting over maxDepth", "|1\r\n|1\r\n|1\r\n+a\r\n+b\r\n+c\r\n+d\r\n:1\r\n", { maxDepth: 2 }],
    ["simple string over maxInlineLength", `+${"a".repeat(65)}\r\n`, { maxInlineLength: 64 }],
    ["line without CRLF over maxInlineLength", `+${"a".repeat(100)}`, { maxInlineLength: 64 }],
    ["integer without CRLF over maxInlineLength", `:${"1".repeat(100)}`, { maxInlineLength: 64 }],
    ["error without CRLF over the default maxInlineLength", `-${"e".repeat(70_000)}`]
  ]

  for (const [name, input, options = {}] of malformed) {
    it(`${name} is a ProtocolError, whole or byte by byte`, () => {
      const data = Buffer.from(input, "latin1")
      const whole = harness(options)
      expect(whole.decoder.feed(data)).toBeInstanceOf(ProtocolError)
      const bytewise = harness(options)
      let error: ProtocolError | undefined
      for (let i = 0; i < data.length && error === undefined; i++)
        error = bytewise.decoder.feed(data.subarray(i, i + 1))
      expect(error).toBeInstanceOf(ProtocolError)
    })
  }

  it("limits let through what they allow", () => {
    const ok = (input: string, options: DecoderOptions) => {
      const h = harness(options)
      expect(h.decoder.feed(Buffer.from(input))).toBeUndefined()
      expect(h.replies().length).toBe(1)
    }
    ok("$10\r\nhelloworld\r\n", { maxBulkLength: 10 })
    ok("*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n", { maxArrayLength: 4 })
    ok("*1\r\n*1\r\n*1\r\n:1\r\n", { maxDepth: 3 })
    ok(`${"*1\r\n".repeat(256)}:1\r\n`, {})
    ok(`+${"a".repeat(64)}\r\n`, { maxInlineLength: 64 })
  })

  it("a huge announced array reserves nothing until its elements arrive", () => {
    const h = harness()
    expect(h.decoder.feed(Buffer.from("*4294967295\r\n:1\r\n"))).toBeUndefined()
    expect(h.decoder.idle).toBe(false)
  })
})
