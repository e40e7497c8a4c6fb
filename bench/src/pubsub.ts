/**
 * Pub/sub delivery rate: messages per second that reach the subscribers of one channel, for
 * effect-valkey's `@effect-valkey/pubsub` against node-redis 5 and 6 (`subscribe(channel,
 * listener)` on a duplicated client) and ioredis 5 and 6 and iovalkey (`subscribe` + the
 * `"message"` event). effect-valkey reads each Stream with `Stream.runForEachArray`, one callback
 * per batch the Stream pulls (the fast way documented in docs/pubsub.md; the callback still
 * sees every message). With `--subscribers N` (fan-out) the worker has N consumers of the
 * channel, each as its client offers it: N subscription Streams on one `PubSub` service, N
 * listeners on one node-redis subscriber client, N `"message"` listeners on one ioredis
 * subscriber connection; a run ends when every consumer has all N messages.
 *
 * One run: a worker process (this file with `--worker <client>`) loads only its client,
 * subscribes to a fresh channel and prints `ready`. The parent then pipelines N `PUBLISH`es of
 * `--size` bytes on a raw socket of its own, as fast as the socket takes them, and the run's
 * time is from the first publish until the worker has received all N (a fixed count, not a
 * fixed window): rate = N / (last message received − first publish), both read from the wall
 * clock of the same machine. Every payload is decoded to a string by every client. The server
 * has `client-output-buffer-limit pubsub 0 0 0`, so a slow subscriber is never disconnected
 * (the server buffers what the client has not read yet). Runs alternate between clients
 * (A B C … A B C …) on one server; the medians and effect-valkey ÷ each peer are printed and
 * written to bench/results/pubsub.json.
 *
 * node --conditions=source bench/src/pubsub.ts [--messages 1000000] [--size 100] [--rounds 3]
 *   [--subscribers 1] [--clients effect-valkey,redis5,redis6,ioredis5,ioredis6,iovalkey]
 */
import { spawn } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { connect } from "node:net"
import process from "node:process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

const CLIENT_IDS = ["effect-valkey", "redis5", "redis6", "ioredis5", "ioredis6", "iovalkey"] as const
type ClientId = (typeof CLIENT_IDS)[number]
const isClientId = (s: string): s is ClientId => (CLIENT_IDS as ReadonlyArray<string>).includes(s)

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : process.argv[i + 1]
}
const flag = (name: string, fallback: number): number => {
  const value = Number(arg(name))
  return Number.isFinite(value) && value > 0 ? value : fallback
}

// A million: at the server's ~1.2M msg/s that is ~0.8 s a run; 200,000 (0.18 s) timed start-up and JIT.
const MESSAGES = Math.round(flag("messages", 1_000_000))
const SIZE = Math.round(flag("size", 100))
const ROUNDS = Math.round(flag("rounds", 3))
const TIMEOUT_MS = flag("timeout", 120) * 1000
const SUBSCRIBERS = Math.round(flag("subscribers", 1))

/** What a worker prints when it has all N messages (or gave up). */
interface WorkerReport {
  readonly ok: boolean
  readonly received: number
  /** Wall-clock ms (Date.now()) when the last message arrived. */
  readonly lastAt: number
  readonly payloadBytes: number
  /** The worker's CPU time (user + system) from `ready` to the last message, in ms. */
  readonly cpuMs: number
  readonly reason?: string
}

/** What a consumer resolves with once it has every message. */
interface Finished {
  readonly lastAt: number
  readonly cpuMs: number
  readonly payloadBytes: number
}

let cpuAtReady: NodeJS.CpuUsage | undefined
/** The time and the CPU used since `ready`, read when the last message arrived. */
const stamp = () => {
  const cpu = process.cpuUsage(cpuAtReady)
  return { lastAt: Date.now(), cpuMs: (cpu.user + cpu.system) / 1000 }
}

// ── worker: one client, one subscription, count N messages ────────────────────────────────

/**
 * Subscribes `subscribers` consumers, calls `ready`, then resolves with the time the last of
 * them got its N-th message.
 */
type Consume = (port: number, channel: string, n: number, subscribers: number, ready: () => void) => Promise<Finished>

