// Valkey servers for the harness, from `@effect-valkey/testkit` (`ValkeyServer`,
// `ValkeyTestCluster`: free loopback ports, never 6379, no persistence, killed at exit even on a
// crash), plus a tiny raw-socket RESP2 connection for the harness's own chores (INFO, FLUSHALL,
// CLUSTER SLOTS, pipelined prefill) so that no client under test does them. Everything else in
// the harness only sees a `Target`.

import net from "node:net"
import { type TestkitError, ValkeyServer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Cause, Effect, Exit, Scope } from "effect"
import type { Target } from "./types.ts"

export interface RunningServer {
  readonly target: Target
  readonly version: string
  stop(): Promise<void>
}
// ---------------------------------------------------------------------------------------------
// Raw RESP2 connection
// ---------------------------------------------------------------------------------------------

export type Reply = string | number | null | Error | ReadonlyArray<Reply>

const encode = (args: ReadonlyArray<string>): string => {
  let out = `*${args.length}\r\n`
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`
  return out
}

/** Parses one reply at `pos`; returns [reply, next position] or undefined if incomplete. */
const parse = (buf: Buffer, pos: number): [Reply, number] | undefined => {
  if (pos >= buf.length) return undefined
  const eol = buf.indexOf("\r\n", pos)
  if (eol < 0) return undefined
  const type = buf[pos]
  const line = buf.toString("latin1", pos + 1, eol)
  switch (type) {
    case 0x2b: // +
      return [line, eol + 2]
    case 0x2d: // -
      return [new Error(line), eol + 2]
    case 0x3a: // :
      return [Number(line), eol + 2]
    case 0x24: {
      // $
      const len = Number(line)
      if (len < 0) return [null, eol + 2]
      if (buf.length < eol + 2 + len + 2) return undefined
      return [buf.toString("utf8", eol + 2, eol + 2 + len), eol + 2 + len + 2]
    }
    case 0x2a: {
      // *
      const n = Number(line)
      if (n < 0) return [null, eol + 2]
      const items: Array<Reply> = []
      let p = eol + 2
      for (let i = 0; i < n; i++) {
        const r = parse(buf, p)
        if (r === undefined) return undefined
        items.push(r[0])
        p = r[1]
      }
      return [items, p]
    }
    default:
      throw new Error(`unexpected RESP type byte ${type}`)
  }
}

export class RespConnection {
  readonly socket: net.Socket
  private buffer: Buffer = Buffer.alloc(0)
  private readonly pending: Array<(r: Reply) => void> = []
  private failure: Error | undefined

  private constructor(socket: net.Socket) {
    this.socket = socket
    socket.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
      let pos = 0
      for (;;) {
        const r = parse(this.buffer, pos)
        if (r === undefined) break
        pos = r[1]
        this.pending.shift()?.(r[0])
      }
      this.buffer = pos === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(pos)
    })
    const fail = (e: Error) => {
      this.failure = e
      for (const p of this.pending.splice(0)) p(e)
    }
    socket.on("error", fail)
    socket.on("close", () => fail(new Error("connection closed")))
  }

  static open(host: string, port: number): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port })
      socket.setNoDelay(true)
      socket.once("error", reject)
      socket.once("connect", () => {
        socket.off("error", reject)
        resolve(new RespConnection(socket))
      })
    })
  }

  /** Sends one command; resolves with its reply (server errors are returned as Error values). */
  send(args: ReadonlyArray<string>): Promise<Reply> {
    if (this.failure !== undefined) return Promise.reject(this.failure)
    return new Promise((resolve) => {
      this.pending.push(resolve)
      this.socket.write(encode(args))
    })
  }

  /** Sends many commands pipelined, in batches, and checks that none failed. */
  async pipeline(commands: Iterable<ReadonlyArray<string>>, batch = 1000): Promise<void> {
    let chunk: Array<string> = []
    let replies: Array<Promise<Reply>> = []
    const flush = async () => {
      if (chunk.length === 0) return
      const payload = chunk.join("")
      chunk = []
      const batchReplies = replies
      replies = []
      this.socket.write(payload)
      for (const r of await Promise.all(batchReplies)) if (r instanceof Error) throw r
    }
    for (const args of commands) {
      chunk.push(encode(args))
      replies.push(new Promise((resolve) => this.pending.push(resolve)))
      if (chunk.length >= batch) await flush()
    }
    await flush()
  }

  close(): void {
    this.socket.destroy()
  }
}

/** One-shot command on a fresh connection. */
export const command = async (host: string, port: number, args: ReadonlyArray<string>): Promise<Reply> => {
  const c = await RespConnection.open(host, port)
  try {
    return await c.send(args)
  } finally {
    c.close()
  }
}

const serverVersion = async (host: string, port: number): Promise<string> => {
  const info = await command(host, port, ["INFO", "server"])
  const m = typeof info === "string" ? (/valkey_version:(\S+)/.exec(info) ?? /redis_version:(\S+)/.exec(info)) : null
  return m?.[1] ?? "unknown"
}

/** Runs a scoped testkit constructor in a scope of its own, closed by the returned `stop`. */
const scoped = async <A>(
  make: Effect.Effect<A, TestkitError, Scope.Scope>
): Promise<{ readonly value: A; stop(): Promise<void> }> => {
  const scope = Scope.makeUnsafe()
  const stop = () => Effect.runPromise(Scope.close(scope, Exit.void))
  const exit = await Effect.runPromiseExit(Scope.provide(make, scope))
  if (Exit.isFailure(exit)) {
    await stop()
    throw new Error(Cause.pretty(exit.cause))
  }
  return { value: exit.value, stop }
}

/** One `valkey-server` (testkit `ValkeyServer`: free loopback port, no persistence). */
export const startStandalone = async (): Promise<RunningServer> => {
  const { value: server, stop } = await scoped(ValkeyServer.make())
  return {
    target: { topology: "standalone", nodes: [{ host: server.host, port: server.port }] },
    version: await serverVersion(server.host, server.port),
    stop
  }
}

/** The cluster topology of the cluster scenarios. */
export const CLUSTER_PRIMARIES = 3
export const CLUSTER_REPLICAS_PER_PRIMARY = 0

/**
 * A cluster of `CLUSTER_PRIMARIES` primaries without replicas (testkit `ValkeyTestCluster`: the
 * 16384 slots split evenly, handed out once every node reports `cluster_state:ok` and all agree
 * on the slot owners). The target lists every primary as a seed.
 */
export const startCluster = async (): Promise<RunningServer> => {
  const { value: cluster, stop } = await scoped(
    ValkeyTestCluster.make({ primaries: CLUSTER_PRIMARIES, replicasPerPrimary: CLUSTER_REPLICAS_PER_PRIMARY })
  )
  const nodes = cluster.primaries.map((n) => ({ host: n.host, port: n.port }))
  return {
    target: { topology: "cluster", nodes },
    version: await serverVersion(nodes[0]!.host, nodes[0]!.port),
    stop
  }
}
