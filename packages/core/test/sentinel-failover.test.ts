/**
 * The live target: the primary is killed under 100 callers (and a sentinel with it).
 * Every write acknowledged only after `WAIT 1` confirmed it reached the replica must be on
 * the new primary afterwards; calls after the switch succeed. The figures (acknowledged,
 * lost, time from +switch-master to the first success, errors by type) are printed, not
 * asserted: they depend on the machine.
 */
import { assert, expect, it } from "@effect/vitest"
import { ValkeyTestSentinel } from "@effect-valkey/testkit"
import { Effect, Exit, Fiber } from "effect"
import { Commands, ValkeyConfig, ValkeySentinel } from "../src/index.ts"
import { Connection } from "../src/internal.ts"

const CALLERS = 100

/** When a sentinel publishes +switch-master for `name` (listened to apart from the client). */
const announcement = (sentinel: { readonly host: string; readonly port: number }, name: string) =>
  Effect.gen(function* () {
    const { connection: options } = yield* ValkeyConfig.resolve({ host: sentinel.host, port: sentinel.port })
    const connection = yield* Connection.make(options)
    const seen: Array<number> = []
    const decoder = new TextDecoder()
    const text = (v: unknown) => (v instanceof Uint8Array ? decoder.decode(v) : String(v))
    connection.setSubscriber({
      onFrame: (frame) => {
        if (Array.isArray(frame) && text(frame[0]) === "message" && text(frame[2]).startsWith(`${name} `)) {
          seen.push(Date.now())
        }
      },
      onDisconnect: () => {}
    })
    connection.writeUnanswered([["SUBSCRIBE", "+switch-master"]])
    return () => seen[0]
  })

it.live(
  "killing the primary (and a sentinel) under 100 callers loses no write confirmed by WAIT 1",
  () =>
    Effect.gen(function* () {
      const topology = yield* ValkeyTestSentinel.make({ replicas: 2 })
      const before = yield* topology.awaitPrimary()
      const announced = yield* announcement(topology.sentinelAddresses[1]!, topology.name)
      const { sentinel, valkey } = yield* ValkeySentinel.make({
        sentinels: topology.sentinelAddresses,
        name: topology.name,
        requestTimeout: "3 seconds",
        connectTimeout: "1 second"
      })
      const acknowledged = new Map<string, string>()
      const errors = new Map<string, number>()
      const successes: Array<number> = []
      let running = true
      const caller = (id: number) =>
        Effect.gen(function* () {
          let n = 0
          while (running) {
            const key = `fo:${id}:${n}`
            const value = String(n++)
            const exit = yield* Effect.exit(
              valkey.batch([Commands.commands.set(key, value), Commands.commands.wait(1, 200)], { raiseOnError: true })
            )
            if (Exit.isSuccess(exit)) {
              successes.push(Date.now())
              if (exit.value[1] >= 1) acknowledged.set(key, value)
            } else {
              const error = Exit.findErrorOption(exit)
              const tag = error._tag === "Some" ? error.value._tag : "defect"
              errors.set(tag, (errors.get(tag) ?? 0) + 1)
              // Keep the pressure on without spinning on instant failures.
              yield* Effect.sleep("10 millis")
            }
          }
        })
      const callers = yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: CALLERS }, (_, i) => i),
          caller,
          {
            concurrency: "unbounded",
            discard: true
          }
        )
      )
      yield* Effect.sleep("1 second")
      const beforeKill = acknowledged.size
      const killedAt = Date.now()
      yield* topology.killPrimary
      // A sentinel dies while the others fail over: the one the client listens to, first.
      yield* Effect.sleep("200 millis")
      yield* topology.killSentinel(0)
      const after = yield* topology.awaitPrimary({ not: before.address })
      while (sentinel.primary().address !== after.address) yield* Effect.sleep("20 millis")
      yield* Effect.sleep("2 seconds")
      running = false
      yield* Fiber.join(callers)

      const announcedAt = announced()
      const change = sentinel.switches().at(-1)!
      const since = announcedAt ?? change.at
      const firstSuccess = successes.find((at) => at >= since)
      // Every acknowledged write is on the new primary.
      const keys = [...acknowledged.keys()]
      const values: Array<unknown> = []
      for (let i = 0; i < keys.length; i += 1000) {
        const reply = yield* after.command(["MGET", ...keys.slice(i, i + 1000)])
        values.push(...(reply as ReadonlyArray<unknown>))
      }
      const lost = keys.filter((key, i) => values[i] !== acknowledged.get(key))
      const figures = {
        server: String(yield* after.command(["INFO", "server"])).match(/valkey_version:(\S+)/)?.[1],
        acknowledged: acknowledged.size,
        acknowledgedBeforeKill: beforeKill,
        lost: lost.length,
        switchVia: change.via,
        killToAnnouncementMs: announcedAt === undefined ? undefined : announcedAt - killedAt,
        announcementToClientSwitchMs: announcedAt === undefined ? undefined : change.at - announcedAt,
        announcementToFirstSuccessMs: firstSuccess === undefined ? undefined : firstSuccess - since,
        successesAfterSwitch: successes.filter((at) => at >= since).length,
        errors: Object.fromEntries(errors)
      }
      console.log(`sentinel failover figures: ${JSON.stringify(figures)}`)
      expect(lost).toEqual([])
      assert.isTrue(acknowledged.size > beforeKill, "writes were acknowledged after the failover")
      assert.isDefined(firstSuccess)
    }).pipe(Effect.scoped),
  120_000
)