const consumers: Record<ClientId, () => Promise<Consume>> = {
  "effect-valkey": async () => {
    const { ValkeyStandalone } = await import("@effect-valkey/core")
    const { PubSub } = await import("@effect-valkey/pubsub")
    const [Deferred, Effect, Layer, Stream] = await Promise.all([
      import("effect/Deferred"),
      import("effect/Effect"),
      import("effect/Layer"),
      import("effect/Stream")
    ])
    return (port, channel, n, subscribers, ready) => {
      const config = { port }
      const live = PubSub.layer().pipe(Layer.provideMerge(ValkeyStandalone.layer(config)))
      let payloadBytes = 0
      let received = 0
      const total = n * subscribers
      const program = Effect.gen(function* () {
        const pubsub = yield* PubSub.PubSub
        // Held in the scope: each returns once the server confirmed the SUBSCRIBE. Default
        // buffer (1024 messages, "suspend": lossless).
        const subscriptions = yield* Effect.forEach(Array.from({ length: subscribers }), () =>
          pubsub.subscription("channel", channel)
        )
        const all = yield* Deferred.make<ReturnType<typeof stamp>>()
        yield* Effect.sync(ready)
        // Like the peers' listeners, one count over every consumer ends the run (it then
        // interrupts the consumers): no per-message `Stream.take` in the way.
        yield* Effect.forEach(
          subscriptions,
          (subscription) =>
            // The fast way to consume (docs/pubsub.md): one callback per batch the stream
            // pulls; the code still sees every message.
            Stream.runForEachArray(subscription.messages, (messages) =>
              Effect.sync(() => {
                for (const message of messages) payloadBytes = message.payload.length
                received += messages.length
                if (received === total) Deferred.doneUnsafe(all, Effect.succeed(stamp()))
              })
            ),
          { concurrency: "unbounded", discard: true }
        ).pipe(Effect.raceFirst(Deferred.await(all)))
        return { ...(yield* Deferred.await(all)), payloadBytes }
      })
      return Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(live)))
    }
  },
  redis5: async () => {
    const { createClient } = await import("redis5")
    return nodeRedis(createClient)
  },
  redis6: async () => {
    const { createClient } = await import("redis6")
    return nodeRedis(createClient)
  },
  ioredis5: async () => {
    const { Redis } = await import("ioredis5")
    return ioredis((port) => new Redis({ host: "127.0.0.1", port, lazyConnect: true }))
  },
  ioredis6: async () => {
    const { Redis } = await import("ioredis6")
    return ioredis((port) => new Redis({ host: "127.0.0.1", port, lazyConnect: true }))
  },
  iovalkey: async () => {
    const { Redis } = await import("iovalkey")
    return ioredis((port) => new Redis({ host: "127.0.0.1", port, lazyConnect: true }))
  }
}

/** What both node-redis versions offer for this. */
interface NodeRedisLike {
  connect(): Promise<unknown>
  duplicate(): NodeRedisLike
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>
  on(event: "error", listener: (e: unknown) => void): unknown
  destroy(): void
}

// node-redis: the documented way is a dedicated subscriber, `client.duplicate()`.
const nodeRedis =
  (createClient: (options: { socket: { host: string; port: number } }) => unknown): Consume =>
  async (port, channel, n, subscribers, ready) => {
    const client = createClient({ socket: { host: "127.0.0.1", port } }) as NodeRedisLike
    client.on("error", () => {})
    await client.connect()
    const subscriber = client.duplicate()
    subscriber.on("error", () => {})
    await subscriber.connect()
    let received = 0
    const total = n * subscribers
    let finished: (result: Finished) => void = () => {}
    const done = new Promise<Finished>((resolve) => {
      finished = resolve
    })
    // Each resolves once the server confirmed the SUBSCRIBE (the first; later ones add a listener).
    for (let i = 0; i < subscribers; i++) {
      await subscriber.subscribe(channel, (message) => {
        if (++received === total) finished({ ...stamp(), payloadBytes: message.length })
      })
    }
    ready()
    const result = await done
    subscriber.destroy()
    client.destroy()
    return result
  }

interface IoRedisLike {
  connect(): Promise<void>
  subscribe(channel: string): Promise<unknown>
  on(event: "message", listener: (channel: string, message: string) => void): unknown
  on(event: "error", listener: (e: unknown) => void): unknown
  disconnect(): void
}

