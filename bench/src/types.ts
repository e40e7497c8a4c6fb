// Shapes shared by the harness (main.ts), the per-client worker (worker.ts) and the adapters.

/** Where a worker connects. Cluster targets list the seed nodes. */
export interface Target {
  readonly topology: "standalone" | "cluster"
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>
}

/** The workload of one scenario (see workload.ts for how keys and ops are drawn). */
export interface Workload {
  /** concurrent callers: fibers for effect-valkey, async loops for the peers */
  readonly concurrency: number
  /** bytes per SET value */
  readonly valueSize: number
  /** total key space; GET misses are drawn from [hitKeys, keySpace) */
  readonly keySpace: number
  /** keys [0, hitKeys) are prefilled by the harness; SETs and GET hits go there */
  readonly hitKeys: number
  /** probability that an op is a GET (the rest are SETs) */
  readonly getRatio: number
  /** probability that a GET targets an existing key */
  readonly hitRatio: number
}

/** What the harness hands a worker (as JSON on argv). */
export interface WorkerJob {
  readonly scenario: string
  readonly target: Target
  readonly workload: Workload
  readonly warmupMs: number
  readonly durationMs: number
}

/** Counters of one load window, filled in by the load loop. */
export interface LoadCounters {
  ops: number
  gets: number
  sets: number
  errors: number
  firstError: string | undefined
}

/** What a worker prints (one JSON line on stdout). */
export type WorkerResult =
  | {
      readonly ok: true
      readonly client: string
      readonly scenario: string
      readonly ops: number
      readonly errors: number
      readonly firstError?: string
      readonly elapsedMs: number
      readonly opsPerSec: number
      /** latency in milliseconds */
      readonly p50: number
      readonly p99: number
      readonly mean: number
      /** peak resident set size of the worker process, bytes */
      readonly maxRss: number
      /** CPU time of the worker process during the measured window, ms */
      readonly cpuUserMs: number
      readonly cpuSystemMs: number
      /** clients with a client-side cache: the share of reads it answered (warm-up included) */
      readonly hitRate?: number
    }
  | {
      readonly ok: false
      readonly client: string
      readonly scenario: string
      readonly skipped: boolean
      readonly reason: string
    }
