// Valkey servers for the harness, plus a tiny raw-socket RESP2 connection for the harness's own
// chores (PING, INFO, FLUSHALL, pipelined prefill) so that no client under test does them.
//
// TODO(testkit lands): replace `startStandalone` with `ValkeyServer.make(options)` from
// `@effect-valkey/testkit` (scoped Effect returning { host, port }), and add the cluster target
// from `ValkeyTestCluster.make({ primaries: 3, replicasPerPrimary: 0 })` (`seeds` / `nodes`).
// Everything else in the harness only sees a `Target`.

import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Target } from "./types.ts"

export const HOST = "127.0.0.1"

export interface RunningServer {
  readonly target: Target
  readonly version: string
  stop(): Promise<void>
}

/** A free loopback port (never 6379). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on("error", reject)
    srv.listen(0, HOST, () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => (port === 6379 ? freePort().then(resolve, reject) : resolve(port)))
    })
  })

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

const waitForPing = async (host: string, port: number, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`valkey-server exited with code ${child.exitCode}`)
    try {
      if ((await command(host, port, ["PING"])) === "PONG") return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`valkey-server on ${host}:${port} did not answer PING`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const serverVersion = async (host: string, port: number): Promise<string> => {
  const info = await command(host, port, ["INFO", "server"])
  const m = typeof info === "string" ? (/valkey_version:(\S+)/.exec(info) ?? /redis_version:(\S+)/.exec(info)) : null
  return m?.[1] ?? "unknown"
}

// Servers still running, killed on exit even if the harness crashes or is interrupted.
const live = new Set<ChildProcess>()
const killAll = () => {
  for (const c of live) c.kill("SIGKILL")
}
process.on("exit", killAll)
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    killAll()
    process.exit(130)
  })
}

/** Starts `valkey-server` on a free loopback port with persistence off, in a temp dir. */
export const startStandalone = async (bin = "valkey-server"): Promise<RunningServer> => {
  const dir = mkdtempSync(join(tmpdir(), "effect-valkey-bench-"))
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const child = spawn(
      bin,
      ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", dir],
      { cwd: dir, stdio: ["ignore", "ignore", "pipe"] }
    )
    live.add(child)
    let stderr = ""
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()))
    try {
      await waitForPing(HOST, port, child, 10_000)
    } catch (e) {
      child.kill("SIGKILL")
      live.delete(child)
      if (attempt < 3) continue
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`${e instanceof Error ? e.message : e}\n${stderr}`)
    }
    const version = await serverVersion(HOST, port)
    return {
      target: { topology: "standalone", nodes: [{ host: HOST, port }] },
      version,
      stop: async () => {
        const exited = new Promise<void>((r) => child.once("exit", () => r()))
        child.kill("SIGTERM")
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))])
        child.kill("SIGKILL")
        live.delete(child)
        rmSync(dir, { recursive: true, force: true })
      }
    }
  }
}
