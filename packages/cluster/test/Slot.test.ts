import { assert, describe, it } from "@effect/vitest"
import { Command, Commands, Reply, ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import * as fc from "fast-check"
import { keySlot, SLOTS, slotOf, slotOfArg } from "../src/Slot.ts"

/** The textbook definition: bit-by-bit CRC16-XMODEM over Buffer.from(key), tag found on bytes. */
const referenceSlot = (key: string | Uint8Array): number => {
  const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : key
  let start = 0
  let end = bytes.length
  const open = bytes.indexOf(0x7b)
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1)
    if (close !== -1 && close !== open + 1) {
      start = open + 1
      end = close
    }
  }
  let crc = 0
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]! << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc % SLOTS
}

// Keys likely to contain braces, multi-byte characters and lone surrogates.
const braces = fc.constantFrom("{", "}", "{}", "a", "b", "é", "€", "😀")
const keyString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  fc.array(fc.oneof(braces, fc.string({ maxLength: 3 })), { maxLength: 12 }).map((parts) => parts.join(""))
)
const keyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.array(fc.constantFrom(0x7b, 0x7d, 0x61, 0x00, 0xff, 0xc3), { maxLength: 16 }).map((b) => Uint8Array.from(b))
)

describe("slotOf", () => {
  it("known vectors", () => {
    assert.strictEqual(slotOf("123456789"), 0x31c3)
    assert.strictEqual(slotOf("123456789"), 12739)
    assert.strictEqual(slotOf("foo"), 12182)
    assert.strictEqual(slotOf("bar"), 5061)
    assert.strictEqual(slotOf(""), 0)
    assert.strictEqual(slotOf(new Uint8Array()), 0)
    assert.strictEqual(slotOf("{user1000}.following"), slotOf("{user1000}.followers"))
    assert.strictEqual(slotOf("{user1000}.following"), slotOf("user1000"))
    // An empty tag does not count: the whole key is hashed.
    assert.strictEqual(slotOf("foo{}{bar}"), referenceSlot("foo{}{bar}"))
    assert.notStrictEqual(slotOf("foo{}{bar}"), slotOf("bar"))
    assert.strictEqual(slotOf("foo{{bar}}zap"), slotOf("{bar"))
    assert.strictEqual(slotOf("foo{bar}{zap}"), slotOf("bar"))
    assert.strictEqual(slotOf("{"), referenceSlot("{"))
    assert.strictEqual(slotOf("}{"), referenceSlot("}{"))
    assert.strictEqual(slotOf("a{b"), referenceSlot("a{b"))
  })

  it("binary keys hash their bytes, tags included", () => {
    const enc = (s: string) => new TextEncoder().encode(s)
    assert.strictEqual(slotOf(enc("foo")), 12182)
    assert.strictEqual(slotOf(enc("x{user1000}y")), slotOf("user1000"))
    assert.strictEqual(slotOf(Uint8Array.of(0xff, 0x7b, 0x00, 0x7d)), slotOf(Uint8Array.of(0x00)))
    assert.strictEqual(slotOf(Uint8Array.of(0xff, 0x00, 0x80)), referenceSlot(Uint8Array.of(0xff, 0x00, 0x80)))
  })

  it("non-ASCII strings hash as their UTF-8 bytes (lone surrogates as U+FFFD, like Node's encoder)", () => {
    for (const key of ["é", "€uro", "😀", "{😀}x", "ключ{тег}", "a\ud800b", "\udc00", "\ud83d", "x{\ud800}y"]) {
      assert.strictEqual(slotOf(key), slotOf(Buffer.from(key, "utf8")), key)
      assert.strictEqual(slotOf(key), referenceSlot(key), key)
    }
  })

  it("agrees with a straightforward reference on random strings and bytes", () => {
    fc.assert(
      fc.property(keyString, (key) => slotOf(key) === referenceSlot(key) && slotOf(key) === slotOf(Buffer.from(key))),
      { numRuns: 5000 }
    )
    fc.assert(
      fc.property(keyBytes, (key) => slotOf(key) === referenceSlot(key)),
      { numRuns: 3000 }
    )
  })

  it("slotOfArg hashes numbers as their decimal form", () => {
    assert.strictEqual(slotOfArg(123456789), 12739)
    assert.strictEqual(slotOfArg(-1.5), slotOf("-1.5"))
  })
})

describe("keySlot", () => {
  it("undefined for keyless commands, the slot for one key", () => {
    assert.strictEqual(keySlot(Commands.server.dbsize()), undefined)
    assert.strictEqual(keySlot(Commands.strings.get("foo")), 12182)
    assert.strictEqual(keySlot(Commands.strings.set(Uint8Array.of(0x66, 0x6f, 0x6f), "v")), 12182)
  })

  it("one slot when every key shares it, multi otherwise", () => {
    assert.strictEqual(keySlot(Commands.strings.mget(["{t}a", "{t}b", "t"])), slotOf("t"))
    assert.strictEqual(keySlot(Commands.strings.mget(["foo", "bar"])), "multi")
    // MSET: only the keys count (step 2), never the values.
    assert.strictEqual(
      keySlot(
        Commands.strings.mset([
          ["{t}a", "foo"],
          ["{t}b", "bar"]
        ])
      ),
      slotOf("t")
    )
    assert.strictEqual(
      keySlot(
        Commands.strings.mset([
          ["foo", "1"],
          ["bar", "2"]
        ])
      ),
      "multi"
    )
    // Arguments after the keys are not keys.
    const jsonMget = Command.make(["JSON.MGET", "{t}a", "{t}b", "$.foo"], Reply.raw, { keys: [1, 2, 1] })
    assert.strictEqual(keySlot(jsonMget), slotOf("t"))
  })
})

describe("slotOf against a real server", () => {
  it.live(
    "matches CLUSTER KEYSLOT for 1,000 random keys",
    () =>
      Effect.gen(function* () {
        // CLUSTER KEYSLOT needs cluster mode, not assigned slots: one cluster-enabled node does.
        const node = yield* ValkeyServer.make({ cluster: true })
        const strings = fc.sample(keyString, { numRuns: 700, seed: 42 })
        const replies = yield* node.pipeline(strings.map((key) => ["CLUSTER", "KEYSLOT", key]))
        for (let i = 0; i < strings.length; i++) {
          assert.strictEqual(slotOf(strings[i]!), replies[i], JSON.stringify(strings[i]))
        }
        // Binary keys go through the client, which sends them byte for byte.
        const { valkey } = yield* ValkeyStandalone.make({ port: node.port })
        const binary = fc.sample(keyBytes, { numRuns: 300, seed: 7 })
        const slots = yield* Effect.forEach(binary, (key) => valkey.custom(["CLUSTER", "KEYSLOT", key]), {
          concurrency: "unbounded"
        })
        for (let i = 0; i < binary.length; i++) assert.strictEqual(slotOf(binary[i]!), slots[i])
      }),
    60_000
  )
})
