// effect-valkey: N fibers, each running GET/SET until the deadline.
//
// The loop avoids Effect.gen per op: one `Effect.whileLoop` primitive per fiber whose body
// returns the command effect itself (`v.get(key)` / `v.set(key, value)`) and whose `step` records
// the latency. A failure does not cost anything per op either: it ends the inner loop, is
// counted by one `catchCause` around the whole loop, and the outer loop starts it again.
//
// The core is being written concurrently. Its intended API:
//   import { Valkey, ValkeyStandalone } from "@effect-valkey/core"
//   ValkeyStandalone.layer({ host, port }): Layer<Valkey, E>
//   (yield* Valkey).get(key): Effect<string | null, E>; .set(key, value): Effect<"OK" | ..., E>
// Until `@effect-valkey/core` exports those, it is loaded through a non-literal specifier and
// typed structurally below, so the bench keeps typechecking and the worker reports "skipped".
// TODO(core lands): replace the dynamic import and `CoreApi` with
//   `import { Valkey, ValkeyStandalone } from "@effect-valkey/core"`.

import { Cause, Effect, type Layer, ManagedRuntime } from "effect"
import type { Target } from "../types.ts"
import { makePicker, makeValue } from "../workload.ts"
import { type BenchClient, type ClientAdapter, type LoadConfig, SkipError } from "./client.ts"

interface ValkeyShape {
  get(key: string): Effect.Effect<string | null, unknown>
  set(key: string, value: string): Effect.Effect<unknown, unknown>
}
type ValkeyId = { readonly ValkeyId: "ValkeyId" }
interface CoreApi {
  readonly Valkey: Effect.Effect<ValkeyShape, never, ValkeyId>
  readonly ValkeyStandalone: {
    layer(config: { readonly host: string; readonly port: number }): Layer.Layer<ValkeyId, unknown>
  }
}

const CORE: string = "@effect-valkey/core"

const loadCore = async (): Promise<CoreApi> => {
  let mod: Partial<CoreApi>
  try {
    mod = (await import(CORE)) as Partial<CoreApi>
  } catch (e) {
    throw new SkipError(`${CORE} cannot be loaded yet (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`)
  }
  if (mod.Valkey === undefined || mod.ValkeyStandalone === undefined) {
    throw new SkipError(`${CORE} does not export Valkey / ValkeyStandalone yet`)
  }
  return mod as CoreApi
}

const callerLoop = (v: ValkeyShape, { workload, deadline, histogram, counters }: LoadConfig) => {
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

export const adapter: ClientAdapter = {
  async connect(target: Target): Promise<BenchClient> {
    const core = await loadCore()
    if (target.topology !== "standalone") throw new SkipError("cluster adapter not written yet")
    const node = target.nodes[0]!
    const runtime = ManagedRuntime.make(core.ValkeyStandalone.layer({ host: node.host, port: node.port }))
    const valkey = await runtime.runPromise(core.Valkey)
    return {
      runLoad: (config) =>
        runtime.runPromise(
          Effect.forEach(Array.from({ length: config.workload.concurrency }), () => callerLoop(valkey, config), {
            concurrency: "unbounded",
            discard: true
          })
        ),
      close: () => runtime.dispose()
    }
  }
}
