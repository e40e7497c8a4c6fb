import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Fiber } from "effect"
import type { ValkeyService } from "../src/index.ts"
import { client, protocols } from "./support.ts"

/** How often the server ran `command` (`xgroup|create` for subcommands), from INFO commandstats. */
const calls = (v: ValkeyService, command: string) =>
  v.info(["commandstats"]).pipe(
    Effect.map((text) => {
      const match = new RegExp(`^cmdstat_${command.replace("|", "\\|")}:calls=(\\d+)`, "m").exec(text)
      return match === null ? 0 : Number(match[1])
    })
  )

// Real time: XREAD BLOCK must outlast the request timeout on the wall clock.
layer(ValkeyServer.layer(), { excludeTestServices: true })("stream commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:stream:`

      it.effect("XADD, XLEN, XRANGE, XREVRANGE, XDEL", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const s = `${p}basic`
          assert.strictEqual(yield* v.xadd(s, { a: "1", b: 2 }, { id: "1-1" }), "1-1")
          assert.strictEqual(yield* v.xadd(s, [["c", "3"]], { id: "2-1" }), "2-1")
          assert.strictEqual(yield* v.xadd(s, { d: "4" }, { id: "3-1" }), "3-1")
          const generated = yield* v.xadd(s, { e: "5" })
          assert.match(generated ?? "", /^\d+-\d+$/)
          assert.strictEqual(yield* v.xlen(s), 4)
          assert.strictEqual(yield* v.xlen(`${p}none`), 0)
          assert.deepStrictEqual(yield* v.xrange(s, "-", "3-1"), [
            { id: "1-1", fields: { a: "1", b: "2" } },
            { id: "2-1", fields: { c: "3" } },
            { id: "3-1", fields: { d: "4" } }
          ])
          assert.deepStrictEqual(yield* v.xrange(s, "(1-1", "+", 1), [{ id: "2-1", fields: { c: "3" } }])
          assert.deepStrictEqual(yield* v.xrevrange(s, "3-1", "-", 2), [
            { id: "3-1", fields: { d: "4" } },
            { id: "2-1", fields: { c: "3" } }
          ])
          assert.deepStrictEqual(yield* v.xrange(`${p}none`, "-", "+"), [])
          assert.strictEqual(yield* v.xdel(s, ["2-1", "9-9"]), 1)
          assert.strictEqual(yield* v.xlen(s), 3)
        })
      )

      it.effect("XADD NOMKSTREAM and trimming, XTRIM", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const s = `${p}trim`
          assert.strictEqual(yield* v.xadd(s, { a: "1" }, { makeStream: false }), null)
          assert.strictEqual(yield* v.exists([s]), 0)
          for (let i = 1; i <= 5; i++) yield* v.xadd(s, { n: i }, { id: `${i}-0` })
          assert.strictEqual(yield* v.xadd(s, { n: 6 }, { id: "6-0", trim: { method: "MAXLEN", threshold: 3 } }), "6-0")
          assert.deepStrictEqual(
            (yield* v.xrange(s, "-", "+")).map((e) => e.id),
            ["4-0", "5-0", "6-0"]
          )
          assert.strictEqual(
            yield* v.xadd(s, { n: 7 }, { id: "7-0", makeStream: false, trim: { method: "MINID", threshold: "5-0" } }),
            "7-0"
          )
          assert.deepStrictEqual(
            (yield* v.xrange(s, "-", "+")).map((e) => e.id),
            ["5-0", "6-0", "7-0"]
          )
          assert.strictEqual(yield* v.xtrim(s, { method: "MAXLEN", threshold: 2 }), 1)
          assert.strictEqual(yield* v.xtrim(s, { method: "MINID", threshold: "7-0", exact: true }), 1)
          // Approximate trimming removes whole nodes only; to 0 entries the last node goes too.
          assert.strictEqual(yield* v.xtrim(s, { method: "MAXLEN", threshold: 0, exact: false, limit: 10 }), 1)
          assert.strictEqual(yield* v.xlen(s), 0)
        })
      )

      it.effect("XREAD several streams, COUNT, nothing new", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const a = `${p}read:a`
          const b = `${p}read:b`
          yield* v.xadd(a, { x: "1" }, { id: "1-0" })
          yield* v.xadd(a, { x: "2" }, { id: "2-0" })
          yield* v.xadd(b, { y: "1" }, { id: "1-0" })
          assert.deepStrictEqual(yield* v.xread({ [a]: "0", [b]: "0" }), {
            [a]: [
              { id: "1-0", fields: { x: "1" } },
              { id: "2-0", fields: { x: "2" } }
            ],
            [b]: [{ id: "1-0", fields: { y: "1" } }]
          })
          assert.deepStrictEqual(
            yield* v.xread(
              [
                [a, "1-0"],
                [b, "1-0"]
              ],
              { count: 1 }
            ),
            { [a]: [{ id: "2-0", fields: { x: "2" } }] }
          )
          assert.strictEqual(yield* v.xread({ [a]: "$" }), null)
          assert.strictEqual(yield* v.xread({ [`${p}read:none`]: "0" }), null)
        })
      )

      it.effect("XREAD BLOCK outlasts the request timeout and returns null", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol, requestTimeout: 100 })
          const s = `${p}block:empty`
          yield* v.xadd(s, { a: "1" })
          assert.strictEqual(yield* v.xread({ [s]: "$" }, { block: 500 }), null)
          assert.strictEqual(yield* v.ping(), "PONG")
        })
      )

      it.effect("XREAD BLOCK is woken by an XADD from another client", () =>
        Effect.gen(function* () {
          const reader = yield* client({ protocol, requestTimeout: 100 })
          const writer = yield* client({ protocol })
          const s = `${p}block:wake`
          yield* writer.xadd(s, { a: "0" }, { id: "1-0" })
          const blocked = yield* Effect.forkChild(reader.xread({ [s]: "$" }, { block: 10_000 }))
          // Wait until the server has the reader blocked before writing.
          while (!/blocked_clients:[1-9]/.test(yield* writer.info(["clients"]))) yield* Effect.sleep("5 millis")
          yield* writer.xadd(s, { a: "1" }, { id: "2-0" })
          assert.deepStrictEqual(yield* Fiber.join(blocked), { [s]: [{ id: "2-0", fields: { a: "1" } }] })
        })
      )

      it.effect("consumer groups: XGROUP, XREADGROUP, XACK, XPENDING", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const s = `${p}group`
          assert.strictEqual(yield* v.xgroupCreate(s, "g", "$", { mkStream: true }), "OK")
          const busy = yield* Effect.flip(v.xgroupCreate(s, "g", "$"))
          assert.strictEqual(busy._tag === "ReplyError" ? busy.code : busy._tag, "BUSYGROUP")
          for (let i = 1; i <= 3; i++) yield* v.xadd(s, { n: i }, { id: `${i}-0` })
          assert.deepStrictEqual(yield* v.xreadgroup("g", "alice", { [s]: ">" }, { count: 2 }), {
            [s]: [
              { id: "1-0", fields: { n: "1" } },
              { id: "2-0", fields: { n: "2" } }
            ]
          })
          assert.deepStrictEqual(yield* v.xreadgroup("g", "bob", { [s]: ">" }), {
            [s]: [{ id: "3-0", fields: { n: "3" } }]
          })
          assert.strictEqual(yield* v.xreadgroup("g", "bob", { [s]: ">" }), null)
          assert.deepStrictEqual(yield* v.xpending(s, "g"), {
            count: 3,
            minId: "1-0",
            maxId: "3-0",
            consumers: [
              { name: "alice", pending: 2 },
              { name: "bob", pending: 1 }
            ]
          })
          const pending = yield* v.xpendingWithOptions(s, "g", { start: "-", end: "+", count: 10, consumer: "alice" })
          assert.deepStrictEqual(
            pending.map(({ id, consumer, deliveries }) => ({ id, consumer, deliveries })),
            [
              { id: "1-0", consumer: "alice", deliveries: 1 },
              { id: "2-0", consumer: "alice", deliveries: 1 }
            ]
          )
          assert.isTrue(pending.every((entry) => entry.idleMillis >= 0))
          assert.deepStrictEqual(
            yield* v.xpendingWithOptions(s, "g", { start: "-", end: "+", count: 10, minIdleTime: 3_600_000 }),
            []
          )
          assert.strictEqual(yield* v.xack(s, "g", ["1-0", "9-0"]), 1)
          // Re-reading alice's history: a deleted entry comes back with null fields.
          yield* v.xdel(s, ["2-0"])
          assert.deepStrictEqual(yield* v.xreadgroup("g", "alice", { [s]: "0" }), {
            [s]: [{ id: "2-0", fields: null }]
          })
          yield* v.xadd(s, { n: 4 }, { id: "4-0" })
          assert.deepStrictEqual(yield* v.xreadgroup("g", "carol", { [s]: ">" }, { noAck: true }), {
            [s]: [{ id: "4-0", fields: { n: "4" } }]
          })
          assert.strictEqual((yield* v.xpending(s, "g")).count, 2)
          const noGroup = yield* Effect.flip(v.xpending(`${p}group:none`, "g"))
          assert.strictEqual(noGroup._tag === "ReplyError" ? noGroup.code : noGroup._tag, "NOGROUP")
        })
      )

      it.effect("XCLAIM, XAUTOCLAIM and their JUSTID forms", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const s = `${p}claim`
          yield* v.xgroupCreate(s, "g", "0", { mkStream: true })
          for (let i = 1; i <= 4; i++) yield* v.xadd(s, { n: i }, { id: `${i}-0` })
          yield* v.xreadgroup("g", "alice", { [s]: ">" })
          assert.deepStrictEqual(yield* v.xclaim(s, "g", "bob", 0, ["1-0", "9-0"], { retryCount: 5 }), [
            { id: "1-0", fields: { n: "1" } }
          ])
          assert.deepStrictEqual(yield* v.xclaim(s, "g", "bob", 3_600_000, ["2-0"]), [])
          assert.deepStrictEqual(yield* v.xclaimJustId(s, "g", "bob", 0, ["2-0"], { idle: 1000, force: true }), ["2-0"])
          const [one] = yield* v.xpendingWithOptions(s, "g", { start: "1-0", end: "1-0", count: 1 })
          assert.deepStrictEqual(one && { consumer: one.consumer, deliveries: one.deliveries }, {
            consumer: "bob",
            deliveries: 5
          })
          const time = Date.now() - 60_000
          assert.deepStrictEqual(yield* v.xclaimJustId(s, "g", "bob", 0, ["3-0"], { time }), ["3-0"])
          yield* v.xdel(s, ["4-0"])
          assert.deepStrictEqual(yield* v.xautoclaim(s, "g", "carol", 0, "0-0", 2), {
            nextId: "3-0",
            claimed: [
              { id: "1-0", fields: { n: "1" } },
              { id: "2-0", fields: { n: "2" } }
            ],
            deletedIds: []
          })
          assert.deepStrictEqual(yield* v.xautoclaimJustId(s, "g", "dave", 0, "3-0"), {
            nextId: "0-0",
            claimed: ["3-0"],
            deletedIds: ["4-0"]
          })
        })
      )

      it.effect("XGROUP CREATECONSUMER, DELCONSUMER, SETID, DESTROY and XINFO", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const s = `${p}info`
          yield* v.xadd(s, { a: "1" }, { id: "1-0" })
          yield* v.xadd(s, { b: "2" }, { id: "2-0" })
          yield* v.xadd(s, { c: "3" }, { id: "3-0" })
          yield* v.xdel(s, ["3-0"])
          assert.strictEqual(yield* v.xgroupCreate(s, "g", "0", { entriesRead: 0 }), "OK")
          assert.strictEqual(yield* v.xgroupCreateConsumer(s, "g", "alice"), true)
          assert.strictEqual(yield* v.xgroupCreateConsumer(s, "g", "alice"), false)
          yield* v.xreadgroup("g", "alice", { [s]: ">" }, { count: 1 })
          const info = yield* v.xinfoStream(s)
          assert.deepStrictEqual(
            { ...info, radixTreeKeys: 0, radixTreeNodes: 0 },
            {
              length: 2,
              radixTreeKeys: 0,
              radixTreeNodes: 0,
              lastGeneratedId: "3-0",
              maxDeletedEntryId: "3-0",
              entriesAdded: 3,
              recordedFirstEntryId: "1-0",
              groups: 1,
              firstEntry: { id: "1-0", fields: { a: "1" } },
              lastEntry: { id: "2-0", fields: { b: "2" } },
              extra: {}
            }
          )
          assert.isTrue(info.radixTreeKeys >= 1 && info.radixTreeNodes >= 1)
          assert.deepStrictEqual(yield* v.xinfoGroups(s), [
            { name: "g", consumers: 1, pending: 1, lastDeliveredId: "1-0", entriesRead: null, lag: null, extra: {} }
          ])
          const [alice] = yield* v.xinfoConsumers(s, "g")
          assert.deepStrictEqual(alice && { name: alice.name, pending: alice.pending }, { name: "alice", pending: 1 })
          assert.isTrue(alice !== undefined && alice.idle >= 0 && alice.inactive >= 0)
          const full = yield* v.xinfoStreamFull(s, 1)
          assert.deepStrictEqual(full.entries, [{ id: "1-0", fields: { a: "1" } }])
          assert.strictEqual(full.length, 2)
          const [group] = full.groups
          assert.deepStrictEqual(
            group && {
              name: group.name,
              lastDeliveredId: group.lastDeliveredId,
              entriesRead: group.entriesRead,
              lag: group.lag,
              pelCount: group.pelCount,
              pending: group.pending.map(({ id, consumer, deliveryCount }) => ({ id, consumer, deliveryCount })),
              consumers: group.consumers.map(({ name, pelCount, pending }) => ({
                name,
                pelCount,
                pending: pending.map(({ id, deliveryCount }) => ({ id, deliveryCount }))
              }))
            },
            {
              name: "g",
              lastDeliveredId: "1-0",
              // Unknown: an entry after the group's position was deleted.
              entriesRead: null,
              lag: null,
              pelCount: 1,
              pending: [{ id: "1-0", consumer: "alice", deliveryCount: 1 }],
              consumers: [{ name: "alice", pelCount: 1, pending: [{ id: "1-0", deliveryCount: 1 }] }]
            }
          )
          assert.strictEqual((yield* v.xinfoStreamFull(s)).entries.length, 2)
          assert.strictEqual(yield* v.xgroupSetId(s, "g", "$", { entriesRead: 3 }), "OK")
          assert.deepStrictEqual(
            (yield* v.xinfoGroups(s)).map(({ lastDeliveredId, entriesRead, lag }) => ({
              lastDeliveredId,
              entriesRead,
              lag
            })),
            [{ lastDeliveredId: "3-0", entriesRead: 3, lag: 0 }]
          )
          assert.strictEqual(yield* v.xgroupDelConsumer(s, "g", "alice"), 1)
          assert.deepStrictEqual(yield* v.xinfoConsumers(s, "g"), [])
          assert.strictEqual(yield* v.xsetid(s, "5-0", { entriesAdded: 10, maxDeletedId: "4-0" }), "OK")
          const after = yield* v.xinfoStream(s)
          assert.deepStrictEqual(
            [after.lastGeneratedId, after.entriesAdded, after.maxDeletedEntryId],
            ["5-0", 10, "4-0"]
          )
          assert.strictEqual(yield* v.xgroupDestroy(s, "g"), true)
          assert.strictEqual(yield* v.xgroupDestroy(s, "g"), false)
          assert.deepStrictEqual(yield* v.xinfoGroups(s), [])
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const s = `${p}bad`
          const before = yield* Effect.all([calls(v, "xadd"), calls(v, "xread"), calls(v, "xclaim")])
          const failures = [
            v.xadd(s, {}),
            v.xadd(s, { a: 1 }, { trim: { method: "MAXLEN", threshold: -1 } }),
            v.xadd(s, { a: 1 }, { trim: { method: "MAXLEN", threshold: 1, limit: 5 } }),
            v.xread({}),
            v.xread({ [s]: "0" }, { block: -1 }),
            v.xread({ [s]: "0" }, { count: 1.5 }),
            v.xreadgroup("g", "c", { [s]: ">" }, { count: 0 }),
            v.xclaim(s, "g", "c", 0, []),
            v.xclaim(s, "g", "c", -1, ["1-0"]),
            v.xack(s, "g", []),
            v.xdel(s, []),
            v.xautoclaim(s, "g", "c", 0, "0-0", 0),
            v.xpendingWithOptions(s, "g", { start: "-", end: "+", count: -1 }),
            v.xgroupCreate(s, "g", "$", { entriesRead: Number.NaN })
          ]
          for (const failure of failures) {
            const error = yield* Effect.flip(failure as Effect.Effect<unknown, { readonly _tag: string }>)
            assert.strictEqual(error._tag, "InvalidArgumentError")
          }
          assert.deepStrictEqual(yield* Effect.all([calls(v, "xadd"), calls(v, "xread"), calls(v, "xclaim")]), before)
          assert.strictEqual(yield* v.exists([s]), 0)
        })
      )
    })
  }
})
