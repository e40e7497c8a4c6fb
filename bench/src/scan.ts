/**
 * Cluster scan throughput: keys per second of `ClusterScan.keys` (slot-tracking, one primary
 * at a time, a `CLUSTER NODES` before and after each pass) against what a user would write by
 * hand: a plain SCAN cursor loop on each primary in turn, which is as fast as scanning gets
 * but misses keys when slots move. Both run through the same effect-valkey cluster client on
 * one 3-primary cluster, alternating, and the ratio of the medians is printed.
 *
 * node --conditions=source bench/src/scan.ts [--keys 200000] [--count 1000] [--rounds 5]
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { type ClusterRouterService, ValkeyCluster } from "@effect-valkey/cluster"
import { Commands } from "@effect-valkey/core"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect, Stream } from "effect"

const flag = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  const value = i === -1 ? Number.NaN : Number(process.argv[i + 1])
  return Number.isFinite(value) && value > 0 ? value : fallback
}
const KEYS = flag("keys", 200_000)
const COUNT = flag("count", 1000)
const ROUNDS = flag("rounds", 5)

/** SCAN each primary from cursor 0 to 0, one after the other; returns the keys seen. */
const plainLoops = (router: ClusterRouterService) =>
  Effect.gen(function* () {
    let seen = 0
    for (const node of router.topology().primaries()) {
      const route = { type: "address", host: node.host, port: node.port } as const
      let cursor = "0"
      do {
        const page = yield* router.runOn(Commands.scan.scanPage(cursor, { count: COUNT }), route)
        seen += page.items.length
        cursor = page.cursor
      } while (cursor !== "0")
    }
    return seen
  })

const timed = <E>(run: Effect.Effect<number, E>) =>
  Effect.gen(function* () {
    const start = performance.now()
    const keys = yield* run
    return { keys, keysPerSecond: keys / ((performance.now() - start) / 1000) }
  })

const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const program = Effect.gen(function* () {
  const cluster = yield* ValkeyTestCluster
  const { router, scan, valkey } = yield* ValkeyCluster.make({ seeds: [cluster.seeds[0]!] })
  for (let start = 0; start < KEYS; start += 5000) {
    const n = Math.min(5000, KEYS - start)
    yield* valkey.mset(Array.from({ length: n }, (_, i) => [`scan:${start + i}`, "v"] as const))
  }
  const clusterRuns: Array<number> = []
  const plainRuns: Array<number> = []
  for (let round = 0; round < ROUNDS; round++) {
    const a = yield* timed(scan.keys({ count: COUNT }).pipe(Stream.runCount))
    const b = yield* timed(plainLoops(router))
    if (a.keys < KEYS || b.keys < KEYS)
      return yield* Effect.die(new Error(`a scan saw too few keys: ${a.keys}, ${b.keys}`))
    clusterRuns.push(a.keysPerSecond)
    plainRuns.push(b.keysPerSecond)
    console.log(
      `round ${round + 1}: cluster scan ${Math.round(a.keysPerSecond)} keys/s, plain loops ${Math.round(b.keysPerSecond)} keys/s`
    )
  }
  const result = {
    keys: KEYS,
    count: COUNT,
    rounds: ROUNDS,
    clusterScanKeysPerSecond: median(clusterRuns),
    plainLoopsKeysPerSecond: median(plainRuns),
    ratio: median(clusterRuns) / median(plainRuns)
  }
  console.log(`cluster scan ÷ plain per-primary SCAN loops: ${result.ratio.toFixed(2)}x (medians of ${ROUNDS} rounds)`)
  mkdirSync(new URL("../results/", import.meta.url), { recursive: true })
  writeFileSync(new URL("../results/scan.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`)
})

await Effect.runPromise(
  Effect.scoped(program).pipe(Effect.provide(ValkeyTestCluster.layer({ primaries: 3, replicasPerPrimary: 0 })))
)
