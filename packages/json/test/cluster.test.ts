/**
 * JSON.MGET and JSON.MSET on a cluster. The split itself is checked without a server (the parts
 * keep JSON.MGET's trailing path and JSON.MSET's key/path/value triples, and the parts' replies,
 * taken from the recorded JSON.MGET reply, come back in key order). On a real 3-primary cluster
 * with the json module (skipped, with the reason in the title, without it): both commands across
 * slots and nodes with missing keys, Schema documents, and a refused part of each reported in a
 * `MultiSlotError`, under RESP2 and RESP3.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { Slot, ValkeyCluster } from "@effect-valkey/cluster"
import { MultiSlot } from "@effect-valkey/cluster/internal"
import { Command, type CommandError, type RespValue } from "@effect-valkey/core"
import { ValkeyTestCluster } from "@effect-valkey/testkit"
import { Effect, Exit, Schema } from "effect"
import { Json } from "../src/index.ts"
import { Account, AccountId, accounts, bigBalance } from "./documents.ts"
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

/** A MultiSlotError's parts, or a failed assertion when the command failed otherwise. */
const partsOf = (error: CommandError) => {
  assert.strictEqual(error._tag, "MultiSlotError", error.message)
  return error._tag === "MultiSlotError" ? error.parts : []
}

