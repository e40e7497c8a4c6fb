/**
 * JSON.MGET and JSON.MSET on a cluster. The split itself is checked without a server (the parts
 * keep JSON.MGET's trailing path and JSON.MSET's key/path/value triples, and the parts' replies,
 * taken from the recorded JSON.MGET reply, come back in key order); the run on a real cluster
 * needs the json module and is skipped without it.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { MultiSlot, Slot, ValkeyCluster } from "@effect-valkey/cluster"
import { Command, type RespValue } from "@effect-valkey/core"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect, Exit, Schema } from "effect"
import { Json } from "../src/index.ts"
import { decodeOne, records } from "./fixtures.ts"
import { hasJsonModule, liveSuite, modules } from "./module.ts"

/** Keys in pairwise different slots, found by their slot numbers (no server involved). */
const keysInSlots = (n: number, prefix: string): Array<string> => {
  const out: Array<string> = []
  const seen = new Set<number>()
  for (let i = 0; out.length < n; i++) {
    const key = `${prefix}:${i}`
    const slot = Slot.slotOf(key)
    if (seen.has(slot)) continue
    seen.add(slot)
    out.push(key)
  }
  return out
}

describe("JSON.MGET / JSON.MSET split by slot", () => {
  it("JSON.MGET over keys in several slots keeps the path on every part", () => {
    const keys = [...keysInSlots(5, "user"), "{user:0}:copy"]
    const command = Json.mget(keys, "$.name")
    assert.isTrue(MultiSlot.isSplittable(command))
    const parts = MultiSlot.split(command)
    assert.strictEqual(parts.length, 5)
    const covered: Array<number> = []
    for (const part of parts) {
      const args = part.command.args
      assert.strictEqual(args[0], "JSON.MGET")
      assert.strictEqual(args[args.length - 1], "$.name", "the path stays last on every part")
      assert.deepStrictEqual(args.slice(1, -1), [...part.keys])
      assert.strictEqual(part.command.firstKey, 1)
      assert.strictEqual(part.command.lastKey, part.keys.length)
      assert.isTrue(part.command.readonly)
      for (const key of part.keys) assert.strictEqual(Slot.slotOf(key as string), part.slot)
      covered.push(...part.positions)
    }
    assert.deepStrictEqual(
      covered.sort((a, b) => a - b),
      keys.map((_, i) => i)
    )
    // The hash-tagged key shares the slot of user:0, so it travels in user:0's part.
    const first = parts.find((p) => p.keys.includes("user:0"))!
    assert.deepStrictEqual(first.keys, ["user:0", "{user:0}:copy"])
  })

  it("the parts' replies come back in key order and decode as one node's reply would", () => {
    // Per-key values as the module sent them in the recorded JSON.MGET reply.
    const [ada, bob, missing] = decodeOne(records.find((r) => r.name === "mget")!.reply) as ReadonlyArray<RespValue>
    const keys = keysInSlots(3, "doc")
    const byKey = new Map<string, RespValue>([
      [keys[0]!, ada!],
      [keys[1]!, bob!],
      [keys[2]!, missing!]
    ])
    const command = Json.mget(keys, "$.name", { schema: Schema.String })
    const parts = MultiSlot.split(command)
    const outcomes = parts.map((part) =>
      Command.settle(
        part.command,
        part.keys.map((key) => byKey.get(key as string)!)
      )
    )
    const exit = MultiSlot.recombine(command, parts, outcomes)
    assert.deepStrictEqual(exit, Exit.succeed([["Ada"], ["Bob"], null]))
  })

  it("JSON.MSET parts carry whole key/path/value triples and answer all_succeeded", () => {
    const keys = keysInSlots(4, "m")
    const command = Json.mset(keys.map((key, i) => [key, "$", { i }] as const))
    assert.deepStrictEqual([command.firstKey, command.lastKey, command.keyStep], [1, 10, 3])
    assert.strictEqual(command.response, "all_succeeded")
    const parts = MultiSlot.split(command)
    assert.strictEqual(parts.length, 4)
    for (const part of parts) {
      const i = keys.indexOf(part.keys[0] as string)
      assert.deepStrictEqual(part.command.args, ["JSON.MSET", keys[i], "$", JSON.stringify({ i })])
    }
    const exit = MultiSlot.recombine(
      command,
      parts,
      parts.map((part) => Command.settle(part.command, "OK"))
    )
    assert.deepStrictEqual(exit, Exit.succeed("OK"))
  })
})

describe.skipIf(!hasJsonModule)(liveSuite("on a real cluster with the json module"), () => {
  layer(ValkeyTestCluster.layer({ modules }), { excludeTestServices: true, timeout: 120_000 })("cluster", (it) => {
    it.effect("JSON.MSET and JSON.MGET across slots equal key-by-key results", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const { valkey } = yield* ValkeyCluster.make({ seeds: [cluster.seeds[0]!] })
        const keys = Array.from({ length: 200 }, (_, i) => `json:${i}:${Math.random().toString(36).slice(2, 8)}`)
        assert.strictEqual(yield* valkey.run(Json.mset(keys.map((key, i) => [key, "$", { i, key }] as const))), "OK")
        const asked = [...keys, "json:absent:1", "json:absent:2"].sort(() => Math.random() - 0.5)
        const many = yield* valkey.run(Json.mget(asked, "$.i"))
        const one = yield* Effect.forEach(asked, (key) => valkey.run(Json.get(key, "$.i")), { concurrency: 50 })
        assert.deepStrictEqual(many, one)
        assert.deepStrictEqual(
          many,
          asked.map((key) => (keys.includes(key) ? [keys.indexOf(key)] : null))
        )
        const legacy = yield* valkey.run(Json.mget(keys.slice(0, 20), ".key"))
        assert.deepStrictEqual(legacy, keys.slice(0, 20))
        // Each document lives on the primary that owns its slot.
        for (const key of keys.slice(0, 10)) {
          const owner = yield* cluster.slotOwner(Slot.slotOf(key))
          const text = yield* owner.command(["JSON.GET", key, "$.key"])
          assert.strictEqual(text, JSON.stringify([key]))
        }
      })
    )
  })
})
