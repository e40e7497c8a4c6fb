import { describe, expect, it } from "@effect/vitest"
import { ProtocolError } from "../../src/errors.ts"
import { RespDecoder } from "../../src/resp/decoder.ts"
import { RespError, RespPush, VerbatimString } from "../../src/resp/types.ts"
import { decodeAll, harness } from "./harness.ts"
import { normalize } from "./wire.ts"

/** Decodes `input` whole, then again one byte at a time, and checks both give `expected`. */
const same = (input: string, expected: ReadonlyArray<unknown>) => {
  const whole = decodeAll(input)
  expect(whole.error).toBeUndefined()
  expect(whole.replies).toStrictEqual(expected)
  const h = harness()
  const bytes = Buffer.from(input, "utf8")
  for (let i = 0; i < bytes.length; i++) expect(h.decoder.feed(bytes.subarray(i, i + 1))).toBeUndefined()
  expect(h.replies()).toStrictEqual(expected)
}

describe("RespDecoder: types", () => {
  it("simple strings, including the +OK fast path and UTF-8", () => {
    same("+OK\r\n+PONG\r\n+\r\n+héllo 日本\r\n", ["OK", "PONG", "", "héllo 日本"])
  })

  it("errors, simple and bulk", () => {
    same("-ERR unknown command\r\n!21\r\nSYNTAX invalid syntax\r\n-WRONGTYPE\r\n", [
      new RespError("ERR unknown command"),
      new RespError("SYNTAX invalid syntax"),
      new RespError("WRONGTYPE")
    ])
    expect(new RespError("ERR unknown command").code).toBe("ERR")
  })

  it("integers, with bigint beyond 2^53 and no -0", () => {
    same(":0\r\n:-0\r\n:+5\r\n:1000\r\n:-42\r\n:9007199254740991\r\n:9007199254740992\r\n:-9223372036854775808\r\n", [
      0,
      0,
      5,
      1000,
      -42,
      Number.MAX_SAFE_INTEGER,
      9007199254740992n,
      -9223372036854775808n
    ])
    expect(Object.is(decodeAll(":-0\r\n").replies[0], 0)).toBe(true)
  })

  it("bulk strings, empty, unicode, with CRLF inside, and the RESP2 nil", () => {
    same("$5\r\nhello\r\n$0\r\n\r\n$-1\r\n$4\r\na\r\nb\r\n$6\r\nhé日\r\n", ["hello", "", null, "a\r\nb", "hé日"])
  })

  it("arrays, nested, empty, and the RESP2 nil array", () => {
    same("*2\r\n$3\r\nfoo\r\n*2\r\n:1\r\n*0\r\n*0\r\n*-1\r\n", [["foo", [1, []]], [], null])
  })

  it("RESP3 null and booleans", () => {
    same("_\r\n#t\r\n#f\r\n", [null, true, false])
  })

  it("doubles: decimals, exponents, inf, -inf, nan", () => {
    const { replies, error } = decodeAll(
      ",1.5\r\n,-0.25\r\n,1e10\r\n,-1.5E-3\r\n,inf\r\n,-inf\r\n,nan\r\n,3\r\n,-0\r\n"
    )
    expect(error).toBeUndefined()
    expect(replies.slice(0, 6)).toStrictEqual([1.5, -0.25, 1e10, -1.5e-3, Infinity, -Infinity])
    expect(Number.isNaN(replies[6])).toBe(true)
    expect(replies[7]).toBe(3)
    expect(Object.is(replies[8], -0)).toBe(true)
  })

  it("big numbers", () => {
    same("(3492890328409238509324850943850943825024385\r\n(-1\r\n(0\r\n", [
      3492890328409238509324850943850943825024385n,
      -1n,
      0n
    ])
  })

  it("verbatim strings", () => {
    same("=15\r\ntxt:Some string\r\n=4\r\nmkd:\r\n", [
      new VerbatimString("txt", "Some string"),
      new VerbatimString("mkd", "")
    ])
  })

  it("maps and sets", () => {
    same("%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n~2\r\n#t\r\n#f\r\n~3\r\n+a\r\n+b\r\n+a\r\n%0\r\n~0\r\n", [
      new Map<unknown, unknown>([
        ["first", 1],
        ["second", new Set([true, false])]
      ]),
      new Set(["a", "b"]),
      new Map(),
      new Set()
    ])
  })

  it("attributes are skipped, at top level and nested", () => {
    same("|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n", [
      [2039123, 9543892]
    ])
    same("*3\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n|0\r\n:3\r\n", [[1, 2, 3]])
    same("%1\r\n|1\r\n+a\r\n+b\r\n+k\r\n|1\r\n+a\r\n*1\r\n+x\r\n+v\r\n", [new Map([["k", "v"]])])
  })
})

