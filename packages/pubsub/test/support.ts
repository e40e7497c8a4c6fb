/**
 * Test helpers: a `PubSub` (and the command client under it) on the testkit server or
 * cluster in context, closed with the test's scope; and bounded polling of server state.
 */
import { assert } from "@effect/vitest"
import { type ClusterConfig, Slot, ValkeyCluster } from "@effect-valkey/cluster"
import { Valkey, type ValkeyConfig, ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Context, Effect, Fiber, Layer, Schedule, Stream } from "effect"
import { PubSub, type PubSubOptions, type PubSubService, type SubscriptionEvent } from "../src/index.ts"

/** A `PubSub` and the `Valkey` command client under it, on the `ValkeyServer` in context. */
export const standaloneClient = (config: ValkeyConfig.ValkeyConfig = {}, options: PubSubOptions.PubSubOptions = {}) =>
  Effect.gen(function* () {
    const server = yield* ValkeyServer
    const full = { port: server.port, ...config }
    const context = yield* Layer.build(PubSub.layer(options).pipe(Layer.provideMerge(ValkeyStandalone.layer(full))))
    return { pubsub: Context.get(context, PubSub.PubSub), valkey: Context.get(context, Valkey) }
  })

/** A `PubSub` on the `ValkeyServer` in context. */
export const standalone = (config: ValkeyConfig.ValkeyConfig = {}, options: PubSubOptions.PubSubOptions = {}) =>
  Effect.map(standaloneClient(config, options), ({ pubsub }) => pubsub)

/** A `PubSub` on the `ValkeyTestCluster` in context. */
export const cluster = (
  options: PubSubOptions.PubSubOptions = {},
  client: Omit<ClusterConfig.ClusterConfig, "seeds"> = {}
) =>
  Effect.gen(function* () {
    const handle = yield* ValkeyTestCluster
    const config = { ...client, seeds: [handle.seeds[0]!] }
    const context = yield* Layer.build(PubSub.layer(options).pipe(Layer.provide(ValkeyCluster.layer(config))))
    return Context.get(context, PubSub.PubSub)
  })

/** Re-runs `check` until `done` holds of its value (bounded: fails after 15 s). */
export const eventually = <A, E, R>(check: Effect.Effect<A, E, R>, done: (a: A) => boolean, what: string) =>
  check.pipe(
    Effect.flatMap((a) => (done(a) ? Effect.succeed(a) : Effect.fail(`not yet: ${what}`))),
    Effect.retry(Schedule.spaced("25 millis")),
    Effect.timeoutOrElse({ duration: "15 seconds", orElse: () => Effect.die(new Error(`never held: ${what}`)) })
  )

/** A channel name no other test uses. */
export const unique = (prefix: string) => `${prefix}:${Math.random().toString(36).slice(2, 10)}`

/** Starts collecting events now; the fiber ends with the first `count` that match. */
export const watchEvents = (
  pubsub: PubSubService,
  count: number,
  match: (event: SubscriptionEvent) => boolean = () => true
) =>
  pubsub.events.pipe(
    Stream.filter(match),
    Stream.take(count),
    Stream.runCollect,
    Effect.forkChild({ startImmediately: true })
  )

/**
 * Moves `channel`'s slot to another primary of the `ValkeyTestCluster` in context and checks
 * that its sharded subscription went with it: Lost on the old owner, then Resubscribed on the
 * new one, which is returned.
 */
export const migrateShardedChannel = (pubsub: PubSubService, channel: string) =>
  Effect.gen(function* () {
    const handle = yield* ValkeyTestCluster
    const slot = Slot.slotOf(channel)
    const from = yield* handle.slotOwner(slot)
    const to = handle.primaries.find((node) => node.id !== from.id)!
    const events = yield* watchEvents(pubsub, 2, (e) => e.name === channel && e.kind === "sharded")
    yield* handle.migrateSlot(slot, from, to)
    const seen = yield* Fiber.join(events)
    assert.deepStrictEqual(
      seen.map((e) => [e._tag, e.node]),
      [
        ["Lost", from.address],
        ["Resubscribed", to.address]
      ]
    )
    const shardnumsub = yield* to.command(["PUBSUB", "SHARDNUMSUB", channel])
    assert.strictEqual(Number((shardnumsub as ReadonlyArray<unknown>)[1]), 1)
    return to
  })
