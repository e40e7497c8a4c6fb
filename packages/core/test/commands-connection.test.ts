import { assert, describe, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Fiber, Schedule } from "effect"
import type { ValkeyService } from "../src/index.ts"
import { client, protocols } from "./support.ts"

/** How often the server ran `command` (`client|kill` for subcommands), from INFO commandstats. */
const calls = (v: ValkeyService, command: string) =>
  v.info(["commandstats"]).pipe(
    Effect.map((text) => {
      const match = new RegExp(`^cmdstat_${command.replace("|", "\\|")}:calls=(\\d+)`, "m").exec(text)
      return match === null ? 0 : Number(match[1])
    })
  )

/** Polls CLIENT LIST until a connection runs `cmd` blocked (flag `b`); its id. */
const blockedIn = (v: ValkeyService, cmd: string) =>
  Effect.gen(function* () {
    while (true) {
      const found = (yield* v.clientList()).find((c) => c.cmd === cmd && c.flags?.includes("b"))
      if (found !== undefined) return Number(found.id)
      yield* Effect.sleep("5 millis")
    }
  })

// Real time: blocked clients are polled for on the wall clock.
layer(ValkeyServer.layer(), { excludeTestServices: true })("client administration commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:cli:`

      it.effect("CLIENT INFO and CLIENT LIST as records", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol, clientName: `me${protocol}` })
          const id = yield* v.clientId()
          const info = yield* v.clientInfo()
          assert.deepStrictEqual(
            { id: info.id, name: info.name, db: info.db, resp: info.resp, user: info.user, cmd: info.cmd },
            {
              id: String(id),
              name: `me${protocol}`,
              db: "0",
              resp: String(protocol),
              user: "default",
              cmd: "client|info"
            }
          )
          assert.match(info.addr ?? "", /^127\.0\.0\.1:\d+$/)
          const all = yield* v.clientList()
          assert.isTrue(all.some((c) => c.id === String(id) && c.name === `me${protocol}`))
          assert.isTrue(all.every((c) => typeof c.id === "string" && typeof c.addr === "string"))
          const normal = yield* v.clientList({ type: "normal" })
          assert.isTrue(normal.some((c) => c.id === String(id)))
          assert.deepStrictEqual(yield* v.clientList({ type: "pubsub" }), [])
          const mine = yield* v.clientList({ ids: [id] })
          assert.deepStrictEqual(
            mine.map((c) => c.id),
            [String(id)]
          )
        })
      )

      it.effect("CLIENT KILL by id, addr and user; no match is 0", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const other = yield* client({ protocol, clientName: `victim${protocol}` })
          const victim = yield* other.clientInfo()
          assert.strictEqual(yield* v.clientKill({ id: 999_999 }), 0)
          assert.strictEqual(yield* v.clientKill({ user: "default", id: 999_999 }), 0)
          const noUser = yield* Effect.flip(v.clientKill({ user: "nobody" }))
          assert.strictEqual(noUser._tag, "ReplyError")
          assert.strictEqual(yield* v.clientKill({ addr: "10.9.9.9:1" }), 0)
          assert.strictEqual(yield* v.clientKill({ id: Number(victim.id), maxAge: 86_400 }), 0)
          assert.strictEqual(yield* v.clientKill({ id: Number(victim.id), addr: victim.addr! }), 1)
          assert.isFalse((yield* v.clientList()).some((c) => c.id === victim.id))
          // The client reconnects on its own.
          const again = yield* other
            .clientInfo()
            .pipe(Effect.retry({ times: 20, schedule: Schedule.spaced("20 millis") }))
          assert.notStrictEqual(again.id, victim.id)
          assert.strictEqual(yield* v.clientKill({ laddr: again.laddr!, id: Number(again.id), skipMe: true }), 1)
        })
      )

      it.effect("a dedicated connection's SELECT and CLIENT SETNAME survive its reconnects", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const tx = yield* v.dedicated
          const key = `sel${protocol}`
          yield* v.set(key, "db0")
          assert.strictEqual(yield* tx.select(5), "OK")
          assert.strictEqual(yield* tx.clientSetName(`own${protocol}`), "OK")
          yield* tx.set(key, "db5")
          assert.strictEqual(yield* v.get(key), "db0", "the shared connection stays on its database")
          const before = yield* tx.clientId()
          assert.strictEqual(yield* v.clientKill({ id: before }), 1)
          // Reconnected with the handshake replaying SELECT 5 and the name.
          const after = yield* tx.clientId().pipe(Effect.retry({ times: 20, schedule: Schedule.spaced("20 millis") }))
          assert.notStrictEqual(after, before)
          assert.strictEqual(yield* tx.get(key), "db5")
          assert.strictEqual(yield* tx.clientGetName(), `own${protocol}`)
          assert.strictEqual((yield* Effect.flip(tx.select(-1)))._tag, "InvalidArgumentError")
          assert.strictEqual((yield* Effect.flip(tx.clientSetName("has space")))._tag, "InvalidArgumentError")
        })
      )

      it.effect("CLIENT PAUSE WRITE holds writes until CLIENT UNPAUSE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const writer = yield* client({ protocol })
          const k = `${p}paused`
          assert.strictEqual(yield* v.clientPause(10_000, "WRITE"), "OK")
          const write = yield* Effect.forkChild(writer.set(k, "1"))
          yield* blockedIn(v, "set")
          assert.strictEqual(yield* v.get(k), null)
          assert.strictEqual(yield* v.clientUnpause(), "OK")
          assert.strictEqual(yield* Fiber.join(write), "OK")
          assert.strictEqual(yield* v.get(k), "1")
          assert.strictEqual(yield* v.clientPause(1), "OK")
        })
      )

      it.effect("CLIENT UNBLOCK wakes a blocked client as a timeout or an error", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const reader = yield* client({ protocol })
          const s = `${p}unblock`
          assert.strictEqual(yield* v.clientUnblock(yield* v.clientId()), false)
          const timedOut = yield* Effect.forkChild(reader.xread({ [s]: "$" }, { block: 0 }))
          assert.strictEqual(yield* v.clientUnblock(yield* blockedIn(v, "xread")), true)
          assert.strictEqual(yield* Fiber.join(timedOut), null)
          const failed = yield* Effect.forkChild(reader.xread({ [s]: "$" }, { block: 0 }))
          assert.strictEqual(yield* v.clientUnblock(yield* blockedIn(v, "xread"), "ERROR"), true)
          const error = yield* Effect.flip(Fiber.join(failed))
          assert.strictEqual(error._tag === "ReplyError" ? error.code : error._tag, "UNBLOCKED")
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const names = ["client|kill", "client|pause", "client|unblock", "client|list"]
          const before = yield* Effect.forEach(names, (name) => calls(v, name))
          const failures = [
            v.clientKill({}),
            v.clientKill({ skipMe: false }),
            v.clientKill({ id: 0 }),
            v.clientPause(-1),
            v.clientUnblock(1.5),
            v.clientList({ ids: [] })
          ]
          for (const failure of failures) {
            const error = yield* Effect.flip(failure as Effect.Effect<unknown, { readonly _tag: string }>)
            assert.strictEqual(error._tag, "InvalidArgumentError")
          }
          assert.deepStrictEqual(yield* Effect.forEach(names, (name) => calls(v, name)), before)
        })
      )
    })
  }
})
