/**
 * The client-side cost of tracing and metrics per command, without a server: 100 fibers call
 * `valkey.get` on a `Valkey` service whose router answers at once (`Effect.succeed`), so what
 * is measured is the command path itself, not the network or the server. Variants: off (the
 * plain router, as built by default), tracing (Effect's native tracer, no exporter), metrics,
 * both. Runs alternate between variants; medians of ns per call are printed.
 *
 * node --conditions=source bench/src/observability.ts [--calls 1000000] [--rounds 5]
 */
import process from "node:process"
import { type Command, Credentials, Observability, type RouterService } from "@effect-valkey/core"
import { makeValkey } from "@effect-valkey/core/internal"
import { Effect, Metric } from "effect"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  const value = i === -1 ? Number.NaN : Number(process.argv[i + 1])
  return Number.isFinite(value) && value > 0 ? value : fallback
}
const CALLS = Math.round(arg("calls", 1_000_000))
const ROUNDS = Math.round(arg("rounds", 5))
const FIBERS = 100

const router: RouterService = {
  run: <A>(_command: Command.Command<A>) => Effect.succeed(null as A),
  sendBatch: () => Effect.succeed([]),
  dedicated: Effect.die("unused"),
  dedicatedFor: () => Effect.die("unused"),
  credentials: new Credentials(undefined, undefined),
  // Never used: nothing here opens a connection.
  connectionOptions: undefined as never,
  observability: { tracing: undefined, metrics: undefined },
  connections: () => []
}

const variants = {
  off: { tracing: undefined, metrics: undefined },
  tracing: { tracing: {}, metrics: undefined },
  metrics: { tracing: undefined, metrics: {} },
  both: { tracing: {}, metrics: {} }
} satisfies Record<string, Observability.Settings>
type Variant = keyof typeof variants

const serviceFor = (variant: Variant) =>
  Effect.map(Observability.make(variants[variant], 0), (instrumentation) =>
    instrumentation === undefined
      ? makeValkey(router)
      : makeValkey(instrumentation.instrument(router, { host: "127.0.0.1", port: 6379 }), instrumentation)
  )

const run = (variant: Variant): Effect.Effect<number, unknown> =>
  Effect.gen(function* () {
    const valkey = yield* serviceFor(variant)
    const perFiber = Math.floor(CALLS / FIBERS)
    const fiber = (id: number) => {
      let i = 0
      const key = `key:${id}`
      return Effect.whileLoop({ while: () => i++ < perFiber, body: () => valkey.get(key), step: () => {} })
    }
    const t0 = performance.now()
    yield* Effect.forEach(
      Array.from({ length: FIBERS }, (_, i) => i),
      fiber,
      { concurrency: "unbounded", discard: true }
    )
    return ((performance.now() - t0) * 1e6) / (perFiber * FIBERS)
  }).pipe(Effect.provideService(Metric.MetricRegistry, new Map()))

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const main = Effect.gen(function* () {
  const names = Object.keys(variants) as Array<Variant>
  for (const name of names) yield* run(name) // warm-up
  const results = new Map<Variant, Array<number>>(names.map((n) => [n, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) results.get(name)!.push(yield* run(name))
  }
  const off = median(results.get("off")!)
  console.log(`${CALLS} calls × ${ROUNDS} rounds, ${FIBERS} fibers, router answering at once; ns per call (median)`)
  for (const name of names) {
    const ns = median(results.get(name)!)
    const runs = results
      .get(name)!
      .map((x) => x.toFixed(0))
      .join(" ")
    console.log(
      `${name.padEnd(8)} ${ns.toFixed(0).padStart(6)} ns  (+${(ns - off).toFixed(0)} ns vs off)  runs: ${runs}`
    )
  }
})

Effect.runPromise(main)
