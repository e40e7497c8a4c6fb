// The workload, after GLIDE's own benchmark (benchmarks/utilities + node_benchmark): every op is a
// GET with probability `getRatio` (0.8) or else a SET. A GET hits an existing key with
// probability `hitRatio` (0.5) and otherwise asks for a key that is never written. Keys live in a
// large key space (3,000,000 names); the harness prefills keys [0, hitKeys) with values of the
// scenario's size, SETs overwrite keys in that same range (same size), so the data set stays the
// same size from the first run to the last and hits stay hits, misses stay misses.
//
// The generators are plain functions shared by every client, so the harness cost per op (one
// Math.random, one string concat) is identical for all of them.

import type { Workload } from "./types.ts"

export const KEY_PREFIX = "bench:key:"

export const keyOf = (i: number): string => KEY_PREFIX + i

/** One value string per size, built once per process. */
export const makeValue = (size: number): string => "v".repeat(size)

/** How many keys the harness prefills for a value size: up to 100k keys, at most ~256 MiB. */
export const hitKeysFor = (valueSize: number): number =>
  Math.max(1000, Math.min(100_000, Math.floor((256 * 1024 * 1024) / valueSize)))

/**
 * Draws ops: `next()` returns the key and sets `lastWasGet` (true: send a GET, false: a SET).
 * One picker per caller; it allocates nothing but the key string.
 */
export interface OpPicker {
  next(): string
  lastWasGet: boolean
}

export const makePicker = (w: Workload): OpPicker => {
  const getRatio = w.getRatio
  // threshold inside the GET band below which the GET is a hit
  const hitBand = w.getRatio * w.hitRatio
  const hitKeys = w.hitKeys
  const missSpan = w.keySpace - w.hitKeys
  const picker: OpPicker = {
    lastWasGet: true,
    next() {
      const r = Math.random()
      if (r < getRatio) {
        picker.lastWasGet = true
        return r < hitBand
          ? KEY_PREFIX + ((Math.random() * hitKeys) | 0)
          : KEY_PREFIX + (hitKeys + ((Math.random() * missSpan) | 0))
      }
      picker.lastWasGet = false
      return KEY_PREFIX + ((Math.random() * hitKeys) | 0)
    }
  }
  return picker
}

/**
 * Log-bucketed latency histogram: 1% relative precision from 1 µs to ~100 s in ~1,900 Uint32
 * buckets, so recording is O(1), allocation-free, and the worker's RSS does not grow with the
 * number of ops (a Float64Array of every sample would be 24 MB at 3M ops).
 */
export class Histogram {
  static readonly GROWTH = 1.01
  static readonly K = 1 / Math.log(Histogram.GROWTH)
  static readonly BUCKETS = Math.ceil(Math.log(1e8) * Histogram.K) + 2
  readonly counts = new Uint32Array(Histogram.BUCKETS)
  count = 0
  sumMs = 0

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = ms * 1000
    let i = us <= 1 ? 0 : ((Math.log(us) * Histogram.K) | 0) + 1
    if (i >= Histogram.BUCKETS) i = Histogram.BUCKETS - 1
    this.counts[i]!++
    this.count++
    this.sumMs += ms
  }

  reset(): void {
    this.counts.fill(0)
    this.count = 0
    this.sumMs = 0
  }

  /** Quantile q in [0, 1], in milliseconds (geometric middle of the bucket). */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN
    const rank = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!
      if (seen >= rank) {
        if (i === 0) return 0.001
        const lo = Histogram.GROWTH ** (i - 1)
        return (lo * Math.sqrt(Histogram.GROWTH)) / 1000
      }
    }
    return Number.NaN
  }

  mean(): number {
    return this.count === 0 ? Number.NaN : this.sumMs / this.count
  }
}
