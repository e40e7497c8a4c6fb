/**
 * The RESP decoder against hostile bytes: random streams, generated frames with mutations,
 * and mutations of real replies (recorded from a valkey-server at start-up, plus the module
 * recordings in shared/fixtures/modules). Every case is fed whole and cut at random points;
 * `feed` must return `undefined` or a `ProtocolError` (never throw), a failure must stick until
 * `reset`, and after `reset` the same decoder must decode a valid reply again. A hang shows up
 * as the slowest case: each case is timed and the worst is bounded.
 *
 * CI runs 30,000 cases; `npm run test:chaos` runs 1,000,000.
 */
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { ProtocolError } from "@effect-valkey/core"
import { RespDecoder } from "@effect-valkey/core/internal"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Exit, Scope } from "effect"
import * as fc from "fast-check"
import { encodeWire, wire } from "../../core/test/resp/wire.ts"
import { report, scale } from "./scale.ts"

const TOTAL = scale(30_000, 1_000_000)

const resp = (args: ReadonlyArray<string>): string =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`

/** Commands whose replies cover every RESP2/RESP3 type the server sends. */
const script: ReadonlyArray<ReadonlyArray<string>> = [
  ["SET", "str", "hello"],
  ["GET", "str"],
  ["GET", "missing"],
  ["INCR", "n"],
  ["INCRBYFLOAT", "f", "1.5"],
  ["HSET", "h", "a", "1", "b", "2", "c", "\u00e9\u00e8"],
  ["HGETALL", "h"],
  ["SADD", "s", "x", "y", "z"],
  ["SMEMBERS", "s"],
  ["ZADD", "z", "1.5", "a", "-2", "b", "inf", "c"],
  ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  ["ZSCORE", "z", "a"],
  ["RPUSH", "l", "1", "2", "3"],
  ["LRANGE", "l", "0", "-1"],
  ["XADD", "x", "1-1", "f", "v", "g", "w"],
  ["XRANGE", "x", "-", "+"],
  ["XINFO", "STREAM", "x"],
  ["LPUSH", "str", "wrongtype"],
  ["NOSUCHCOMMAND"],
  ["CLIENT", "INFO"],
  ["INFO", "server"],
  ["COMMAND", "INFO", "GET", "SET"],
  ["CONFIG", "GET", "maxmemory*"],
  ["DEBUG", "PROTOCOL", "attrib"],
  ["DEBUG", "PROTOCOL", "bignum"],
  ["DEBUG", "PROTOCOL", "true"],
  ["DEBUG", "PROTOCOL", "false"],
  ["DEBUG", "PROTOCOL", "null"],
  ["DEBUG", "PROTOCOL", "double"],
  ["DEBUG", "PROTOCOL", "map"],
  ["DEBUG", "PROTOCOL", "set"],
  ["DEBUG", "PROTOCOL", "verbatim"],
  ["CLIENT", "TRACKING", "on"],
  ["GET", "str"],
  ["SET", "str", "changed"],
  ["SUBSCRIBE", "chan"],
  ["PING"],
  ["UNSUBSCRIBE", "chan"]
]

const END = "__recorded_end__"

/** Sends the script on one raw socket (RESP2 or RESP3) and returns every byte the server sent. */
const record = (port: number, protocol: 2 | 3): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const chunks: Array<Buffer> = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`recording RESP${protocol} timed out`))
    }, 10_000)
    socket.on("error", reject)
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      if (Buffer.concat(chunks).includes(END)) {
        clearTimeout(timer)
        socket.end()
        // The last reply may still be cut: wait for its CRLF.
        setTimeout(() => resolve(Buffer.concat(chunks)), 50)
      }
    })
    socket.write([["HELLO", String(protocol)], ...script, ["ECHO", END]].map((args) => resp(args)).join(""))
  })

/** The module recordings: reply bytes, one per recorded command. */
const fixtureReplies = (): Array<Buffer> => {
  const dir = "/work/shared/fixtures/modules"
  if (!Fs.existsSync(dir)) return []
  return Fs.readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .flatMap((f) =>
      Fs.readFileSync(Path.join(dir, f), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => Buffer.from((JSON.parse(line) as { reply_b64: string }).reply_b64, "base64"))
    )
}

let corpus: Array<Buffer> = []
const scope = Effect.runSync(Scope.make())

beforeAll(async () => {
  const server = await Effect.runPromise(ValkeyServer.make().pipe(Scope.provide(scope)))
  const streams = [await record(server.port, 3), await record(server.port, 2)]
  const fixtures = fixtureReplies()
  // Whole streams, and each fixture reply alone and in runs of five.
  corpus = [...streams, ...fixtures]
  for (let i = 0; i + 5 <= fixtures.length; i += 5) corpus.push(Buffer.concat(fixtures.slice(i, i + 5)))
}, 60_000)

afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

type Mutation = {
  readonly op: "set" | "insert" | "delete" | "truncate" | "dup" | "swap"
  readonly at: number
  readonly n: number
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("set", "insert", "delete", "truncate", "dup", "swap"),
  at: fc.nat(),
  // Bytes that matter to RESP come up often: CR, LF, type bytes, digits, minus, '?'.
  n: fc.oneof(fc.nat(255), fc.constantFrom(13, 10, 42, 36, 37, 126, 62, 124, 61, 33, 45, 43, 58, 48, 57, 63))
})

const mutate = (data: Buffer, mutations: ReadonlyArray<Mutation>): Buffer => {
  let bytes = Buffer.from(data)
  for (const m of mutations) {
    const len = bytes.length
    const at = len === 0 ? 0 : m.at % len
    switch (m.op) {
      case "set":
        if (len > 0) bytes[at] = m.n
        break
      case "insert":
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.of(m.n), bytes.subarray(at)])
        break
      case "delete":
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)])
        break
      case "truncate":
        bytes = bytes.subarray(0, at)
        break
      case "dup": {
        // Repeat a slice: duplicated headers, doubled CRLFs, a reply twice.
        const end = Math.min(len, at + 1 + (m.n % 32))
        bytes = Buffer.concat([bytes.subarray(0, end), bytes.subarray(at, end), bytes.subarray(end)])
        break
      }
      case "swap": {
        const other = len === 0 ? 0 : (at * 31 + m.n) % len
        if (len > 0) {
          const t = bytes[at]!
          bytes[at] = bytes[other]!
          bytes[other] = t
        }
        break
      }
    }
  }
  return bytes
}

const cut = (data: Buffer, points: ReadonlyArray<number>): Array<Buffer> => {
  if (data.length === 0) return [data]
  const at = [...new Set(points.map((p) => p % data.length))].sort((a, b) => a - b)
  const out: Array<Buffer> = []
  let from = 0
  for (const p of at) {
    if (p > from) out.push(data.subarray(from, p))
    from = Math.max(from, p)
  }
  out.push(data.subarray(from))
  return out
}

const stats = { cases: 0, failures: 0, replies: 0, slowestMs: 0 }
const tight = { maxDepth: 4, maxBulkLength: 64, maxArrayLength: 16, maxInlineLength: 32 }

/**
 * One case: the chunks through a fresh decoder. Nothing thrown, only ProtocolError, a failure
 * sticks, and after reset the decoder works again.
 */
const check = (chunks: ReadonlyArray<Buffer>, limits: boolean, bytes: boolean): void => {
  const started = performance.now()
  let replies = 0
  const decoder = new RespDecoder(
    {
      onReply: () => {
        replies++
      },
      onPush: () => {
        replies++
      },
      bytesForNextReply: () => bytes,
      bytesForNextPush: () => bytes
    },
    limits ? tight : {}
  )
  let failure: ProtocolError | undefined
  for (const chunk of chunks) {
    const result = decoder.feed(chunk)
    if (result !== undefined && !(result instanceof ProtocolError)) throw new Error(`not a ProtocolError: ${result}`)
    if (failure !== undefined && result !== failure) throw new Error("a failure did not stick until reset")
    if (result !== undefined) expect(result._tag).toBe("ProtocolError")
    failure = result
  }
  if (failure !== undefined) {
    stats.failures++
    decoder.reset()
    const before = replies
    expect(decoder.feed(Buffer.from("+OK\r\n"))).toBeUndefined()
    expect(replies).toBe(before + 1)
  }
  stats.replies += replies
  stats.cases++
  const ms = performance.now() - started
  if (ms > stats.slowestMs) stats.slowestMs = ms
}

describe("RESP decoder fuzz", () => {
  it("mutations of recorded replies, random bytes and mutated generated frames: no throw, typed ProtocolError, no hang", () => {
    expect(corpus.length).toBeGreaterThan(100)
    const started = Date.now()
    const recorded = fc
      .tuple(
        fc.nat(corpus.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 })
      )
      .map(([i, ms, points]) => cut(mutate(corpus[i]!, ms), points))
    const spliced = fc
      .tuple(fc.array(fc.tuple(fc.nat(corpus.length - 1), fc.nat(), fc.nat(200)), { minLength: 1, maxLength: 6 }))
      .map(([parts]) =>
        // Slices of several real replies glued together: valid headers with foreign payloads.
        [
          Buffer.concat(
            parts.map(([i, from, n]) => {
              const c = corpus[i]!
              const start = c.length === 0 ? 0 : from % c.length
              return c.subarray(start, start + n)
            })
          )
        ]
      )
    const random = fc
      .tuple(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 8 }))
      .map(([b, points]) => cut(Buffer.from(b), points))
    const generated = fc
      .tuple(
        fc.array(wire, { minLength: 1, maxLength: 3 }),
        fc.array(mutation, { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 8 })
      )
      .map(([frames, ms, points]) => cut(mutate(encodeWire(...frames), ms), points))
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 5, arbitrary: recorded },
          { weight: 2, arbitrary: spliced },
          { weight: 1, arbitrary: random },
          { weight: 2, arbitrary: generated }
        ),
        fc.boolean(),
        fc.boolean(),
        (chunks, limits, bytes) => check(chunks, limits, bytes)
      ),
      { numRuns: TOTAL }
    )
    // Unmutated recordings still decode whole and byte by byte (the corpus is real RESP).
    for (const data of corpus.slice(0, 2)) {
      check([data], false, false)
      check(
        cut(
          data,
          Array.from({ length: data.length }, (_, i) => i)
        ),
        false,
        true
      )
    }
    report("decoder fuzz", { ...stats, corpus: corpus.length, seconds: (Date.now() - started) / 1000 })
    expect(stats.cases).toBeGreaterThanOrEqual(TOTAL)
    expect(stats.failures).toBeGreaterThan(0)
    // No case takes anywhere near a hang: inputs are at most a few KiB.
    expect(stats.slowestMs).toBeLessThan(1000)
  })
})
