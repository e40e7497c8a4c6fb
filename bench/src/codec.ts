/**
 * Micro-benchmarks of the RESP codec: decode throughput against `redis-parser` (ioredis's
 * RESP2 parser) and encode throughput against node-redis's `encodeCommand`, on the same input.
 *
 * Run: `node --conditions=source bench/src/codec.ts [seconds-per-case]`
 *
 * Each case runs a warm-up, then 5 timed rounds; the table shows the median MB/s and the
 * ratio ours / theirs (above 1 means faster).
 *
 * @since 0.1.0
 */
import { createRequire } from "node:module"
import { RespDecoder } from "../../packages/core/src/resp/decoder.ts"
import { CommandWriter } from "../../packages/core/src/resp/encoder.ts"
import type { RespArg } from "../../packages/core/src/resp/types.ts"

const require = createRequire(import.meta.url)

interface RedisParser {
  execute(buffer: Buffer): void
}
type RedisParserConstructor = new (options: {
  returnReply: (reply: unknown) => void
  returnError: (error: unknown) => void
  returnFatalError?: (error: unknown) => void
  returnBuffers?: boolean
}) => RedisParser

const Parser = require("redis-parser") as RedisParserConstructor
const nodeRedisEncode = (
  require("@redis/client/dist/lib/RESP/encoder.js") as {
    default: (args: ReadonlyArray<string | Buffer>) => Array<string | Buffer>
  }
).default
const NodeRedisDecoder = (
  require("@redis/client/dist/lib/RESP/decoder.js") as {
    Decoder: new (config: {
      onReply: (reply: unknown) => void
      onErrorReply: (error: unknown) => void
      onPush: (push: unknown) => void
      getTypeMapping: () => Record<number, unknown>
    }) => { write(chunk: Buffer): void }
  }
).Decoder

const seconds = Number(process.argv[2] ?? "0.4")

/**
 * Times each of `rounds` (each processes `bytes` bytes) in turn, 5 times over, so that both
 * sides see the same heap and JIT state; returns each side's median MB/s.
 */
const measure = (bytes: number, rounds: ReadonlyArray<() => void>): Array<number> => {
  const warmUntil = performance.now() + 100 * rounds.length
  while (performance.now() < warmUntil) for (const round of rounds) round()
  const rates: Array<Array<number>> = rounds.map(() => [])
  for (let r = 0; r < 5; r++) {
    rounds.forEach((round, i) => {
      let n = 0
      const start = performance.now()
      const until = start + (seconds * 1000) / 5
      let now = start
      while (now < until) {
        round()
        n++
        now = performance.now()
      }
      rates[i]!.push((n * bytes) / 1e6 / ((now - start) / 1000))
    })
  }
  return rates.map((r) => r.sort((a, b) => a - b)[2]!)
}

/** Cuts `data` into chunks of `size` bytes (the last one shorter). */
const chunked = (data: Buffer, size: number): Array<Buffer> => {
  const chunks: Array<Buffer> = []
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size))
  return chunks
}

const repeat = (frame: string, times: number): Buffer => Buffer.from(frame.repeat(times), "utf8")

const bulk = (size: number): string => `$${size}\r\n${"v".repeat(size)}\r\n`

const array = (n: number, element: string): string => `*${n}\r\n${element.repeat(n)}`

interface DecodeCase {
  readonly name: string
  readonly chunks: ReadonlyArray<Buffer>
  readonly replies: number
  readonly bytesMode?: boolean
}

const decodeCases: ReadonlyArray<DecodeCase> = [
  { name: "+OK x 10k, 64 KiB chunks", chunks: chunked(repeat("+OK\r\n", 10_000), 65_536), replies: 10_000 },
  { name: ":integer x 10k", chunks: chunked(repeat(":1234567\r\n", 10_000), 65_536), replies: 10_000 },
  { name: "100 B bulk x 5k", chunks: chunked(repeat(bulk(100), 5_000), 65_536), replies: 5_000 },
  { name: "100 B bulk x 5k, 1460 B chunks", chunks: chunked(repeat(bulk(100), 5_000), 1460), replies: 5_000 },
  {
    name: "100 B bulk x 5k, as bytes",
    chunks: chunked(repeat(bulk(100), 5_000), 65_536),
    replies: 5_000,
    bytesMode: true
  },
  { name: "4 KiB bulk x 500", chunks: chunked(repeat(bulk(4096), 500), 65_536), replies: 500 },
  { name: "4 KiB bulk x 500, 1460 B chunks", chunks: chunked(repeat(bulk(4096), 500), 1460), replies: 500 },
  { name: "1 MiB bulk x 4, 64 KiB chunks", chunks: chunked(repeat(bulk(1 << 20), 4), 65_536), replies: 4 },
  {
    name: "array of 100 x 10 B bulk x 200",
    chunks: chunked(repeat(array(100, bulk(10)), 200), 65_536),
    replies: 200
  },
  {
    name: "array of 100 x 10 B bulk, 1460 B chunks",
    chunks: chunked(repeat(array(100, bulk(10)), 200), 1460),
    replies: 200
  },
  { name: "array of 100 integers x 200", chunks: chunked(repeat(array(100, ":42\r\n"), 200), 65_536), replies: 200 },
  {
    name: "nested: 100 x [bulk, [int, bulk]]",
    chunks: chunked(repeat(array(100, `*2\r\n${bulk(8)}*2\r\n:7\r\n${bulk(8)}`), 200), 65_536),
    replies: 200
  }
]

