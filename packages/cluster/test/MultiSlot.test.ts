import { assert, describe, it } from "@effect/vitest"
import * as Core from "@effect-valkey/core"
import {
  Command,
  type CommandError,
  Commands,
  Reply,
  ReplyError,
  type RespArg,
  type RespValue
} from "@effect-valkey/core"
import { Cause, Exit } from "effect"
import * as fc from "fast-check"
import {
  CrossSlotError,
  isSplittable,
  MultiSlotError,
  type Part,
  recombine,
  sameSlot,
  split
} from "../src/MultiSlot.ts"
import { slotOf, slotOfArg } from "../src/Slot.ts"

// --- a single node, simulated: the reference the split must reproduce ------------------------

/** Keys are bytes on the server: a string and its UTF-8 bytes are the same key. */
const id = (key: RespArg): string => Buffer.from(typeof key === "number" ? String(key) : key).toString("hex")

type Store = Map<string, RespArg>

/** What one Valkey node replies to these commands (a reply is only ever computed per command). */
const execute = (store: Store, args: ReadonlyArray<RespArg>): RespValue => {
  const name = String(args[0])
  const rest = args.slice(1)
  switch (name) {
    case "MGET":
      return rest.map((k) => (store.get(id(k)) ?? null) as RespValue)
    case "MSET":
      for (let i = 0; i < rest.length; i += 2) store.set(id(rest[i]!), rest[i + 1]!)
      return "OK"
    case "DEL":
    case "UNLINK": {
      let removed = 0
      for (const k of rest) if (store.delete(id(k))) removed++
      return removed
    }
    case "EXISTS":
    case "TOUCH":
      return rest.filter((k) => store.has(id(k))).length
    case "JSON.MGET": {
      const path = rest[rest.length - 1]!
      return rest.slice(0, -1).map((k) => (store.has(id(k)) ? `${path}@${String(store.get(id(k)))}` : null))
    }
    case "JSON.MSET":
      for (let i = 0; i < rest.length; i += 3) store.set(id(rest[i]!), `${rest[i + 1]}=${rest[i + 2]}`)
      return "OK"
    default:
      throw new Error(`the simulator does not know ${name}`)
  }
}

const settleOn = (store: Store, command: Command.Command<unknown>): Exit.Exit<unknown, CommandError> =>
  Command.settle(command, execute(store, command.args))

// --- arbitraries -----------------------------------------------------------------------------

const enc = (s: string) => new TextEncoder().encode(s)
/** A small pool, so lists have duplicates, shared hash tags, and string/bytes twins. */
const keyPool: ReadonlyArray<string | Uint8Array> = [
  "a",
  "b",
  "c",
  "foo",
  "bar",
  "{user1}:x",
  "{user1}:y",
  "{user2}:x",
  "z{user1}",
  "é",
  "{}x",
  enc("a"),
  enc("{user2}:y"),
  Uint8Array.of(0xff, 0x00),
  Uint8Array.of(0x7b, 0xfe, 0x7d)
]
const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...keyPool) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4 }) }
)
const keys = fc.array(key, { minLength: 1, maxLength: 30 })
const initialStore = fc.array(fc.tuple(fc.constantFrom(...keyPool), fc.string({ maxLength: 3 })), { maxLength: 10 })

const storeOf = (entries: ReadonlyArray<readonly [string | Uint8Array, string]>): Store =>
  new Map(entries.map(([k, v]) => [id(k), v]))

