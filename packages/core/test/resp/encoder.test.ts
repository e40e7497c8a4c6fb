import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { CommandWriter, encodeCommand, numberArgument } from "../../src/resp/encoder.ts"
import type { RespArg } from "../../src/resp/types.ts"
import { harness } from "./harness.ts"

const text = (args: ReadonlyArray<RespArg>) => encodeCommand(args).toString("latin1")

describe("encodeCommand", () => {
  it("encodes strings as bulk strings", () => {
    expect(text(["SET", "key", "value"])).toBe("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
    expect(text(["PING"])).toBe("*1\r\n$4\r\nPING\r\n")
    expect(text(["SET", "", ""])).toBe("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n")
    expect(text([])).toBe("*0\r\n")
  })

  it("counts UTF-8 bytes, not UTF-16 units", () => {
    const out = encodeCommand(["SET", "é", "日本😀"])
    expect(out.equals(Buffer.from("*3\r\n$3\r\nSET\r\n$2\r\né\r\n$10\r\n日本😀\r\n", "utf8"))).toBe(true)
    const long = `${"a".repeat(100)}é`
    expect(encodeCommand([long]).equals(Buffer.from(`*1\r\n$102\r\n${long}\r\n`, "utf8"))).toBe(true)
  })

  it("lone surrogates count as the 3 bytes of U+FFFD they are sent as, in text and binary batches", () => {
    const expected = Buffer.from("*2\r\n$3\r\n\ufffd\r\n$1\r\n\u0001\r\n", "utf8")
    expect(encodeCommand(["\ud800", "\u0001"]).equals(expected)).toBe(true)
    const w = new CommandWriter()
    w.push(["\ud800", new Uint8Array([1])])
    expect(w.pendingBytes).toBe(expected.length)
    expect(w.take().equals(expected)).toBe(true)
  })

  it("sends bytes as they are", () => {
    const bytes = new Uint8Array([0, 13, 10, 255, 128])
    const out = encodeCommand(["SET", bytes, Buffer.from("v")])
    expect(
      out.equals(Buffer.concat([Buffer.from("*3\r\n$3\r\nSET\r\n$5\r\n"), bytes, Buffer.from("\r\n$1\r\nv\r\n")]))
    ).toBe(true)
    expect(text([new Uint8Array(0)])).toBe("*1\r\n$0\r\n\r\n")
  })

  it("writes numbers in decimal, infinities as +inf/-inf", () => {
    expect(text(["EXPIRE", "k", 10])).toBe("*3\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$2\r\n10\r\n")
    expect(text([-5, 0, -0, 1.5, Infinity, -Infinity])).toBe(
      "*6\r\n$2\r\n-5\r\n$1\r\n0\r\n$1\r\n0\r\n$3\r\n1.5\r\n$4\r\n+inf\r\n$4\r\n-inf\r\n"
    )
    expect(numberArgument(1e21)).toBe("1000000000000000000000")
    expect(numberArgument(2 ** 60)).toBe("1152921504606846976")
    expect(numberArgument(1e-7)).toBe("1e-7")
    expect(numberArgument(0.1)).toBe("0.1")
  })
})

describe("CommandWriter", () => {
  it("a batch is the concatenation of its commands, as one Buffer", () => {
    const w = new CommandWriter()
    expect(w.take().length).toBe(0)
    w.push(["SET", "a", "1"])
    w.push(["GET", "a"])
    expect(w.pending).toBe(2)
    const out = w.take()
    expect(out.equals(Buffer.concat([encodeCommand(["SET", "a", "1"]), encodeCommand(["GET", "a"])]))).toBe(true)
    expect(w.pending).toBe(0)
    expect(w.pendingBytes).toBe(0)
    expect(w.take().length).toBe(0)
  })

  it("text, bytes and numbers mix in one batch", () => {
    const w = new CommandWriter()
    const commands: ReadonlyArray<ReadonlyArray<RespArg>> = [
      ["GET", "a"],
      ["SET", new Uint8Array([1, 2, 3]), "x"],
      ["MSET", "k", new Uint8Array([4]), "k2", Buffer.from([5])],
      ["GET", "é"],
      ["EXPIRE", "k", 123456789012]
    ]
    for (const c of commands) w.push(c)
    expect(w.take().equals(Buffer.concat(commands.map(encodeCommand)))).toBe(true)
    w.push(["PING"])
    expect(w.take().toString()).toBe("*1\r\n$4\r\nPING\r\n")
  })

  it("batches handed out earlier keep their bytes while later ones outgrow the slab", () => {
    // The socket may still be writing an earlier batch: growing into a new slab must neither
    // overwrite nor lose it, nor lose the part of the current batch pushed before the growth.
    const w = new CommandWriter()
    const taken: Array<readonly [Buffer, Buffer]> = []
    for (let round = 0; round < 40; round++) {
      const commands = Array.from({ length: 1 + (round % 7) }, (_, i) => [
        "SET",
        `k:${round}:${i}`,
        "v".repeat((round * 997 + i * 4099) % 40_000)
      ])
      for (const c of commands) w.push(c)
      taken.push([w.take(), Buffer.concat(commands.map(encodeCommand))])
    }
    w.push(["SET", "huge", "h".repeat(3 * 1024 * 1024)])
    taken.push([w.take(), encodeCommand(["SET", "huge", "h".repeat(3 * 1024 * 1024)])])
    w.push(["PING"])
    taken.push([w.take(), encodeCommand(["PING"])])
    for (const [out, expected] of taken) expect(out.equals(expected)).toBe(true)
  })

  it("rewind reuses the slab from its start, only once everything pushed was taken", () => {
    const w = new CommandWriter()
    w.push(["SET", "a", "1"])
    const first = w.take()
    w.rewind()
    w.push(["GET", "b"])
    w.rewind() // untaken bytes: no effect
    const second = w.take()
    expect(second.buffer).toBe(first.buffer)
    expect(second.byteOffset).toBe(first.byteOffset)
    expect(second.equals(encodeCommand(["GET", "b"]))).toBe(true)
    w.push(["PING"])
    const third = w.take()
    expect(third.byteOffset).toBe(second.byteOffset + second.length)
  })

  it("multi-byte text whose length gains a digit in UTF-8", () => {
    for (const s of ["é".repeat(5), "é".repeat(50), "日".repeat(40), "😀".repeat(30), `${"a".repeat(99)}é`]) {
      expect(
        encodeCommand(["SET", s]).equals(Buffer.from(`*2\r\n$3\r\nSET\r\n$${Buffer.byteLength(s)}\r\n${s}\r\n`))
      ).toBe(true)
    }
  })

  const arg: fc.Arbitrary<RespArg> = fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc.uint8Array({ maxLength: 20 }),
    fc.integer(),
    fc.double({ noNaN: true })
  )

  it("batches decode back to their arguments; pendingBytes is exact", () => {
    fc.assert(
      fc.property(fc.array(fc.array(arg, { maxLength: 6 }), { minLength: 1, maxLength: 8 }), (commands) => {
        const w = new CommandWriter()
        for (const c of commands) w.push(c)
        const bytes = w.pendingBytes
        const out = w.take()
        const data = out
        expect(data.length).toBe(bytes)
        expect(data.equals(Buffer.concat(commands.map(encodeCommand)))).toBe(true)
        const h = harness(
          {},
          commands.map(() => true)
        )
        expect(h.decoder.feed(data)).toBeUndefined()
        expect(h.replies().map((r) => (r as Array<Uint8Array>).map((b) => Buffer.from(b)))).toStrictEqual(
          commands.map((c) =>
            c.map((a) =>
              typeof a === "string"
                ? Buffer.from(a, "utf8")
                : typeof a === "number"
                  ? Buffer.from(numberArgument(a))
                  : Buffer.from(a)
            )
          )
        )
      }),
      { numRuns: 1000 }
    )
  })
})
