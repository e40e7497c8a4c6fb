/**
 * What the cluster test files share: a client of the test cluster in context, and keys that
 * hash to a chosen slot.
 */
import { assert } from "@effect/vitest"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { eventually } from "../../core/test/cache-rules.ts"
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

/**
 * The cache's rule for a lost connection in a cluster: killing the client's tracking
 * connection (RESP3) or invalidation connection (RESP2) on one node drops the entries of that
 * node's slots only, and that node's invalidations work again once it is back.
 */
export const lossOfOneNode = (protocol: 2 | 3, name: string) =>
  Effect.gen(function* () {
    const cluster = yield* ValkeyTestCluster
    const { valkey: other } = yield* client({ protocol })
    const { cache, valkey } = yield* client({ protocol, clientName: name, cache: {} })
    const here = `${name}:a`
    const owner = yield* cluster.slotOwner(Slot.slotOf(here))
    let there = `${name}:b`
    for (let i = 0; (yield* cluster.slotOwner(Slot.slotOf(there))).address === owner.address; i++) {
      there = `${name}:b${i}`
    }
    yield* other.mset([
      [here, "1"],
      [there, "1"]
    ])
    assert.strictEqual(yield* valkey.get(here), "1")
    assert.strictEqual(yield* valkey.get(there), "1")
    assert.strictEqual((yield* cache.stats).entries, 2)
    const type = protocol === 3 ? "normal" : "pubsub"
    const list = String(yield* owner.command(["CLIENT", "LIST", "TYPE", type]))
    const ids = list
      .split("\n")
      .filter((line) => protocol === 2 || line.includes(` name=${name} `))
      .map((line) => /id=(\d+)/.exec(line)?.[1])
      .filter((id) => id !== undefined)
    assert.isNotEmpty(ids)
    for (const id of ids) yield* owner.command(["CLIENT", "KILL", "ID", id]).pipe(Effect.ignore)
    assert.isTrue(yield* eventually(Effect.map(cache.stats, (s) => s.entries === 1)))
    const hits = (yield* cache.stats).hits
    assert.strictEqual(yield* valkey.get(there), "1")
    assert.strictEqual((yield* cache.stats).hits, hits + 1, "the other node's entry stayed")
    assert.isTrue(
      yield* eventually(
        Effect.andThen(
          Effect.option(valkey.get(here)),
          Effect.map(cache.stats, (s) => s.entries === 2)
        )
      )
    )
    yield* other.set(here, "2")
    assert.isTrue(yield* eventually(Effect.map(valkey.get(here), (v) => v === "2")))
  })
