/**
 * A server that sends garbage. A loopback fake (the testkit `ReplayServer` with an `answer`
 * hook) answers normally, then with one kind of hostile bytes: the calls waiting on that
 * connection fail with a typed `ConnectionError` whose cause is the `ProtocolError`, nothing
 * throws, and the client reconnects on its own and works again once the server behaves. Last,
 * the fake is replaced by a real valkey-server on the same port and the same client goes on.
 */
import { assert, describe, it } from "@effect/vitest"
import { ValkeyStandalone } from "@effect-valkey/core"
import { ReplayServer, ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Exit, Schedule, Scope } from "effect"
import { report } from "./scale.ts"

const garbage: ReadonlyArray<readonly [string, string | Uint8Array]> = [
  ["random bytes", Uint8Array.from([0, 255, 13, 10, 7, 42, 200, 1, 2, 3])],
  ["unknown type byte", "@what\r\n"],
  ["inline text instead of RESP", "HELLO THERE\r\n"],
  ["a line that never ends", `+${"a".repeat(100_000)}`],
  ["a bulk longer than the limit", "$999999999999\r\n"],
  ["nesting deeper than the limit", `${"*1\r\n".repeat(300)}:1\r\n`],
  ["a negative length", "*-7\r\n"],
  ["a reply nobody asked for", "+PONG\r\n+EXTRA\r\n"],
  ["a bulk payload longer than announced", "$2\r\nabcdef\r\n"],
  ["CR without LF", "+OK\rX"]
]

describe("a server that sends garbage", () => {
  it.live("each kind of garbage fails the waiting call with a typed error; the client reconnects", () =>
    Effect.gen(function* () {
      let mode: string | Uint8Array | undefined
      let helloGarbage = false
      const server = yield* ReplayServer.make([], {
        protocol: 3,
        answer: (request) => {
          const name = String(request[0]).toUpperCase()
          if (name === "HELLO") return helloGarbage ? "\u0000\u0001garbage\r\n" : undefined
          if (name === "PING") return mode ?? "+PONG\r\n"
          return undefined
        }
      })
      const { valkey } = yield* ValkeyStandalone.make({
        port: server.port,
        requestTimeout: 2000,
        connectTimeout: 1000,
        reconnect: Schedule.spaced("20 millis")
      })
      const hellos = () => server.requests.filter((r) => String(r[0]).toUpperCase() === "HELLO").length
      const figures: Record<string, string> = {}
      for (const [name, bytes] of garbage) {
        assert.strictEqual(yield* valkey.ping(), "PONG", `before: ${name}`)
        const connects = hellos()
        mode = bytes
        const exit = yield* Effect.exit(valkey.ping())
        mode = undefined
        if (name === "a reply nobody asked for") {
          // The call gets its own reply; the extra one breaks the stream and forces a reconnect.
          assert.isTrue(Exit.isSuccess(exit) && exit.value === "PONG", name)
          figures[name] = "answered, then reconnected"
        } else assert.isTrue(Exit.isFailure(exit), `${name}: the call failed`)
        const error = Exit.findErrorOption(exit)
        if (name === "a reply nobody asked for") {
          const back = yield* valkey.ping().pipe(Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 100 }))
          assert.strictEqual(back, "PONG")
          assert.isAbove(hellos(), connects, `${name}: reconnected`)
          continue
        }
        assert.isTrue(error._tag === "Some", `${name}: a typed error, not a defect`)
        if (error._tag !== "Some") continue
        const tag = error.value._tag
        figures[name] = tag
        assert.strictEqual(tag, "ConnectionError", name)
        if (tag === "ConnectionError") {
          assert.match(error.value.message, /protocol error/, name)
          assert.strictEqual((error.value.cause as { _tag?: string } | undefined)?._tag, "ProtocolError", name)
        }
        // The client reconnects by itself (a new HELLO) and answers again.
        const back = yield* valkey.ping().pipe(Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 100 }))
        assert.strictEqual(back, "PONG", `after: ${name}`)
        assert.isAbove(hellos(), connects, `${name}: reconnected`)
      }
      // Garbage in the handshake itself: a new client fails with a typed error at once.
      helloGarbage = true
      const refused = yield* Effect.flip(ValkeyStandalone.make({ port: server.port, connectTimeout: 1000 }))
      helloGarbage = false
      assert.strictEqual(refused._tag, "ConnectionError")
      report("garbage server", { kinds: garbage.length, ...figures, handshake: refused._tag })
    })
  )

  it.live("the same client moves on to a real server started on the fake's port", () =>
    Effect.gen(function* () {
      const fakeScope = yield* Scope.make()
      let broken = false
      const fake = yield* ReplayServer.make([], {
        protocol: 3,
        answer: (request) => {
          const name = String(request[0]).toUpperCase()
          if (broken) return "%%%garbage\r\n"
          return name === "PING" ? "+PONG\r\n" : undefined
        }
      }).pipe(Scope.provide(fakeScope))
      const { valkey } = yield* ValkeyStandalone.make({
        port: fake.port,
        requestTimeout: 2000,
        connectTimeout: 500,
        reconnect: Schedule.spaced("50 millis")
      })
      assert.strictEqual(yield* valkey.ping(), "PONG")
      broken = true
      const failed = yield* Effect.flip(valkey.ping())
      assert.strictEqual(failed._tag, "ConnectionError")
      // Reconnects meet garbage in the handshake and fail cleanly; then the fake goes away
      // and a real server takes its port.
      yield* Effect.sleep("300 millis")
      yield* Scope.close(fakeScope, Exit.void)
      const real = yield* ValkeyServer.make({ port: fake.port })
      const started = Date.now()
      yield* valkey
        .set("after-garbage", "real")
        .pipe(Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 100 }))
      assert.strictEqual(yield* real.command(["GET", "after-garbage"]), "real")
      report("garbage then real server", { recoveredMs: Date.now() - started })
    })
  )
})
