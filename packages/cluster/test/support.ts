/**
 * What the cluster test files share: a client of the test cluster in context, and keys that
 * hash to a chosen slot.
 */
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { Slot, ValkeyCluster } from "../src/index.ts"

/** A cluster client seeded with the first node of the `ValkeyTestCluster` in context. */
export const client = (extra: Partial<Parameters<typeof ValkeyCluster.make>[0]> = {}) =>
  Effect.gen(function* () {
    const cluster = yield* ValkeyTestCluster
    return yield* ValkeyCluster.make({ seeds: [cluster.seeds[0]!], ...extra })
  })

/** Keys whose slot is `slot`, made with a hash tag found by search. */
export const keysInSlot = (slot: number, n: number): Array<string> => {
  for (let i = 0; ; i++) {
    const tag = `t${i}`
    if (Slot.slotOf(tag) === slot) return Array.from({ length: n }, (_, j) => `{${tag}}:${j}`)
  }
}
