/**
 * Unit-level checks of the library bugs the reliability tests found (each is also exercised
 * end to end by the test named in its comment).
 */
import { assert, describe, it } from "@effect/vitest"
import { ClusterConfig, Topology } from "@effect-valkey/cluster"
import { Command, Reply, type RespValue } from "@effect-valkey/core"
import { Effect, Exit } from "effect"

const shard = (slots: Array<RespValue>, nodes: Array<RespValue>): RespValue =>
  new Map<RespValue, RespValue>([
    ["slots", slots],
    ["nodes", nodes]
  ])
const node = (port: number, role = "master", health = "online"): RespValue =>
  new Map<string, RespValue>(
    Object.entries({ id: `id${port}`, port, ip: "127.0.0.1", endpoint: "127.0.0.1", role, health })
  )

describe("regressions", () => {
  // faults-cluster "a primary killed, its replica promoted": right after CLUSTER FAILOVER
  // TAKEOVER of a dead primary, CLUSTER SHARDS lists both masters as online. Taking the first
  // kept the client on the dead node; now the list is refused and the router asks CLUSTER SLOTS.
  it("a shard listing two online primaries is ambiguous: a TopologyError, not the first one", () => {
    const exit = Topology.fromShards([shard([0, 16383], [node(7000), node(7001)])], { host: "127.0.0.1" })
    assert.isTrue(Exit.isFailure(exit))
    // One failed and one online primary is not ambiguous: the online one wins, as before.
    const settled = Topology.fromShards([shard([0, 16383], [node(7000, "master", "fail"), node(7001)])], {
      host: "127.0.0.1"
    })
    assert.isTrue(Exit.isSuccess(settled) && settled.value.shards[0]!.primary.port === 7001)
  })

  // invalid "set undefined value" and friends: the encoder threw inside the connection's
  // flush (an uncaught exception, the call hung until its timeout).
  it("a command with an argument that is not a string, bytes or a number other than NaN is invalid", () => {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input
    const bad = (value: unknown): any => value
    for (const arg of [undefined, null, {}, [], Symbol("s"), Number.NaN, true, 1n]) {
      const command = Command.make(["SET", "k", bad(arg)], Reply.ok)
      assert.strictEqual(command.invalid?._tag, "InvalidArgumentError", String(typeof arg))
    }
    assert.strictEqual(Command.make([], Reply.ok).invalid?._tag, "InvalidArgumentError")
    for (const arg of ["v", 1, -1.5, Number.POSITIVE_INFINITY, new Uint8Array([1])]) {
      assert.isUndefined(Command.make(["SET", "k", arg], Reply.ok).invalid)
    }
  })

  // secrets "cluster seed with a password and a bad port": the ConfigError quoted the seed,
  // credentials included.
  it.effect("a malformed seed's ConfigError does not quote its credentials", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(ClusterConfig.resolve({ seeds: ["valkey://user:hunter2@127.0.0.1:nope"] }))
      assert.strictEqual(error._tag, "ConfigError")
      assert.notInclude(error.message, "hunter2")
      assert.include(error.message, "<credentials>@127.0.0.1:nope")
    })
  )
})
