/**
 * A replay server for recorded traffic: a loopback TCP server that answers each recorded
 * request with its recorded reply, byte for byte, so a real client can run over a real socket
 * where no server with the right modules is available. Requests are matched on their exact
 * RESP bytes (a command as an array of bulk strings), so binary arguments (float32 vectors)
 * match too.
 *
 * It decides no Valkey behaviour. It answers the client's handshake with the least a server
 * would say (`HELLO 3` with a small RESP3 map under RESP3, `-NOPROTO` under RESP2, `+OK` to
 * `CLIENT ...` and `READONLY`); anything else that was not recorded gets an error naming it,
 * unless the `answer` hook supplies a reply (a cluster topology, for instance).
 *
 * @since 0.1.0
 */
import * as Net from "node:net"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { decodeAt, encodeCommand, ProtocolViolation, type RawReply } from "./internal/resp.ts"

/**
 * One recorded exchange: the protocol it was recorded under, the exact request bytes and the
 * exact reply bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayRecord {
  readonly protocol: 2 | 3
  readonly request: Uint8Array
  readonly reply: Uint8Array
}

/**
 * Options of `make`: the protocol whose records are replayed, and an optional `answer` hook.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayServerOptions {
  /** Replay the records of this protocol only, and answer `HELLO` as a server of it would. */
  readonly protocol: 2 | 3
  /**
   * Asked first for every request, handshake included, with the request in text form (see
   * `ReplayServerHandle.requests`): a reply (raw RESP, as a string or bytes) to send, or
   * `undefined` to fall through to the handshake answers and the records.
   */
  readonly answer?: (request: ReadonlyArray<string>) => string | Uint8Array | undefined
}

/**
 * A running replay server: its address, and every request it received, as text and as bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayServerHandle {
  readonly host: string
  readonly port: number
  /** `host:port`, as a cluster seed. */
  readonly address: string
  /**
   * Every request received, handshake included, in order. An argument that is printable
   * UTF-8 text is given as that text; any other is `hex:` followed by its bytes in hex, the
   * convention of the recorded fixtures.
   */
  readonly requests: Array<ReadonlyArray<string>>
  /** The same requests as their exact RESP bytes, to compare with recorded request bytes. */
  readonly requestBytes: Array<Buffer>
}

const HELLO_3 = "%2\r\n+server\r\n+valkey\r\n+proto\r\n:3\r\n"

/**
 * An argument in the fixtures' text form: the text when the bytes are UTF-8 without control
 * characters (tab, CR and LF allowed), else `hex:` and the bytes.
 *
 * @since 0.1.0
 * @category conversions
 */
export const argText = (bytes: Uint8Array): string => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const text = buffer.toString("utf8")
  const printable =
    Buffer.from(text, "utf8").equals(buffer) &&
    buffer.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f))
  return printable ? text : `hex:${buffer.toString("hex")}`
}

/** A decoded request as its argument bytes, or undefined when it is not an array of strings. */
const requestArgs = (value: RawReply): Array<Uint8Array> | undefined => {
  if (!Array.isArray(value)) return undefined
  const out: Array<Uint8Array> = []
  for (const arg of value as ReadonlyArray<RawReply>) {
    if (arg instanceof Uint8Array) out.push(arg)
    else if (typeof arg === "string" || typeof arg === "number") out.push(Buffer.from(String(arg)))
    else return undefined
  }
  return out
}

/**
 * Starts a replay server on a free loopback port for the records of `options.protocol`;
 * it stops, dropping its connections, when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  records: ReadonlyArray<ReplayRecord>,
  options: ReplayServerOptions
): Effect.Effect<ReplayServerHandle, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<{ server: Net.Server; sockets: Set<Net.Socket>; handle: ReplayServerHandle }>((resume) => {
      const { protocol } = options
      const replies = new Map<string, Buffer>()
      for (const record of records) {
        if (record.protocol === protocol)
          replies.set(Buffer.from(record.request).toString("latin1"), Buffer.from(record.reply))
      }
      const requests: Array<ReadonlyArray<string>> = []
      const requestBytes: Array<Buffer> = []
      const answer = (text: ReadonlyArray<string>, bytes: Buffer): string | Uint8Array => {
        const hooked = options.answer?.(text)
        if (hooked !== undefined) return hooked
        const name = String(text[0] ?? "").toUpperCase()
        if (name === "HELLO") return protocol === 3 ? HELLO_3 : "-NOPROTO this replay server is RESP2\r\n"
        if (name === "CLIENT" || name === "READONLY") return "+OK\r\n"
        return (
          replies.get(bytes.toString("latin1")) ??
          `-ERR no recorded reply for ${JSON.stringify(text).replace(/[\r\n]/g, " ")}\r\n`
        )
      }
      const sockets = new Set<Net.Socket>()
      const server = Net.createServer((socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => {})
        let pending: Buffer = Buffer.alloc(0)
        socket.on("data", (chunk: Buffer) => {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
          let offset = 0
          try {
            for (;;) {
              const step = decodeAt(pending, offset)
              if (step === undefined) break
              offset = step.next
              const args = requestArgs(step.value)
              if (args === undefined) {
                socket.destroy()
                return
              }
              const text = args.map(argText)
              const bytes = encodeCommand(args)
              requests.push(text)
              requestBytes.push(bytes)
              socket.write(answer(text, bytes))
            }
          } catch (error) {
            if (error instanceof ProtocolViolation) {
              socket.destroy()
              return
            }
            throw error
          }
          pending = pending.subarray(offset)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as Net.AddressInfo
        const host = "127.0.0.1"
        resume(
          Effect.succeed({
            server,
            sockets,
            handle: { host, port, address: `${host}:${port}`, requests, requestBytes }
          })
        )
      })
    }),
    ({ server, sockets }) =>
      Effect.callback<void>((resume) => {
        // Connections a client still holds would keep close() waiting.
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ handle }) => handle))
