/**
 * The replay server on its own, over a plain socket: recorded requests (binary arguments
 * included) get their recorded replies, requests split across chunks and pipelined requests are
 * read whole, the handshake and the `answer` hook are answered, anything else is an error.
 */
import * as Net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ReplayServer, type ReplayServerHandle } from "../src/index.ts"
import { encodeCommand } from "../src/internal/resp.ts"

const vector = Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0])
const records: ReadonlyArray<ReplayServer.ReplayRecord> = [
  { protocol: 2, request: encodeCommand(["PING"]), reply: Buffer.from("+PONG-2\r\n") },
  { protocol: 3, request: encodeCommand(["PING"]), reply: Buffer.from("+PONG-3\r\n") },
  { protocol: 2, request: encodeCommand(["FT.SEARCH", "idx", vector]), reply: Buffer.from(":7\r\n") }
]

/** Writes `chunks` one by one (a tick apart) and collects the reply bytes until `expected` long. */
const exchange = (server: ReplayServerHandle, chunks: ReadonlyArray<Buffer>, expected: number) =>
  Effect.callback<string>((resume) => {
    const socket = Net.connect(server.port, server.host)
    let received = Buffer.alloc(0)
    socket.on("data", (data: Buffer) => {
      received = Buffer.concat([received, data])
      if (received.length >= expected) {
        socket.destroy()
        resume(Effect.succeed(received.toString("latin1")))
      }
    })
    socket.on("connect", () => {
      chunks.forEach((chunk, i) => {
        setTimeout(() => socket.write(chunk), i * 5)
      })
    })
  })

describe("ReplayServer", () => {
  it("argText: printable text as is, other bytes as hex", () => {
    expect(ReplayServer.argText(Buffer.from("FT.SEARCH"))).toBe("FT.SEARCH")
    expect(ReplayServer.argText(Buffer.from('{"a":"é"}\n'))).toBe('{"a":"é"}\n')
    expect(ReplayServer.argText(vector)).toBe("hex:0000803f00000000")
    expect(ReplayServer.argText(Buffer.from([0, 0]))).toBe("hex:0000")
    expect(ReplayServer.argText(Buffer.from([0xff]))).toBe("hex:ff")
  })

  it.live("replays by exact request bytes, per protocol, across chunks and pipelined", () =>
    Effect.gen(function* () {
      const server = yield* ReplayServer.make(records, { protocol: 2 })
      const search = encodeCommand(["FT.SEARCH", "idx", vector])
      // One request cut into three chunks, then two pipelined in one chunk.
      const reply = yield* exchange(
        server,
        [search.subarray(0, 5), search.subarray(5, 20), Buffer.concat([search.subarray(20), encodeCommand(["PING"])])],
        ":7\r\n+PONG-2\r\n".length
      )
      expect(reply).toBe(":7\r\n+PONG-2\r\n")
      expect(server.requests).toEqual([["FT.SEARCH", "idx", "hex:0000803f00000000"], ["PING"]])
      expect(server.requestBytes[0]).toEqual(search)
    })
  )

  it.live("handshake, hook and unrecorded requests", () =>
    Effect.gen(function* () {
      const three = yield* ReplayServer.make(records, {
        protocol: 3,
        answer: (request) => (request[0] === "CLUSTER" ? "*0\r\n" : undefined)
      })
      const hello = "%2\r\n+server\r\n+valkey\r\n+proto\r\n:3\r\n"
      const expected = `${hello}+OK\r\n+OK\r\n*0\r\n+PONG-3\r\n`
      const reply = yield* exchange(
        three,
        [
          Buffer.concat([
            encodeCommand(["HELLO", "3"]),
            encodeCommand(["CLIENT", "SETINFO", "LIB-NAME", "x"]),
            encodeCommand(["READONLY"]),
            encodeCommand(["CLUSTER", "SLOTS"]),
            encodeCommand(["PING"])
          ])
        ],
        expected.length
      )
      expect(reply).toBe(expected)
      const two = yield* ReplayServer.make(records, { protocol: 2 })
      const refused = yield* exchange(two, [encodeCommand(["HELLO", "3"])], 6)
      expect(refused.startsWith("-NOPROTO")).toBe(true)
      const unknown = '-ERR no recorded reply for ["GET","k"]\r\n'
      expect(yield* exchange(two, [encodeCommand(["GET", "k"])], unknown.length)).toBe(unknown)
    })
  )
})
