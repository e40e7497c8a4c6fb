// The common interface of the client adapters, and the load loop shared by the Promise-based
// peers. Effect-based clients implement `runLoad` themselves (fibers instead of async loops).

import type { LoadCounters, Target, Workload } from "../types.ts"
import { type Histogram, makePicker, makeValue } from "../workload.ts"

export interface LoadConfig {
  readonly workload: Workload
  /** run until performance.now() passes this */
  readonly deadline: number
  readonly histogram: Histogram
  readonly counters: LoadCounters
}

/** A connected client under test. */
export interface BenchClient {
  /** One GET, used by the worker's pre-flight check (hit returns the value, miss returns null). */
  get(key: string): Promise<unknown>
  /** Runs `workload.concurrency` callers until the deadline, recording every op. */
  runLoad(config: LoadConfig): Promise<void>
  /** With a client-side cache: the share of GETs it answered so far. */
  hitRate?: () => Promise<number>
  close(): Promise<void>
}

export interface ClientAdapter {
  connect(target: Target): Promise<BenchClient>
}

/** The two commands a Promise-based peer has to provide. */
export interface PromiseOps {
  get(key: string): Promise<unknown>
  set(key: string, value: string): Promise<unknown>
  close(): Promise<void>
  hitRate?: () => Promise<number>
}

export const errorText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))

/**
 * N async loops, each awaiting one op at a time, as an application would. Identical for every
 * Promise-based peer, so differences come from the clients.
 */
export const promiseLoad = (ops: PromiseOps): BenchClient => ({
  get: (key) => ops.get(key),
  async runLoad({ workload, deadline, histogram, counters }) {
    const value = makeValue(workload.valueSize)
    const caller = async (): Promise<void> => {
      const picker = makePicker(workload)
      let now = performance.now()
      while (now < deadline) {
        const key = picker.next()
        const t0 = now
        try {
          if (picker.lastWasGet) {
            await ops.get(key)
            counters.gets++
          } else {
            await ops.set(key, value)
            counters.sets++
          }
          now = performance.now()
          histogram.record(now - t0)
          counters.ops++
        } catch (e) {
          now = performance.now()
          counters.errors++
          counters.firstError ??= errorText(e)
        }
      }
    }
    const callers: Array<Promise<void>> = []
    for (let i = 0; i < workload.concurrency; i++) callers.push(caller())
    await Promise.all(callers)
  },
  close: () => ops.close(),
  ...(ops.hitRate === undefined ? {} : { hitRate: ops.hitRate })
})

/** Thrown by `connect` when a client cannot be measured here (yet); the worker reports a skip. */
export class SkipError extends Error {
  override readonly name = "SkipError"
}
