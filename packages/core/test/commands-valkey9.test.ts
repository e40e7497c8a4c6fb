/**
 * Commands and options of Valkey 8.1 and 9.x, against the server line under test: each test
 * needing a newer server than the one running is skipped, its name saying which it needs.
 * Arguments a command refuses are checked on every line (nothing is sent).
 */
import { assert, describe, layer } from "@effect/vitest"
import { ServerVersion, ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import type { CommandDoc, CommandDocArgument } from "../src/commands/commandInfo.ts"
import type { Command } from "../src/index.ts"
import { Commands } from "../src/index.ts"
import { client, protocols } from "./support.ts"

const { commands } = Commands
const on81 = ServerVersion.atLeast("8.1")
const on90 = ServerVersion.atLeast("9.0")
const needs81 = ServerVersion.needs("8.1")
const needs90 = ServerVersion.needs("9.0")

const refused = (command: Command.Command<unknown>) => command.invalid?.message

/** Every token (keyword) a command's documentation names, at any depth. */
const tokensOf = (doc: CommandDoc): Set<string> => {
  const out = new Set<string>()
  const walk = (args: ReadonlyArray<CommandDocArgument>) => {
    for (const arg of args) {
      if (arg.token !== null) out.add(arg.token.toUpperCase())
      walk(arg.arguments)
    }
  }
  walk(doc.arguments)
  return out
}

/** The keywords a command line holds after its name(s): its all-capitals words. */
const keywordsOf = (command: Command.Command<unknown>, skip: number): Array<string> =>
  command.args.slice(skip).flatMap((a) => (typeof a === "string" && /^[A-Z][A-Z-]+$/.test(a) ? [a] : []))

/** Each command with every option this client has for it, by its COMMAND DOCS name. */
const samples = (): ReadonlyArray<readonly [string, number, Command.Command<unknown>]> => [
  ["set", 1, commands.set("k", "v", { ifEq: "x", keepTtl: true })],
  ...(["NX", "XX"] as const).flatMap((condition) => [
    ["hsetex", 1, commands.hsetex("h", { a: 1 }, { condition, fieldCondition: "FNX", ex: 1 })] as const,
    ["hsetex", 1, commands.hsetex("h", { a: 1 }, { condition, fieldCondition: "FXX", pxat: 1 })] as const
  ]),
  ["hsetex", 1, commands.hsetex("h", { a: 1 }, { px: 1 })],
  ["hsetex", 1, commands.hsetex("h", { a: 1 }, { exat: 1 })],
  ["hsetex", 1, commands.hsetex("h", { a: 1 }, { keepTtl: true })],
  ["hgetex", 1, commands.hgetex("h", ["a"], { persist: true })],
  ...(["ex", "px", "exat", "pxat"] as const).map(
    (unit) => ["hgetex", 1, commands.hgetex("h", ["a"], { [unit]: 1 })] as const
  ),
  ...(["NX", "XX", "GT", "LT"] as const).flatMap((condition) => [
    ["hexpire", 1, commands.hexpire("h", 1, ["a"], condition)] as const,
    ["hpexpire", 1, commands.hpexpire("h", 1, ["a"], condition)] as const,
    ["hexpireat", 1, commands.hexpireAt("h", 1, ["a"], condition)] as const,
    ["hpexpireat", 1, commands.hpexpireAt("h", 1, ["a"], condition)] as const
  ]),
  ["httl", 1, commands.httl("h", ["a"])],
  ["hpttl", 1, commands.hpttl("h", ["a"])],
  ["hexpiretime", 1, commands.hexpireTime("h", ["a"])],
  ["hpexpiretime", 1, commands.hpexpireTime("h", ["a"])],
  ["hpersist", 1, commands.hpersist("h", ["a"])],
  [
    "geosearch",
    1,
    commands.geosearchPolygon(
      "g",
      [
        { longitude: 1, latitude: 1 },
        { longitude: 2, latitude: 1 },
        { longitude: 2, latitude: 2 }
      ],
      { order: "DESC", count: 1, any: true }
    )
  ]
]

/** Subcommands, documented under their container: `client|list` in CLIENT's docs. */
const subSamples = (): ReadonlyArray<readonly [string, string, Command.Command<unknown>]> => {
  const match = {
    type: "normal",
    ids: [1],
    user: "u",
    addr: "127.0.0.1:1",
    laddr: "127.0.0.1:2",
    name: "n",
    flags: "N",
    libName: "l",
    libVer: "1",
    db: 0,
    capa: "r",
    ip: "127.0.0.1"
  } as const
  return [
    ["client", "client|list", commands.clientList({ ...match, skipMe: true, maxAge: 1, idle: 1, not: match })],
    ["commandlog", "commandlog|get", commands.commandLogGet(1, "slow")],
    ["commandlog", "commandlog|len", commands.commandLogLen("large-request")],
    ["commandlog", "commandlog|reset", commands.commandLogReset("large-reply")],
    ["cluster", "cluster|slot-stats", commands.clusterSlotStats({ range: [0, 1] })],
    ["cluster", "cluster|slot-stats", commands.clusterSlotStats({ orderBy: "key-count", limit: 1, order: "DESC" })]
  ]
}

layer(ValkeyServer.layer(), { excludeTestServices: true })("Valkey 8.1 and 9.x commands", (it) => {
  it.effect("invalid arguments are refused before anything is sent", () =>
    Effect.sync(() => {
      assert.match(refused(commands.set("k", "v", { condition: "NX", ifEq: "x" })) ?? "", /condition and ifEq/)
      assert.match(refused(commands.hsetex("h", {})) ?? "", /at least one field/)
      assert.match(refused(commands.hsetex("h", { a: 1 }, { ex: 1, keepTtl: true })) ?? "", /choose one/)
      assert.match(refused(commands.hgetex("h", ["a"], { px: 1, persist: true })) ?? "", /choose one/)
      assert.match(refused(commands.hexpire("h", 10, [])) ?? "", /at least one field/)
      assert.match(refused(commands.hpexpire("h", -1, ["a"])) ?? "", /time must be at least 0/)
      assert.match(refused(commands.httl("h", [])) ?? "", /at least one field/)
      assert.match(refused(commands.hpersist("h", [])) ?? "", /at least one field/)
      assert.match(refused(commands.commandLogGet(1.5, "slow")) ?? "", /count must be an integer/)
      assert.match(refused(commands.clientList({ not: { ids: [] } })) ?? "", /ids needs at least one id/)
      assert.match(refused(commands.clientList({ idle: -1 })) ?? "", /idle must be at least 1/)
      const twoVertices = [
        { longitude: 12, latitude: 37 },
        { longitude: 16, latitude: 37 }
      ]
      assert.match(refused(commands.geosearchPolygon("g", twoVertices)) ?? "", /at least 3 vertices/)
      assert.deepStrictEqual(commands.hsetex("h", { a: 1 }, { condition: "NX", fieldCondition: "FXX", px: 5 }).args, [
        "HSETEX",
        "h",
        "NX",
        "FXX",
        "PX",
        5,
        "FIELDS",
        1,
        "a",
        1
      ])
    })
  )

  it.effect.skipIf(!on90)(`every keyword the new commands send is in the server's own COMMAND DOCS ${needs90}`, () =>
    Effect.gen(function* () {
      const v = yield* client()
      const names = [...new Set([...samples().map(([name]) => name), ...subSamples().map(([name]) => name)])]
      const docs = yield* v.commandDocs(names)
      const undocumented: Array<string> = []
      const checked = new Set<string>()
      for (const [name, skip, command] of samples()) {
        const tokens = tokensOf(docs[name]!)
        for (const word of keywordsOf(command, skip)) {
          checked.add(`${name} ${word}`)
          if (!tokens.has(word)) undocumented.push(`${name} ${word}`)
        }
      }
      for (const [container, name, command] of subSamples()) {
        const tokens = tokensOf(docs[container]!.subcommands[name]!)
        // The log types are sent in lower case; the server takes either.
        const words = [
          ...keywordsOf(command, 2),
          ...command.args
            .slice(2)
            .flatMap((a) => (a === "slow" || a === "large-request" || a === "large-reply" ? [a.toUpperCase()] : []))
        ]
        for (const word of words) {
          checked.add(`${name} ${word}`)
          if (!tokens.has(word)) undocumented.push(`${name} ${word}`)
        }
      }
      assert.deepStrictEqual(undocumented, [])
      // Not vacuous: FIELDS, FNX, KEEPTTL, PERSIST, BYPOLYGON, NOT-NAME, ORDERBY, … were checked.
      assert.isAbove(checked.size, 50)
    })
  )

  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:v9:`

      it.effect.skipIf(!on81)(`SET … IFEQ ${needs81}`, () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}ifeq`
          yield* v.set(k, "v1")
          assert.strictEqual(yield* v.set(k, "v2", { ifEq: "other" }), null)
          assert.strictEqual(yield* v.get(k), "v1")
          assert.strictEqual(yield* v.set(k, "v2", { ifEq: "v1", px: 60_000 }), "OK")
          assert.strictEqual(yield* v.get(k), "v2")
          assert.isTrue((yield* v.pttl(k)) > 0)
          assert.strictEqual(yield* v.setGet(k, "v3", { ifEq: "v2" }), "v2")
          assert.strictEqual(yield* v.set(`${p}absent`, "v", { ifEq: "v" }), null)
          assert.strictEqual(yield* v.get(`${p}absent`), null)
        })
      )

      it.effect.skipIf(!on90)(`DELIFEQ ${needs90}`, () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}lock`
          assert.strictEqual(yield* v.set(k, "token-1", { condition: "NX" }), "OK")
          assert.strictEqual(yield* v.delIfEq(k, "token-2"), false)
          assert.strictEqual(yield* v.get(k), "token-1")
          assert.strictEqual(yield* v.delIfEq(k, "token-1"), true)
          assert.strictEqual(yield* v.exists([k]), 0)
          assert.strictEqual(yield* v.delIfEq(k, "token-1"), false)
        })
      )

      it.effect.skipIf(!on90)(`HSETEX and HGETEX with their conditions and expiries ${needs90}`, () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const h = `${p}hsetex`
          assert.strictEqual(yield* v.hsetex(h, { a: "1", b: 2 }, { ex: 100 }), true)
          assert.deepStrictEqual(yield* v.hgetall(h), { a: "1", b: "2" })
          const [ttlA = 0, ttlB = 0] = yield* v.httl(h, ["a", "b"])
          assert.isTrue(ttlA > 0 && ttlA <= 100 && ttlB > 0 && ttlB <= 100)
          // FNX: none of the fields may exist; NX: the hash may not exist.
          assert.strictEqual(yield* v.hsetex(h, { a: "x", c: "3" }, { fieldCondition: "FNX" }), false)
          assert.strictEqual(yield* v.hsetex(h, { c: "3" }, { condition: "NX" }), false)
          assert.strictEqual(yield* v.hsetex(`${p}none`, { c: "3" }, { condition: "XX" }), false)
          assert.strictEqual(yield* v.hsetex(h, [["a", "9"]], { fieldCondition: "FXX", keepTtl: true }), true)
          const [kept = 0] = yield* v.httl(h, ["a"])
          assert.isTrue(kept > 0)
          assert.strictEqual(yield* v.hsetex(h, { c: "3" }), true)
          assert.deepStrictEqual(yield* v.httl(h, ["c"]), [-1])
          assert.deepStrictEqual(yield* v.hgetex(h, ["a", "c", "missing"], { px: 50_000 }), ["9", "3", null])
          const [pttlC = 0] = yield* v.hpttl(h, ["c"])
          assert.isTrue(pttlC > 0 && pttlC <= 50_000)
          assert.deepStrictEqual(yield* v.hgetex(h, ["c"], { persist: true }), ["3"])
          assert.deepStrictEqual(yield* v.httl(h, ["c"]), [-1])
          assert.deepStrictEqual(yield* v.hgetex(h, ["b"]), ["2"])
          assert.deepStrictEqual(yield* v.hgetex(`${p}none`, ["a"]), [null])
        })
      )

      it.effect.skipIf(!on90)(
        `HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, HPERSIST ${needs90}`,
        () =>
          Effect.gen(function* () {
            const v = yield* client({ protocol })
            const h = `${p}hexpire`
            yield* v.hset(h, { a: "1", b: "2", c: "3", d: "4" })
            assert.deepStrictEqual(yield* v.hexpire(h, 100, ["a", "missing"]), [1, -2])
            // NX: only fields without an expiry; GT: only a later one; LT: only an earlier one.
            assert.deepStrictEqual(yield* v.hexpire(h, 200, ["a", "b"], "NX"), [0, 1])
            assert.deepStrictEqual(yield* v.hpexpire(h, 50_000, ["a"], "GT"), [0])
            assert.deepStrictEqual(yield* v.hpexpire(h, 50_000, ["a"], "LT"), [1])
            const now = Math.floor(Date.now() / 1000)
            assert.deepStrictEqual(yield* v.hexpireAt(h, now + 1000, ["c"], "XX"), [0])
            assert.deepStrictEqual(yield* v.hexpireAt(h, now + 1000, ["c"]), [1])
            assert.deepStrictEqual(yield* v.hpexpireAt(h, (now + 2000) * 1000, ["d"]), [1])
            const [ttlA = 0, ttlB = 0, none = 0] = yield* v.httl(h, ["a", "b", "missing"])
            assert.isTrue(ttlA > 0 && ttlA <= 50 && ttlB > 50 && ttlB <= 200)
            assert.strictEqual(none, -2)
            const [pttlA = 0] = yield* v.hpttl(h, ["a"])
            assert.isTrue(pttlA > 0 && pttlA <= 50_000)
            const [atC = 0] = yield* v.hexpireTime(h, ["c"])
            assert.isTrue(Math.abs(atC - (now + 1000)) <= 1)
            assert.deepStrictEqual(yield* v.hpexpireTime(h, ["d"]), [(now + 2000) * 1000])
            assert.deepStrictEqual(yield* v.hpersist(h, ["a", "missing"]), [1, -2])
            assert.deepStrictEqual(yield* v.hpersist(h, ["a"]), [-1])
            assert.deepStrictEqual(yield* v.hexpireTime(h, ["a"]), [-1])
            // A time of 0 (or in the past) deletes the field at once.
            assert.deepStrictEqual(yield* v.hexpire(h, 0, ["b"]), [2])
            assert.strictEqual(yield* v.hexists(h, "b"), false)
            assert.deepStrictEqual(yield* v.httl(`${p}none`, ["a"]), [-2])
          })
      )

      it.effect.skipIf(!on81)(`COMMANDLOG GET, LEN and RESET ${needs81}`, () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          yield* v.configSet({ "commandlog-request-larger-than": 100 })
          yield* Effect.ensuring(
            Effect.gen(function* () {
              assert.strictEqual(yield* v.commandLogReset("large-request"), "OK")
              yield* v.set(`${p}large`, "x".repeat(200))
              const entries = yield* v.commandLogGet(10, "large-request")
              const entry = entries.find((e) => e.args[0]?.toLowerCase() === "set")
              assert.isTrue(entry !== undefined && entry.value >= 200 && entry.timestamp > 0)
              assert.isTrue((yield* v.commandLogLen("large-request")) >= 1)
              assert.deepStrictEqual(yield* v.commandLogGet(10, "large-reply"), [])
              assert.strictEqual(yield* v.commandLogReset("large-request"), "OK")
              assert.strictEqual(yield* v.commandLogLen("large-request"), 0)
            }),
            v.configSet({ "commandlog-request-larger-than": 1048576 }).pipe(Effect.ignore)
          )
        })
      )

      it.effect.skipIf(!on81)(`CLIENT LIST filters of 8.1 (USER, ADDR, LADDR, SKIPME, MAXAGE) ${needs81}`, () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const [me] = yield* v.clientList({ ids: [Number((yield* v.clientInfo()).id)] })
          assert.isDefined(me)
          const byUser = yield* v.clientList({ user: "default", addr: me!.addr!, laddr: me!.laddr! })
          assert.deepStrictEqual(
            byUser.map((c) => c.id),
            [me!.id]
          )
          assert.isFalse((yield* v.clientList({ skipMe: true })).some((c) => c.id === me!.id))
          assert.deepStrictEqual(yield* v.clientList({ maxAge: 100_000 }), [])
        })
      )

      it.effect.skipIf(!on90)(`CLIENT LIST filters of 9.0 and their NOT- forms ${needs90}`, () =>
        Effect.gen(function* () {
          const name = `lister${protocol}`
          const v = yield* client({ protocol, clientName: name })
          const named = yield* v.clientList({ name, db: 0, libName: "effect-valkey", flags: "N" })
          assert.isTrue(named.length >= 1 && named.every((c) => c.name === name))
          const others = yield* v.clientList({ not: { name } })
          assert.isTrue(others.every((c) => c.name !== name))
          assert.deepStrictEqual(yield* v.clientList({ name, not: { db: 0 } }), [])
          assert.deepStrictEqual(yield* v.clientList({ ip: "192.0.2.1" }), [])
          assert.deepStrictEqual(yield* v.clientList({ name, idle: 100_000 }), [])
        })
      )

      it.effect.skipIf(!on90)(`GEOSEARCH BYPOLYGON ${needs90}`, () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const g = `${p}geo`
          yield* v.geoadd(g, [
            { longitude: 13.361389, latitude: 38.115556, member: "Palermo" },
            { longitude: 15.087269, latitude: 37.502669, member: "Catania" },
            { longitude: 2.3522, latitude: 48.8566, member: "Paris" }
          ])
          const sicily = [
            { longitude: 12, latitude: 37 },
            { longitude: 16, latitude: 37 },
            { longitude: 16, latitude: 39 },
            { longitude: 12, latitude: 39 }
          ]
          assert.deepStrictEqual((yield* v.geosearchPolygon(g, sicily)).sort(), ["Catania", "Palermo"])
          assert.deepStrictEqual(yield* v.geosearchPolygon(g, sicily, { count: 1, order: "ASC" }), ["Palermo"])
        })
      )
    })
  }
})
