/**
 * The admin client's RESP codec: RESP2 and RESP3 types and replies split across chunks.
 */
import { describe, expect, it } from "@effect/vitest"
import { decodeAt, encodeCommand, RawErrorReply } from "../src/internal/resp.ts"

const decodeAll = (text: string) => decodeAt(Buffer.from(text), 0)

describe("resp", () => {
  it("encodes commands as arrays of bulk strings", () => {
    expect(encodeCommand(["SET", "k", Buffer.from([0xff])]).toString("latin1")).toBe(
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n\xff\r\n"
    )
  })

  it("decodes RESP2 replies", () => {
    expect(decodeAll("+OK\r\n")?.value).toBe("OK")
    expect(decodeAll(":42\r\n")?.value).toBe(42)
    expect(decodeAll("$-1\r\n")?.value).toBeNull()
    expect(Buffer.from(decodeAll("$5\r\nhello\r\n")?.value as Uint8Array).toString()).toBe("hello")
    expect(decodeAll("-ERR bad\r\n")?.value).toEqual(new RawErrorReply("ERR bad"))
    const array = decodeAll("*2\r\n:1\r\n*1\r\n+x\r\n")?.value
    expect(array).toEqual([1, ["x"]])
  })

  it("decodes RESP3 replies", () => {
    expect(decodeAll("_\r\n")?.value).toBeNull()
    expect(decodeAll("#t\r\n")?.value).toBe(1)
    expect(decodeAll(",1.5\r\n")?.value).toBe("1.5")
    expect(decodeAll("%1\r\n+a\r\n:1\r\n")?.value).toEqual(["a", 1])
    expect(Buffer.from(decodeAll("=8\r\ntxt:abcd\r\n")?.value as Uint8Array).toString()).toBe("abcd")
  })

  it("asks for more bytes when a reply is incomplete", () => {
    const full = "*2\r\n$3\r\nabc\r\n:7\r\n"
    for (let cut = 0; cut < full.length; cut++) expect(decodeAll(full.slice(0, cut))).toBeUndefined()
    expect(decodeAll(full)?.next).toBe(full.length)
  })
})
