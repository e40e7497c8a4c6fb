/**
 * A replay server for the recorded module traffic: it answers each recorded request with its
 * recorded reply, byte for byte, and the client's handshake with the least a server would say
 * (HELLO 3 with a small RESP3 map, `+OK` to CLIENT SETINFO). It decides no Valkey behaviour: a
 * request that was not recorded gets an error naming it.
 */
import * as net from "node:net"
import { RespDecoder, type RespValue } from "@effect-valkey/core"
import { Effect } from "effect"
import type { FixtureRecord } from "./fixtures.ts"

const HELLO_3 = "%2\r\n+server\r\n+valkey\r\n+proto\r\n:3\r\n"

export interface ReplayServer {
  readonly port: number
  /** Every request received, handshake included, in order. */
  readonly requests: Array<ReadonlyArray<string>>
}

/** Starts a replay server for the records of one protocol; closed with the scope. */
export const replayServer = (records: ReadonlyArray<FixtureRecord>, protocol: 2 | 3) =>
  Effect.acquireRelease(
    Effect.callback<{ server: net.Server; sockets: Set<net.Socket>; state: ReplayServer }>((resume) => {
      const replies = new Map<string, Buffer>()
      for (const record of records) {
        if (record.protocol === protocol) replies.set(JSON.stringify(record.args), record.reply)
      }
      const requests: Array<ReadonlyArray<string>> = []
      const answer = (request: ReadonlyArray<string>): Buffer | string => {
        const name = String(request[0] ?? "").toUpperCase()
        if (name === "HELLO") return protocol === 3 ? HELLO_3 : "-NOPROTO this replay server is RESP2\r\n"
        if (name === "CLIENT") return "+OK\r\n"
        return replies.get(JSON.stringify(request)) ?? `-ERR no recorded reply for ${JSON.stringify(request)}\r\n`
      }
      const sockets = new Set<net.Socket>()
      const server = net.createServer((socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        const decoder = new RespDecoder({
          onReply: (value: RespValue) => {
            const request = (value as ReadonlyArray<RespValue>).map((arg) => String(arg))
            requests.push(request)
            socket.write(answer(request))
          },
          onPush: () => {},
          bytesForNextReply: () => false
        })
        socket.on("data", (chunk: Buffer) => {
          if (decoder.feed(chunk) !== undefined) socket.destroy()
        })
        socket.on("error", () => {})
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address() as net.AddressInfo
        resume(Effect.succeed({ server, sockets, state: { port: address.port, requests } }))
      })
    }),
    ({ server, sockets }) =>
      Effect.callback<void>((resume) => {
        // Connections the client still holds would keep close() waiting.
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))