/** Split invariants that hold for any command: slots, key order, argument layout. */
const checkParts = (command: Command.Command<unknown>, parts: ReadonlyArray<Part>, suffix: number) => {
  const step = command.keyStep
  const all: Array<RespArg> = []
  for (let k = command.firstKey; k <= command.lastKey; k += step) all.push(command.args[k]!)
  const seen = new Array<number>(all.length).fill(0)
  const slots = new Set<number>()
  for (const part of parts) {
    assert.isFalse(slots.has(part.slot), "one part per slot")
    slots.add(part.slot)
    assert.isTrue(part.positions.length > 0)
    assert.strictEqual(part.keys.length, part.positions.length)
    for (let j = 0; j < part.positions.length; j++) {
      const position = part.positions[j]!
      seen[position]!++
      if (j > 0) assert.isTrue(position > part.positions[j - 1]!, "original order kept within a part")
      assert.strictEqual(slotOfArg(all[position]!), part.slot)
      const k = command.firstKey + position * step
      // The part's arguments: prefix, then this key's group, …, then the suffix.
      assert.deepStrictEqual(
        part.command.args.slice(command.firstKey + j * step, command.firstKey + (j + 1) * step),
        command.args.slice(k, k + step)
      )
    }
    assert.deepStrictEqual(part.command.args.slice(0, command.firstKey), command.args.slice(0, command.firstKey))
    assert.strictEqual(part.command.args.length, command.firstKey + part.keys.length * step + suffix)
    if (suffix > 0) assert.deepStrictEqual(part.command.args.slice(-suffix), command.args.slice(-suffix))
    assert.strictEqual(part.command.firstKey, command.firstKey)
    assert.strictEqual(part.command.keyStep, step)
    assert.strictEqual(part.command.readonly, command.readonly)
    assert.strictEqual(part.command.bytes, command.bytes)
  }
  assert.deepStrictEqual(seen, new Array(all.length).fill(1), "every key in exactly one part")
}

/** Splitting, running each part on its own and recombining equals running the whole command. */
const agreesWithOneNode = (
  command: Command.Command<unknown>,
  entries: ReadonlyArray<readonly [string | Uint8Array, string]>,
  suffix = 0
) => {
  const whole = storeOf(entries)
  const expected = settleOn(whole, command)
  const pieces = storeOf(entries)
  const parts = split(command)
  checkParts(command, parts, suffix)
  const actual = recombine(
    command,
    parts,
    parts.map((part) => settleOn(pieces, part.command))
  )
  assert.deepStrictEqual(actual, expected as never)
  assert.deepStrictEqual(pieces, whole, "the same writes were applied")
}