const replyCodeOf = (error: unknown): string | undefined =>
  (error as { readonly _tag?: string })?._tag === "ReplyError" ? (error as { readonly code: string }).code : undefined

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

    for (const protocol of [2, 3] as const) {
      describe(`RESP${protocol}`, () => {
        const connect = Effect.gen(function* () {
          const cluster = yield* ValkeyTestCluster
          const { valkey } = yield* ValkeyCluster.make({ seeds: [cluster.seeds[0]!], protocol })
          return { cluster, valkey }
        })

        it.effect("Schema documents split by slot over every primary, read back in key order", () =>
          Effect.gen(function* () {
            const { cluster, valkey } = yield* connect
            const keys = keysInSlots(9, `p${protocol}:acct`)
            const owners = new Set<string>()
            for (const key of keys) owners.add((yield* cluster.slotOwner(Slot.slotOf(key))).address)
            assert.strictEqual(owners.size, 3, "the keys reach all three primaries")
            const docs = keys.map((key, i) => ({
              ...accounts[i % accounts.length]!,
              id: AccountId.make(key),
              balance: bigBalance * BigInt(i)
            }))
            const entries = keys.map((key, i) => [key, "$", docs[i]!] as const)
            assert.strictEqual(yield* valkey.run(Json.mset(entries, { schema: Account })), "OK")
            // Missing keys in slots of their own, between the present ones.
            const missing = keysInSlots(3, `p${protocol}:acct:none`)
            const asked = keys.flatMap((key, i) => (i % 3 === 0 ? [missing[i / 3]!, key] : [key]))
            const expected = asked.map((key) => (keys.includes(key) ? docs[keys.indexOf(key)]! : null))
            assert.deepStrictEqual(yield* valkey.run(Json.mget(asked, ".", { schema: Account })), expected)
            assert.deepStrictEqual(
              yield* valkey.run(Json.mget(asked, "$", { schema: Account })),
              expected.map((doc) => (doc === null ? null : [doc]))
            )
            assert.deepStrictEqual(
              yield* valkey.run(Json.mget(asked, ".balance", { schema: Schema.BigInt })),
              expected.map((doc) => (doc === null ? null : doc.balance))
            )
            // A Schema the documents do not match: the recombined reply fails as one DecodeError.
            const wrong = yield* Effect.flip(
              valkey.run(Json.mget(asked, ".", { schema: Schema.Struct({ id: Schema.Number }) }))
            )
            assert.strictEqual(wrong._tag, "DecodeError")
            // A value the Schema cannot encode: refused before any part is sent.
            const unsent = keysInSlots(3, `p${protocol}:acct:unsent`)
            const bad = Json.mset(
              unsent.map(
                (key, i) => [key, "$", i === 2 ? { ...docs[0]!, opened: new Date(Number.NaN) } : docs[0]!] as const
              ),
              { schema: Account }
            )
            assert.strictEqual((yield* Effect.flip(valkey.run(bad)))._tag, "InvalidArgumentError")
            assert.deepStrictEqual(yield* valkey.run(Json.mget(unsent, "$")), [null, null, null])
            // Each document is on its slot's owner, in its JSON form.
            for (const [i, key] of keys.entries()) {
              const owner = yield* cluster.slotOwner(Slot.slotOf(key))
              assert.strictEqual(
                yield* owner.command(["JSON.GET", key, ".balance"]),
                JSON.stringify(String(docs[i]!.balance))
              )
              assert.deepStrictEqual(yield* valkey.run(Json.get(key, ".", { schema: Account })), docs[i])
            }
          })
        )

        it.effect("a refused part of a split JSON.MSET is a MultiSlotError; the other parts are written", () =>
          Effect.gen(function* () {
            const { cluster, valkey } = yield* connect
            // Hash tags make each group one slot, so a part is all written or not at all.
            const [g1, g2, g3] = [1, 2, 3].map((g) => `{p${protocol}:mset${g}}`) as [string, string, string]
            const plain = `${g3}:plain`
            yield* valkey.set(plain, "not a document")
            const written = [`${g1}:a`, `${g1}:b`, `${g2}:a`]
            const refused = [`${g3}:a`, plain]
            const command = Json.mset([...written, ...refused].map((key, i) => [key, "$", { i }] as const))
            const parts = partsOf(yield* Effect.flip(valkey.run(command)))
            assert.strictEqual(parts.length, 3)
            for (const part of parts) {
              const owner = yield* cluster.slotOwner(part.slot)
              const stored = yield* owner.command(["EXISTS", ...part.keys])
              if (part.keys.includes(plain)) {
                assert.strictEqual(part.outcome, "failure")
                assert.strictEqual(replyCodeOf(part.error), "WRONGTYPE")
                assert.strictEqual(stored, 1, "only the plain key, the document beside it was not written")
              } else {
                assert.strictEqual(part.outcome, "success")
                assert.strictEqual(stored, part.keys.length)
              }
            }
            assert.deepStrictEqual(yield* valkey.run(Json.mget(written, "$.i")), [[0], [1], [2]])
          })
        )

        it.effect("a refused part of a split JSON.MGET is a MultiSlotError holding the other parts' values", () =>
          Effect.gen(function* () {
            const { valkey } = yield* connect
            const [g1, g2, g3] = [1, 2, 3].map((g) => `{p${protocol}:mget${g}}`) as [string, string, string]
            const plain = `${g3}:plain`
            yield* valkey.set(plain, "not a document")
            yield* valkey.run(
              Json.mset([
                [`${g1}:a`, "$", { n: 1 }],
                [`${g2}:a`, "$", { n: 2 }]
              ])
            )
            const asked = [`${g1}:a`, plain, `${g2}:a`, `${g2}:missing`, `${g3}:a`]
            const parts = partsOf(yield* Effect.flip(valkey.run(Json.mget(asked, "$.n"))))
            const byTag = (tag: string) => parts.find((part) => part.keys.some((key) => key.startsWith(tag)))!
            assert.strictEqual(parts.length, 3)
            // A part's value is its reply as the node sent it (the split command's decoder reads
            // only the whole, recombined reply): the module's JSON text per key.
            assert.deepStrictEqual(byTag(g1).value, ["[1]"])
            assert.deepStrictEqual(byTag(g2).value, ["[2]", null])
            assert.deepStrictEqual(byTag(g2).positions, [2, 3])
            assert.strictEqual(byTag(g3).outcome, "failure")
            assert.strictEqual(replyCodeOf(byTag(g3).error), "WRONGTYPE")
          })
        )
      })
    }
  })
})
