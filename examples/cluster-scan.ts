/**
 * A SCAN over the whole cluster: as a Stream from the `Scan` service (the same pipeline as on a
 * standalone server), and paged by hand with `ClusterScan.step` and a cursor you keep. See
 * docs/cluster-scan.md.
 *
 *   node --conditions=source examples/cluster-scan.ts
 *
 * Starts a throwaway 3-primary cluster (no replicas) and stops it at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { ClusterRouter, ClusterScan, type ClusterScanCursor, ValkeyCluster } from "@effect-valkey/cluster"
import { Scan, Valkey } from "@effect-valkey/core"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Console, Effect, Stream } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`${label.padEnd(44)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

const TOTAL = 2000

const program = Effect.gen(function* () {
  const valkey = yield* Valkey
  // MSET is split by slot, so one call writes keys on every primary.
  for (let start = 0; start < TOTAL; start += 500) {
    yield* valkey.mset(Array.from({ length: 500 }, (_, i) => [`scan:${start + i}`, "x"] as const))
  }
  yield* valkey.set("other", "not matched")

  // 1. The Scan service: a pull-based Stream over every slot of the cluster.
  const scan = yield* Scan
  const all = yield* scan.keys({ match: "scan:*", count: 500 }).pipe(Stream.runCollect)
  yield* show("scan.keys({ match: 'scan:*' })", `${all.length} keys, ${new Set(all).size} distinct`)
  const firstFive = yield* scan.keys({ match: "scan:*" }).pipe(Stream.take(5), Stream.runCollect)
  yield* show("Stream.take(5): pages are fetched on demand", firstFive)

  // 2. By hand: one SCAN page per step; the cursor is a plain immutable value.
  const router = yield* ClusterRouter.ClusterRouter
  let cursor: ClusterScanCursor | undefined = ClusterScan.start
  let steps = 0
  const seen = new Set<string>()
  while (cursor !== undefined) {
    const [keys, next]: readonly [ReadonlyArray<string>, ClusterScanCursor | undefined] = yield* ClusterScan.step(
      router,
      cursor,
      { match: "scan:*", count: 500 }
    )
    steps++
    for (const key of keys) seen.add(key)
    if (next !== undefined && next.pass === undefined) {
      yield* show(`  after step ${steps}, a node pass ended`, `${ClusterScan.slotsDone(next)} of 16384 slots done`)
    }
    cursor = next
  }
  yield* show("ClusterScan.step until undefined", `${seen.size} distinct keys in ${steps} steps`)
})

const main = Effect.gen(function* () {
  yield* Console.log("starting a 3-primary test cluster…")
  const cluster = yield* ValkeyTestCluster.make({ primaries: 3, replicasPerPrimary: 0 })
  yield* Console.log(`cluster up: ${cluster.seeds.join(" ")}\n`)
  yield* program.pipe(Effect.provide(ValkeyCluster.layer({ seeds: [cluster.seeds[0]!] })))
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