const ours = (c: DecodeCase): (() => void) => {
  let count = 0
  const bytesMode = c.bytesMode === true
  // As the client runs it: sockets read into one reused buffer, so the decoder copies the
  // pieces it keeps across chunks and the bytes it returns (`reusedChunks`).
  const decoder = new RespDecoder(
    {
      onReply: () => {
        count++
      },
      onPush: () => {},
      bytesForNextReply: () => bytesMode
    },
    { reusedChunks: true }
  )
  return () => {
    count = 0
    for (const chunk of c.chunks) {
      if (decoder.feed(chunk) !== undefined) throw new Error(`decoder failed on ${c.name}`)
    }
    if (count !== c.replies) throw new Error(`expected ${c.replies} replies, got ${count} (${c.name})`)
  }
}

const theirs = (c: DecodeCase): (() => void) => {
  let count = 0
  const parser = new Parser({
    returnReply: () => {
      count++
    },
    returnError: () => {
      count++
    },
    returnFatalError: (error) => {
      throw error
    },
    returnBuffers: c.bytesMode === true
  })
  return () => {
    count = 0
    for (const chunk of c.chunks) parser.execute(chunk)
    if (count !== c.replies) throw new Error(`redis-parser: expected ${c.replies} replies, got ${count} (${c.name})`)
  }
}

const nodeRedis = (c: DecodeCase): (() => void) => {
  let count = 0
  const mapping = c.bytesMode === true ? { 36: Buffer, 43: Buffer } : {}
  const decoder = new NodeRedisDecoder({
    onReply: () => {
      count++
    },
    onErrorReply: () => {
      count++
    },
    onPush: () => {},
    getTypeMapping: () => mapping
  })
  return () => {
    count = 0
    for (const chunk of c.chunks) decoder.write(chunk)
    if (count !== c.replies) throw new Error(`node-redis: expected ${c.replies} replies, got ${count} (${c.name})`)
  }
}

interface EncodeCase {
  readonly name: string
  readonly commands: ReadonlyArray<ReadonlyArray<RespArg>>
}

const value100 = "x".repeat(100)
const value4k = "y".repeat(4096)
const encodeCases: ReadonlyArray<EncodeCase> = [
  { name: "GET key x 100", commands: Array.from({ length: 100 }, (_, i) => ["GET", `key:${i}`]) },
  { name: "SET key 100 B x 100", commands: Array.from({ length: 100 }, (_, i) => ["SET", `key:${i}`, value100]) },
  { name: "SET key 4 KiB x 100", commands: Array.from({ length: 100 }, (_, i) => ["SET", `key:${i}`, value4k]) },
  {
    name: "SET key 100 B Buffer x 100",
    commands: Array.from({ length: 100 }, (_, i) => ["SET", `key:${i}`, Buffer.from(value100)])
  },
  { name: "GET unicode key x 100", commands: Array.from({ length: 100 }, (_, i) => ["GET", `clé:日本:${i}`]) }
]

const encodedBytes = (c: EncodeCase): number => {
  const w = new CommandWriter()
  for (const args of c.commands) w.push(args)
  return w.pendingBytes
}

// Ours produces what the socket writes: one Buffer of bytes for the whole batch. node-redis
// produces an array of pieces per command (strings and Buffers) that its socket then writes
// one by one under cork, converting each string to UTF-8 on the way; that conversion is not
// timed here, so the encode ratios understate ours.
const encodeOurs = (c: EncodeCase): (() => void) => {
  const w = new CommandWriter()
  let sink = 0
  return () => {
    for (const args of c.commands) w.push(args)
    const out = w.take()
    sink += out.length
    if (sink < 0) console.log(sink)
  }
}

const encodeTheirs = (c: EncodeCase): (() => void) => {
  const commands = c.commands.map(
    (args) => args.map((a) => (typeof a === "number" ? String(a) : a)) as Array<string | Buffer>
  )
  let sink = 0
  return () => {
    for (const args of commands) sink += nodeRedisEncode(args).length
    if (sink < 0) console.log(sink)
  }
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length))
const num = (x: number): string => x.toFixed(x >= 100 ? 0 : 1).padStart(8)

const ratio = (a: number, b: number): string => (a / b).toFixed(2).padStart(7)

console.log(`Node ${process.version}, ${seconds}s per case per side; ratio = ours / theirs\n`)
console.log(
  `${pad("decode (MB/s)", 40)} ${"ours".padStart(8)} ${"redis-parser".padStart(13)} ${"ratio".padStart(7)} ${"node-redis".padStart(11)} ${"ratio".padStart(7)}`
)
for (const c of decodeCases) {
  const bytes = c.chunks.reduce((n, chunk) => n + chunk.length, 0)
  const [a, b, d] = measure(bytes, [ours(c), theirs(c), nodeRedis(c)]) as [number, number, number]
  console.log(
    `${pad(c.name, 40)} ${num(a)} ${num(b).padStart(13)} ${ratio(a, b)} ${num(d).padStart(11)} ${ratio(a, d)}`
  )
}
console.log(`\n${pad("encode (MB/s)", 40)} ${"ours".padStart(8)} ${"node-redis".padStart(13)} ${"ratio".padStart(7)}`)
for (const c of encodeCases) {
  const [a, b] = measure(encodedBytes(c), [encodeOurs(c), encodeTheirs(c)]) as [number, number]
  console.log(`${pad(c.name, 40)} ${num(a)} ${num(b).padStart(13)} ${ratio(a, b)}`)
}