// ioredis: a connection in subscriber mode, messages as `"message"` events.
const ioredis =
  (create: (port: number) => unknown): Consume =>
  async (port, channel, n, subscribers, ready) => {
    const subscriber = create(port) as IoRedisLike
    subscriber.on("error", () => {})
    await subscriber.connect()
    let received = 0
    const total = n * subscribers
    const done = new Promise<Finished>((resolve) => {
      for (let i = 0; i < subscribers; i++) {
        subscriber.on("message", (_channel, message) => {
          if (++received === total) resolve({ ...stamp(), payloadBytes: message.length })
        })
      }
    })
    await subscriber.subscribe(channel)
    ready()
    const result = await done
    subscriber.disconnect()
    return result
  }

const runWorker = async (client: ClientId): Promise<void> => {
  const port = Number(arg("port"))
  const channel = arg("channel") ?? "bench:pubsub"
  const emit = (report: WorkerReport) => {
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0))
    setTimeout(() => process.exit(0), 2000).unref()
  }
  try {
    const consume = await consumers[client]()
    const result = await consume(port, channel, MESSAGES, SUBSCRIBERS, () => {
      cpuAtReady = process.cpuUsage()
      process.stdout.write("ready\n")
    })
    emit({ ok: true, received: MESSAGES, ...result })
  } catch (e) {
    emit({
      ok: false,
      received: 0,
      lastAt: 0,
      cpuMs: 0,
      payloadBytes: 0,
      reason: e instanceof Error ? e.message : String(e)
    })
  }
}

// ── parent: the server, the publisher, the rounds ─────────────────────────────────────────

/** N PUBLISH commands in RESP, one buffer. */
const publishes = (channel: string, n: number, size: number): Buffer => {
  const payload = "x".repeat(size)
  const one = Buffer.from(
    `*3\r\n$7\r\nPUBLISH\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n$${size}\r\n${payload}\r\n`
  )
  const all = Buffer.allocUnsafe(one.length * n)
  for (let i = 0; i < n; i++) one.copy(all, i * one.length)
  return all
}

interface Run {
  readonly ok: boolean
  readonly messagesPerSecond: number
  /** The subscriber's CPU time per published message (µs): steadier than the rate on a busy machine. */
  readonly cpuMicrosPerMessage: number
  readonly publishMs: number
  readonly reason?: string | undefined
}

const failed = { ok: false, messagesPerSecond: 0, cpuMicrosPerMessage: 0 } as const

/** One worker, one publish burst: the worker subscribes, then the parent publishes N. */
const measure = (client: ClientId, port: number, channel: string): Promise<Run> =>
  new Promise((resolve) => {
    const self = fileURLToPath(import.meta.url)
    const child = spawn(
      process.execPath,
      [
        self,
        ...["--worker", client, "--port", String(port), "--channel", channel],
        ...["--messages", String(MESSAGES), "--subscribers", String(SUBSCRIBERS)]
      ],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let stderr = ""
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS)
    let firstPublishAt = 0
    let publishMs = 0
    let settled = false
    const finish = (run: Run) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(run)
    }
    const burst = publishes(channel, MESSAGES, SIZE)
    const publisher = connect({ host: "127.0.0.1", port })
    publisher.on("error", (e) => finish({ ...failed, publishMs: 0, reason: e.message }))
    let replies = 0
    publisher.on("data", (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) replies++
      if (replies === MESSAGES) {
        publishMs = Date.now() - firstPublishAt
        publisher.end()
      }
    })
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "ready") {
        firstPublishAt = Date.now()
        publisher.write(burst)
        return
      }
      if (!line.startsWith("{")) return
      const report = JSON.parse(line) as WorkerReport
      if (!report.ok) return finish({ ...failed, publishMs, reason: report.reason })
      if (report.payloadBytes !== SIZE) {
        return finish({ ...failed, publishMs, reason: `payload of ${report.payloadBytes} B` })
      }
      const elapsed = report.lastAt - firstPublishAt
      finish({
        ok: true,
        messagesPerSecond: MESSAGES / (elapsed / 1000),
        cpuMicrosPerMessage: (report.cpuMs * 1000) / MESSAGES,
        publishMs
      })
    })
    child.on("close", (code, signal) => {
      publisher.destroy()
      const tail = stderr.trim().split("\n").slice(-5).join("\n")
      finish({ ...failed, publishMs, reason: `worker exited (${signal ?? code}) ${tail}` })
    })
  })

