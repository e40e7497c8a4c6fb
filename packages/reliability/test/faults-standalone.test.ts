/**
 * Faults under load, standalone: 100 callers write keys of their own while the server is
 * restarted (graceful stop, start on the same port, AOF on so data survives). Checked: every
 * acknowledged SET is on the server afterwards; every call settles (value or typed error)
 * within its request timeout plus a margin; writes are acknowledged again once the server
 * answers PING (how soon is reported, not asserted: timings belong in benchmarks);
 * `-LOADING` while the AOF is read back never reaches a caller (retried within the request
 * timeout).
 *
 * Existing coverage this builds on rather than repeats: core/test/Connection.test.ts (requests
 * waiting through a stop/start, a paused server's TimeoutError and the connection staying in
 * step afterwards, a killed connection).
 *
 * CI: one restart. Chaos: five restarts in a row under the same load.
 */
import { assert, describe, it } from "@effect/vitest"
import { ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Schedule } from "effect"
import { acksBetween, firstAckAfter, missing, startLoad } from "./load.ts"
import { report, scale } from "./scale.ts"

const REQUEST_TIMEOUT = 1000
const RESTARTS = scale(1, 5)

describe("faults under load: standalone", () => {
  it.live(`${RESTARTS} server restart(s) under 100 callers: no acknowledged write lost, every call settles`, () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ persistence: true })
      const { valkey } = yield* ValkeyStandalone.make({
        port: server.port,
        requestTimeout: REQUEST_TIMEOUT,
        reconnect: Schedule.spaced("50 millis")
      })
      const load = yield* startLoad({ callers: 100, prefix: "restart", write: (key) => valkey.set(key, key) })
      yield* Effect.sleep("300 millis")
      const answeredAgain: Array<number> = []
      const outages: Array<number> = []
      for (let r = 0; r < RESTARTS; r++) {
        const before = Date.now()
        yield* server.restart
        answeredAgain.push(Date.now())
        outages.push(Date.now() - before)
        yield* Effect.sleep(scale("1200 millis", "1500 millis"))
      }
      const result = yield* load.finish("10 seconds")
      const recoveries = answeredAgain.map((t) => firstAckAfter(result, t))
      const lost = yield* missing(result.acked, (keys) => valkey.mget(keys))
      report("standalone restart", {
        restarts: RESTARTS,
        calls: result.calls,
        acknowledged: result.acked.length,
        checked: result.acked.length,
        lost: lost.length,
        failures: result.failures,
        slowestCallMs: result.slowestMs,
        restartMs: outages,
        firstAckAfterPingMs: recoveries,
        acksInFirstSecond: answeredAgain.map((t) => acksBetween(result, t, t + 1000))
      })
      assert.deepStrictEqual(lost, [])
      assert.isAbove(result.acked.length, 1000)
      // Failures are typed errors only, of the kinds a restart causes: the connection lost
      // (in-flight writes, never re-sent) or a timeout. LOADING, while the AOF is read back,
      // is retried within the request timeout and never reaches a caller.
      for (const tag of Object.keys(result.failures)) assert.oneOf(tag, ["ConnectionError", "TimeoutError"])
      assert.isAtMost(result.slowestMs, REQUEST_TIMEOUT + 1000)
      for (const i of answeredAgain.keys()) {
        assert.isDefined(recoveries[i], `restart ${i}: no write acknowledged after the server answered PING`)
      }
    })
  )
})