describe("RespDecoder: push frames", () => {
  it("routes top-level pushes to onPush, between and around replies", () => {
    const h = harness()
    const input = ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n:1\r\n>0\r\n|1\r\n+a\r\n+b\r\n>1\r\n+x\r\n+OK\r\n"
    expect(h.decoder.feed(Buffer.from(input))).toBeUndefined()
    expect(h.events).toStrictEqual([
      { kind: "push", value: new RespPush(["message", "ch", "hi"]) },
      { kind: "reply", value: 1 },
      { kind: "push", value: new RespPush([]) },
      { kind: "push", value: new RespPush(["x"]) },
      { kind: "reply", value: "OK" }
    ])
    // Pushes never consume a bytes-mode question.
    expect(h.state.asked).toBe(2)
  })

  it("treats a nested push as a value", () => {
    same("*2\r\n>1\r\n+a\r\n:1\r\n", [[new RespPush(["a"]), 1]])
  })
})

describe("RespDecoder: bytes mode", () => {
  it("asks once per reply and decodes that reply's strings as bytes", () => {
    const h = harness({}, [true, false, true])
    const input = "*3\r\n$3\r\nfoo\r\n+bar\r\n=8\r\ntxt:body\r\n$3\r\nfoo\r\n*2\r\n:1\r\n-ERR x\r\n"
    const bytes = Buffer.from(input)
    for (let i = 0; i < bytes.length; i++) expect(h.decoder.feed(bytes.subarray(i, i + 1))).toBeUndefined()
    expect(h.state.asked).toBe(3)
    expect(h.replies().map(normalize)).toStrictEqual([
      [new Uint8Array(Buffer.from("foo")), new Uint8Array(Buffer.from("bar")), new Uint8Array(Buffer.from("body"))],
      "foo",
      [1, new RespError("ERR x")]
    ])
  })

  it("keeps binary payloads intact, as views or as copies", () => {
    const payload = Buffer.from([0, 255, 13, 10, 128, 200])
    for (const reusedChunks of [false, true]) {
      const h = harness({ reusedChunks }, [true])
      const chunk = Buffer.concat([Buffer.from("$6\r\n"), payload, Buffer.from("\r\n")])
      h.decoder.feed(chunk)
      const value = h.replies()[0] as Uint8Array
      expect(Buffer.from(value).equals(payload)).toBe(true)
      expect(value.buffer === chunk.buffer).toBe(!reusedChunks)
    }
  })

  it("push frames decode as strings even when the next reply wants bytes", () => {
    const h = harness({}, [true])
    h.decoder.feed(Buffer.from(">1\r\n$1\r\na\r\n$1\r\nb\r\n"))
    expect(h.events.map((e) => normalize(e.value))).toStrictEqual([new RespPush(["a"]), new Uint8Array([98])])
  })
})

