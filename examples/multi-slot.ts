/**
 * Multi-key commands in a cluster: MGET/MSET/DEL/EXISTS/TOUCH/UNLINK split by slot and put back
 * together, `CrossSlotError` for commands that cannot be split, and `MultiSlotError` when some
 * parts of a split command failed. See docs/multi-slot.md.
 *
 *   node --conditions=source examples/multi-slot.ts
 *
 * Starts a throwaway 3-primary cluster (no replicas) and stops it at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { Slot, ValkeyCluster } from "@effect-valkey/cluster"
import { Valkey } from "@effect-valkey/core"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Console, Effect } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`${label.padEnd(44)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

const splitting = Effect.gen(function* () {
  const valkey = yield* Valkey
  const keys = ["a", "b", "c", "d"]
  yield* show(
    "slots of a, b, c, d",
    keys.map((k) => Slot.slotOf(k))
  )
  yield* show("mset({ a, b, c, d }) over 4 slots", yield* valkey.mset({ a: "1", b: "2", c: "3", d: "4" }))
  yield* show("mget([d, missing, a]) in key order", yield* valkey.mget(["d", "missing", "a"]))
  yield* show("exists([a, b, zz]) summed over parts", yield* valkey.exists(["a", "b", "zz"]))
  yield* show("del([a, b, c, d]) summed over parts", yield* valkey.del(["a", "b", "c", "d"]))

  // Commands that must run on one node are refused before anything is sent.
  const cross = yield* Effect.flip(valkey.msetnx({ a: "1", b: "2" }))
  yield* show("msetnx({ a, b })", `${cross._tag}: ${cross.message}`)
  const renamed = yield* Effect.flip(valkey.rename("a", "b"))
  yield* show("rename(a, b)", renamed._tag)
  // Hash tags put keys in one slot: only the part between { and } is hashed.
  yield* show("msetnx({ {u1}:a, {u1}:b })", yield* valkey.msetnx({ "{u1}:a": "1", "{u1}:b": "2" }))
})

/** A user that may only touch `allowed:*` keys: a split MSET then fails on some parts only. */
const partialFailure = (cluster: ValkeyTestCluster["Service"]) =>
  Effect.gen(function* () {
    for (const node of cluster.nodes) {
      yield* node.command(["ACL", "SETUSER", "limited", "on", ">secret", "~allowed:*", "+@all"])
    }
    const { valkey } = yield* ValkeyCluster.make({ seeds: cluster.seeds, username: "limited", password: "secret" })
    const entries = { "allowed:1": "a", "denied:1": "b", "allowed:2": "c" }
    const error = yield* Effect.flip(valkey.mset(entries))
    yield* show("mset with one forbidden key fails with", error._tag)
    if (error._tag === "MultiSlotError") {
      for (const part of error.parts) {
        const why = part.outcome === "failure" && part.error instanceof Error ? ` (${part.error.message})` : ""
        yield* show(`  part slot ${part.slot}`, `${part.keys.join(", ")}: ${part.outcome}${why}`)
      }
    }
    // The parts that succeeded were applied: a MultiSlotError is not a rollback.
    yield* show("mget(allowed:1, allowed:2) afterwards", yield* valkey.mget(["allowed:1", "allowed:2"]))
  }).pipe(Effect.scoped)

const main = Effect.gen(function* () {
  yield* Console.log("starting a 3-primary test cluster…")
  const cluster = yield* ValkeyTestCluster.make({ primaries: 3, replicasPerPrimary: 0 })
  yield* Console.log(`cluster up: ${cluster.seeds.join(" ")}\n`)
  yield* splitting.pipe(Effect.provide(ValkeyCluster.layer({ seeds: [cluster.seeds[0]!] })))
  yield* Console.log("")
  yield* partialFailure(cluster)
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