const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const runParent = async (): Promise<void> => {
  const { Effect } = await import("effect")
  const { ValkeyServer } = await import("@effect-valkey/testkit")
  const clients = (arg("clients") ?? CLIENT_IDS.join(",")).split(",").filter(isClientId)
  if (clients.includes("effect-valkey")) (await import("./build.ts")).buildPackages(["core", "cluster", "pubsub"])
  const program = Effect.gen(function* () {
    // No pubsub output buffer limit: a subscriber that falls behind is buffered, not dropped.
    const server = yield* ValkeyServer.make({ config: ["client-output-buffer-limit pubsub 0 0 0"] })
    const version = String(yield* server.command(["INFO", "server"])).match(/valkey_version:(\S+)/)?.[1]
    console.log(
      `valkey ${version} at ${server.address}; ${MESSAGES} messages of ${SIZE} B per run to ${SUBSCRIBERS} subscriber(s), ${ROUNDS} rounds, node ${process.version}`
    )
    const runs = new Map<ClientId, Array<number>>(clients.map((c) => [c, []]))
    const cpu = new Map<ClientId, Array<number>>(clients.map((c) => [c, []]))
    const failures: Array<string> = []
    for (let round = 0; round < ROUNDS; round++) {
      for (const client of clients) {
        const run = yield* Effect.promise(() => measure(client, server.port, `bench:pubsub:${round}:${client}`))
        if (run.ok) {
          runs.get(client)!.push(run.messagesPerSecond)
          cpu.get(client)!.push(run.cpuMicrosPerMessage)
        } else failures.push(`round ${round + 1} ${client}: ${run.reason}`)
        console.log(
          `round ${round + 1} ${client.padEnd(14)} ${
            run.ok
              ? `${Math.round(run.messagesPerSecond).toLocaleString("en")} msg/s, ${run.cpuMicrosPerMessage.toFixed(2)} µs CPU/msg`
              : `FAILED: ${run.reason}`
          }  (publisher done after ${run.publishMs} ms)`
        )
      }
    }
    const medians = Object.fromEntries(clients.map((c) => [c, median(runs.get(c)!)]))
    const cpuMedians = Object.fromEntries(clients.map((c) => [c, median(cpu.get(c)!)]))
    const ours = medians["effect-valkey"]
    const ratios = Object.fromEntries(
      clients.filter((c) => c !== "effect-valkey").map((c) => [c, ours === undefined ? null : ours / medians[c]!])
    )
    console.log(`\nmedian msg/s and subscriber CPU µs per message over ${ROUNDS} rounds:`)
    for (const c of clients) {
      const ratio = ratios[c]
      console.log(
        `  ${c.padEnd(14)} ${Math.round(medians[c]!).toLocaleString("en").padStart(10)} ${cpuMedians[c]!.toFixed(2).padStart(6)} µs${
          typeof ratio === "number" ? `   effect-valkey ÷ ${c}: ${ratio.toFixed(2)}x` : ""
        }`
      )
    }
    const result = {
      messages: MESSAGES,
      size: SIZE,
      subscribers: SUBSCRIBERS,
      rounds: ROUNDS,
      valkey: version,
      node: process.version,
      medianMessagesPerSecond: medians,
      medianCpuMicrosPerMessage: cpuMedians,
      effectValkeyRatio: ratios,
      runs: Object.fromEntries(runs),
      cpuMicrosPerMessage: Object.fromEntries(cpu),
      failures
    }
    mkdirSync(new URL("../results/", import.meta.url), { recursive: true })
    const file = SUBSCRIBERS === 1 ? "pubsub.json" : `pubsub-fanout-${SUBSCRIBERS}.json`
    writeFileSync(new URL(`../results/${file}`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`)
  })
  await Effect.runPromise(Effect.scoped(program))
}

const worker = arg("worker")
if (worker !== undefined) {
  if (!isClientId(worker)) {
    process.stderr.write(`unknown client ${worker}; one of ${CLIENT_IDS.join(", ")}\n`)
    process.exit(2)
  }
  await runWorker(worker)
} else {
  await runParent()
}
