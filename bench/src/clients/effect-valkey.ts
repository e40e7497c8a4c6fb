// effect-valkey: N fibers, each running GET/SET until the deadline. Standalone targets use
// `ValkeyStandalone.layer`, cluster targets `ValkeyCluster.layer` from @effect-valkey/cluster
// (slot routing over one multiplexed connection per primary); both provide the same `Valkey`
// service, so the load loop is the same code.
//
// The loop avoids Effect.gen per op: one `Effect.whileLoop` primitive per fiber whose body
// returns the command effect itself (`v.get(key)` / `v.set(key, value)`) and whose `step` records
// the latency. A failure does not cost anything per op either: it ends the inner loop, is
// counted by one `catchCause` around the whole loop, and the outer loop starts it again.
//
// @effect-valkey/cluster is imported only for cluster targets, as an application on one server
// would not load it (node-redis and ioredis ship both clients in one package).

import { ClientCache, Valkey, type ValkeyService, ValkeyStandalone } from "@effect-valkey/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type { Target } from "../types.ts"
import { makePicker, makeValue } from "../workload.ts"
import type { BenchClient, ClientAdapter, LoadConfig } from "./client.ts"

const callerLoop = (v: ValkeyService, { workload, deadline, histogram, counters }: LoadConfig) => {
  const picker = makePicker(workload)
  const value = makeValue(workload.valueSize)
  let now = performance.now()
  let t0 = 0
  let isGet = true
  const ops = Effect.whileLoop({
    while: () => now < deadline,
    body: () => {
      const key = picker.next()
      t0 = now
      isGet = picker.lastWasGet
      return isGet ? v.get(key) : v.set(key, value)
    },
    step: () => {
      now = performance.now()
      histogram.record(now - t0)
      counters.ops++
      if (isGet) counters.gets++
      else counters.sets++
    }
  })
  const recovering = Effect.catchCause(ops, (cause) =>
    Effect.sync(() => {
      now = performance.now()
      counters.errors++
      counters.firstError ??= Cause.pretty(cause).split("\n")[0]
    })
  )
  return Effect.whileLoop({ while: () => now < deadline, body: () => recovering, step: () => {} })
}

// `--tracing` / `--metrics` of the harness: the cost of each when on (spans go to Effect's
// default tracer, no exporter; metrics to the default registry).
const observability = {
  ...(process.env.EFFECT_VALKEY_BENCH_TRACING === "1" ? { tracing: true } : {}),
  ...(process.env.EFFECT_VALKEY_BENCH_METRICS === "1" ? { metrics: true } : {})
}

const connect = async (target: Target, cache: boolean): Promise<BenchClient> => {
  const node = target.nodes[0]!
  // The read-heavy scenario's hot set is 10,000 keys: room for all of them.
  const options = { ...observability, ...(cache ? { cache: { maxEntries: 20_000 } } : {}) }
  const layer: Layer.Layer<Valkey | ClientCache.ClientCache, unknown> =
    target.topology === "cluster"
      ? (await import("@effect-valkey/cluster")).ValkeyCluster.layer({
          seeds: target.nodes.map((n) => `${n.host}:${n.port}`),
          ...options
        })
      : ValkeyStandalone.layer({ host: node.host, port: node.port, ...options })
  const runtime = ManagedRuntime.make(layer)
  const valkey = await runtime.runPromise(Valkey)
  const clientCache = await runtime.runPromise(ClientCache.ClientCache)
  return {
    get: (key) => runtime.runPromise(valkey.get(key)),
    runLoad: (config) =>
      runtime.runPromise(
        Effect.forEach(Array.from({ length: config.workload.concurrency }), () => callerLoop(valkey, config), {
          concurrency: "unbounded",
          discard: true
        })
      ),
    ...(cache
      ? {
          hitRate: () =>
            runtime.runPromise(Effect.map(clientCache.stats, (s) => s.hits / Math.max(1, s.hits + s.misses)))
        }
      : {}),
    close: () => runtime.dispose()
  }
}

export const adapter: ClientAdapter = { connect: (target) => connect(target, false) }

/** With the client-side cache on (`cache: { maxEntries: 20_000 }`). */
export const adapterCached: ClientAdapter = { connect: (target) => connect(target, true) }