describe("split and recombine agree with a single node", () => {
  it("MGET (values in key order), duplicates, hash tags and binary keys included", () => {
    fc.assert(
      fc.property(keys, initialStore, (ks, entries) => agreesWithOneNode(Commands.strings.mget(ks), entries)),
      { numRuns: 1000 }
    )
  })

  it("MSET (all_succeeded, step 2): the last value of a duplicate key wins, as on one node", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 20 }),
        initialStore,
        (pairs, entries) => agreesWithOneNode(Commands.strings.mset(pairs), entries)
      ),
      { numRuns: 1000 }
    )
  })

  it("DEL and UNLINK (agg_sum): a duplicate key is removed, and counted, once", () => {
    fc.assert(
      fc.property(keys, initialStore, (ks, entries) => {
        agreesWithOneNode(Commands.generic.del(ks), entries)
        agreesWithOneNode(Commands.generic.unlink(ks), entries)
      }),
      { numRuns: 1000 }
    )
  })

  it("EXISTS and TOUCH (agg_sum): a duplicate key is counted every time", () => {
    fc.assert(
      fc.property(keys, initialStore, (ks, entries) => {
        agreesWithOneNode(Commands.generic.exists(ks), entries)
        agreesWithOneNode(Commands.generic.touch(ks), entries)
      }),
      { numRuns: 1000 }
    )
  })

  it("JSON.MGET keeps its trailing path on every part; JSON.MSET (step 3) keeps path and value with their key", () => {
    fc.assert(
      fc.property(keys, initialStore, (ks, entries) => {
        const mget = Command.make(["JSON.MGET", ...ks, "$.a"], Reply.raw, {
          keys: [1, ks.length, 1],
          readonly: true,
          request: "multi_shard"
        })
        agreesWithOneNode(mget, entries, 1)
        const args: Array<RespArg> = ["JSON.MSET"]
        for (let i = 0; i < ks.length; i++) args.push(ks[i]!, `$.p${i}`, `v${i}`)
        const mset = Command.make(args, Reply.ok, {
          keys: [1, args.length - 3, 3],
          request: "multi_shard",
          response: "all_succeeded"
        })
        agreesWithOneNode(mset, entries)
      }),
      { numRuns: 500 }
    )
  })

  it("JSON.MGET example: two slots, the path after each part's key", () => {
    const k1 = "foo"
    const k2 = "bar"
    assert.notStrictEqual(slotOf(k1), slotOf(k2))
    const command = Command.make(["JSON.MGET", k1, k2, "$.a"], Reply.raw, { keys: [1, 2, 1], request: "multi_shard" })
    const parts = split(command)
    assert.deepStrictEqual(
      parts.map((p) => [p.slot, p.command.args, p.positions]),
      [
        [slotOf(k1), ["JSON.MGET", k1, "$.a"], [0]],
        [slotOf(k2), ["JSON.MGET", k2, "$.a"], [1]]
      ]
    )
    const result = recombine(command, parts, [Exit.succeed(['[{"a":1}]']), Exit.succeed([null])])
    assert.deepStrictEqual(result, Exit.succeed(['[{"a":1}]', null]))
  })

  it("JSON.MSET example: key, path and value travel together", () => {
    const command = Command.make(["JSON.MSET", "foo", "$", "1", "bar", "$.x", "2", "{foo}z", "$", "3"], Reply.ok, {
      keys: [1, 7, 3],
      request: "multi_shard",
      response: "all_succeeded"
    })
    assert.deepStrictEqual(
      split(command).map((p) => p.command.args),
      [
        ["JSON.MSET", "foo", "$", "1", "{foo}z", "$", "3"],
        ["JSON.MSET", "bar", "$.x", "2"]
      ]
    )
  })

  it("the original decoder reads the recombined reply (Command.map, bytes)", () => {
    const mapped = Command.map(Commands.strings.mget(["foo", "bar", "foo"]), (values) =>
      values.filter((v) => v !== null).join(",")
    )
    const parts = split(mapped)
    assert.strictEqual(parts.length, 2)
    const result = recombine(mapped, parts, [Exit.succeed(["1", "3"]), Exit.succeed([null])])
    assert.deepStrictEqual(result, Exit.succeed("1,3"))

    const bytes = Command.bytes(Commands.strings.mget(["foo", "bar"]))
    for (const part of split(bytes)) assert.isTrue(part.command.bytes)

    const positive = Command.map(Commands.generic.del(["foo", "bar"]), (n) => n > 0)
    assert.deepStrictEqual(recombine(positive, split(positive), [Exit.succeed(0), Exit.succeed(1)]), Exit.succeed(true))
  })

  it("one slot: a single part carrying the whole argument list", () => {
    const command = Commands.strings.mget(["{t}a", "{t}b", "{t}a"])
    const parts = split(command)
    assert.strictEqual(parts.length, 1)
    assert.strictEqual(parts[0]!.command.args, command.args)
    assert.deepStrictEqual(parts[0]!.positions, [0, 1, 2])
    assert.deepStrictEqual(split(Commands.server.dbsize()), [])
  })

  it("a part's reply of the wrong length is a DecodeError of that part", () => {
    const command = Commands.strings.mget(["foo", "bar"])
    const [part] = split(command)
    const exit = Command.settle(part!.command, ["x", "y"])
    assert.isTrue(Exit.isFailure(exit))
    assert.strictEqual(
      Exit.findErrorOption(exit).pipe((o) => (o._tag === "Some" ? o.value._tag : "")),
      "DecodeError"
    )
  })
})