describe("RespDecoder: chunking", () => {
  it("accepts plain Uint8Array chunks and empty chunks", () => {
    const h = harness()
    expect(
      h.feedAll([
        new Uint8Array(0),
        new TextEncoder().encode("+O"),
        new Uint8Array(0),
        new TextEncoder().encode("K\r\n")
      ])
    ).toBeUndefined()
    expect(h.replies()).toStrictEqual(["OK"])
    expect(h.decoder.idle).toBe(true)
  })

  it("decodes a 16 MiB bulk string in 4 KiB chunks, resumed once", () => {
    const size = 16 * 1024 * 1024
    const data = Buffer.alloc(size, "x")
    const input = Buffer.concat([Buffer.from(`$${size}\r\n`), data, Buffer.from("\r\n:7\r\n")])
    const h = harness()
    for (let i = 0; i < input.length; i += 4096) expect(h.decoder.feed(input.subarray(i, i + 4096))).toBeUndefined()
    const replies = h.replies()
    expect(replies.length).toBe(2)
    expect((replies[0] as string).length).toBe(size)
    expect(replies[0] === data.toString()).toBe(true)
    expect(replies[1]).toBe(7)
    // Resumed once for the payload (not once per chunk).
    expect(h.decoder.resumes).toBeLessThanOrEqual(2)
  })

  // A cut payload is decoded as it comes (text over 4 KiB), copied into its final buffer (up to
  // 1 MiB), or kept in pieces and joined (beyond): each way, through one reused buffer.
  const payloads = [
    { name: "long text", size: 5000, bytes: false },
    { name: "short text", size: 3000, bytes: false },
    { name: "bytes", size: 3000, bytes: true },
    { name: "bytes past 1 MiB", size: 2 * 1024 * 1024 + 3, bytes: true }
  ]
  const chunksOf = (input: Buffer, size: number) =>
    Array.from({ length: Math.ceil(input.length / size) }, (_, i) => input.subarray(i * size, (i + 1) * size))

  it("a cut payload arrives whole, each way, through one reused buffer", () => {
    for (const { name, size, bytes } of payloads) {
      const payload = Buffer.from(Array.from({ length: size }, (_, i) => 97 + (i % 26)))
      const input = Buffer.concat([Buffer.from(`$${size}\r\n`), payload, Buffer.from("\r\n:7\r\n")])
      const h = harness({ reusedChunks: true }, [bytes])
      expect(h.feedReused(chunksOf(input, 7777)), name).toBeUndefined()
      const [value, seven] = h.replies()
      expect(bytes ? Buffer.from(value as Uint8Array).equals(payload) : value === payload.toString(), name).toBe(true)
      expect(seven).toBe(7)
    }
  })

  it("UTF-8 characters cut between chunks survive the piecewise decode", () => {
    // 6,001 bytes of 1- to 4-byte characters: the last one is cut, which UTF-8 decoding replaces.
    const payload = Buffer.from(Array.from({ length: 6001 }, (_, i) => "aé€😀"[i % 4]!).join("")).subarray(0, 6001)
    const input = Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from("\r\n")])
    for (const size of [1, 2, 3, 5, 1000]) {
      const h = harness({ reusedChunks: true })
      expect(h.feedReused(chunksOf(input, size))).toBeUndefined()
      expect(h.replies()).toStrictEqual([payload.toString()])
    }
  })

  it("a cut payload not followed by CRLF is a ProtocolError, each way", () => {
    for (const { name, size, bytes } of payloads) {
      const input = Buffer.concat([Buffer.from(`$${size}\r\n`), Buffer.alloc(size, 120), Buffer.from("XY")])
      const h = harness({ reusedChunks: true }, [bytes])
      const error = h.feedReused([input.subarray(0, 100), input.subarray(100)])
      expect(error, name).toBeInstanceOf(ProtocolError)
      expect(error?.message, name).toBe("Expected CRLF after bulk payload")
    }
  })

  it("decodes a big array of small elements in small chunks without re-parsing it", () => {
    const n = 100_000
    const parts = [`*${n}\r\n`]
    for (let i = 0; i < n; i++) parts.push(`$${String(i).length}\r\n${i}\r\n`)
    const input = Buffer.from(parts.join(""))
    const h = harness()
    const chunkSize = 1000
    for (let i = 0; i < input.length; i += chunkSize) {
      expect(h.decoder.feed(input.subarray(i, i + chunkSize))).toBeUndefined()
    }
    const reply = h.replies()[0] as Array<string>
    expect(reply.length).toBe(n)
    expect(reply[0]).toBe("0")
    expect(reply[n - 1]).toBe(String(n - 1))
    // Each chunk boundary cuts one element, finished once (twice for a cut header: the line,
    // then its payload), so the work stays linear in the input.
    expect(h.decoder.resumes).toBeLessThanOrEqual(2 * Math.ceil(input.length / chunkSize))
  })

  it("a long line arriving byte by byte is joined once", () => {
    const text = "x".repeat(10_000)
    const h = harness()
    const input = Buffer.from(`+${text}\r\n`)
    for (let i = 0; i < input.length; i++) h.decoder.feed(input.subarray(i, i + 1))
    expect(h.replies()).toStrictEqual([text])
    expect(h.decoder.resumes).toBe(input.length - 1)
  })

  it("reset drops partial state and a failure", () => {
    const h = harness()
    h.decoder.feed(Buffer.from("*2\r\n$3\r\nfo"))
    expect(h.decoder.idle).toBe(false)
    h.decoder.reset()
    expect(h.decoder.idle).toBe(true)
    expect(h.decoder.feed(Buffer.from("@"))).toBeInstanceOf(ProtocolError)
    h.decoder.reset()
    expect(h.decoder.feed(Buffer.from("+OK\r\n"))).toBeUndefined()
    expect(h.replies()).toStrictEqual(["OK"])
  })

  it("a handler that resets the decoder stops the current chunk", () => {
    const seen: Array<unknown> = []
    const decoder: RespDecoder = new RespDecoder({
      onReply: (v) => {
        seen.push(v)
        if (v === 1) decoder.reset()
      },
      onPush: () => {},
      bytesForNextReply: () => false
    })
    expect(decoder.feed(Buffer.from(":1\r\n:2\r\n"))).toBeUndefined()
    expect(seen).toStrictEqual([1])
    expect(decoder.feed(Buffer.from(":3\r\n"))).toBeUndefined()
    expect(seen).toStrictEqual([1, 3])
  })

  it("a handler that throws becomes a ProtocolError, not an exception", () => {
    const h = harness()
    const decoder = new RespDecoder({
      onReply: () => {
        throw new Error("boom")
      },
      onPush: () => {},
      bytesForNextReply: () => false
    })
    const error = decoder.feed(Buffer.from("+OK\r\n"))
    expect(error).toBeInstanceOf(ProtocolError)
    expect(error?.message).toContain("boom")
    expect(h.events).toStrictEqual([])
  })
})