describe("MultiSlotError", () => {
  it("carries every part with its slot, keys and outcome when parts fail; one class with core's", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, fc.string({ maxLength: 3 })), { minLength: 2, maxLength: 20 }),
        fc.infiniteStream(fc.boolean()),
        (pairs, failing) => {
          const command = Commands.strings.mset(pairs)
          const parts = split(command)
          const fail = parts.map(() => failing.next().value as boolean)
          if (!fail.includes(true)) fail[0] = true
          const outcomes = parts.map((part, p) =>
            fail[p]
              ? Exit.fail(new ReplyError({ message: `OOM in ${part.slot}`, code: "OOM", command: "MSET" }))
              : Exit.succeed("OK")
          )
          const exit = recombine(command, parts, outcomes)
          assert.isTrue(Exit.isFailure(exit))
          const error = (Exit.findErrorOption(exit) as { value: unknown }).value
          assert.instanceOf(error, MultiSlotError)
          assert.instanceOf(error, Core.MultiSlotError)
          const e = error as MultiSlotError
          assert.strictEqual(e.command, "MSET")
          assert.strictEqual(e.parts.length, parts.length)
          e.parts.forEach((report, p) => {
            assert.strictEqual(report.slot, parts[p]!.slot)
            assert.deepStrictEqual(
              report.keys,
              parts[p]!.keys.map((k) => (typeof k === "string" ? k : new TextDecoder().decode(k)))
            )
            if (fail[p]) {
              assert.strictEqual(report.outcome, "failure")
              assert.instanceOf(report.error, ReplyError)
              assert.include(e.message, `OOM in ${parts[p]!.slot}`)
            } else {
              assert.strictEqual(report.outcome, "success")
              assert.strictEqual(report.value, "OK")
            }
          })
        }
      ),
      { numRuns: 300 }
    )
  })

  it("says which MGET keys could not be read and keeps the values of the others", () => {
    const command = Commands.strings.mget(["foo", "bar", "{foo}2"])
    const parts = split(command)
    const exit = recombine(command, parts, [
      Exit.succeed(["1", "2"]),
      Exit.fail(new ReplyError({ message: "MOVED 5061 127.0.0.1:7001", code: "MOVED", command: "MGET" }))
    ])
    const error = Exit.findErrorOption(exit)
    assert.strictEqual(error._tag, "Some")
    const e = (error as { value: MultiSlotError }).value
    assert.deepStrictEqual(
      e.parts.map((p) => [p.keys, p.outcome, p.value]),
      [
        [["foo", "{foo}2"], "success", ["1", "2"]],
        [["bar"], "failure", undefined]
      ]
    )
    assert.match(e.message, /MGET was split over 2 slots and 1 part failed/)
  })

  it("a part that died makes the whole result die (a defect is not a partial failure)", () => {
    const command = Commands.generic.del(["foo", "bar"])
    const parts = split(command)
    const exit = recombine(command, parts, [Exit.succeed(1), Exit.die("boom")])
    assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
  })
})

describe("sameSlot and isSplittable", () => {
  it("a CrossSlotError for non-splittable commands whose keys span slots", () => {
    const rename = Command.make(["RENAME", "foo", "bar"], Reply.ok, { keys: [1, 2, 1] })
    const sunionstore = Command.make(["SUNIONSTORE", "dest", "foo", "bar"], Reply.integer, { keys: [1, 3, 1] })
    for (const command of [
      Commands.strings.msetnx([
        ["foo", "1"],
        ["bar", "2"]
      ]),
      rename,
      sunionstore
    ]) {
      assert.isFalse(isSplittable(command))
      const exit = sameSlot(command)
      const error = Exit.findErrorOption(exit)
      assert.strictEqual(error._tag, "Some")
      assert.instanceOf((error as { value: unknown }).value, CrossSlotError)
      assert.include((error as { value: CrossSlotError }).value.message, "hash tag")
    }
  })

  it("the common slot, or undefined for keyless commands", () => {
    assert.deepStrictEqual(
      sameSlot(
        Commands.strings.msetnx([
          ["{u}a", "1"],
          ["{u}b", "2"]
        ])
      ),
      Exit.succeed(slotOf("u"))
    )
    assert.deepStrictEqual(sameSlot(Commands.strings.get("foo")), Exit.succeed(12182))
    assert.deepStrictEqual(sameSlot(Commands.server.dbsize()), Exit.succeed(undefined))
  })

  it("multi_shard keyed commands with a recombinable policy are splittable", () => {
    assert.isTrue(isSplittable(Commands.strings.mget(["a"])))
    assert.isTrue(isSplittable(Commands.strings.mset([["a", "1"]])))
    assert.isTrue(isSplittable(Commands.generic.del(["a"])))
    assert.isTrue(isSplittable(Commands.generic.exists(["a"])))
    assert.isFalse(isSplittable(Commands.strings.get("a")))
    assert.isFalse(
      isSplittable(Command.make(["X", "a"], Reply.raw, { keys: 1, request: "multi_shard", response: "per_node" }))
    )
  })
})
