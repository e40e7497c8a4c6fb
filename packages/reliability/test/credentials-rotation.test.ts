/**
 * Credentials as an Effect under load: an ACL user's password rotates on the server every
 * ROTATE_MS (the next one added, the provider switched, the one before the previous removed,
 * so a connect that read the provider just before a switch still gets in), the client's
 * provider yields the current one and a refresh schedule re-authenticates every open
 * connection, while 50 callers loop SET/GET and connections of that user are killed at random.
 * No call may fail except the ones a kill cut off on the wire (`ConnectionError`, which may
 * have run and are never re-sent by the client: the callers retry those, as an application
 * would); no `AuthError` at all. Standalone and a 3-primary cluster.
 *
 * Pub/sub: a subscriber keeps receiving across a rotation (RESP3: AUTH on the subscribed
 * connection; RESP2: a new connection takes over, so no message is missed) and a kill of its
 * connection afterwards (it reconnects with the current secret).
 *
 * CI: 5 s of load. Chaos: 30 s.
 */
import { assert, describe, layer } from "@effect/vitest"
import { ValkeyCluster } from "@effect-valkey/cluster"
import { type CommandError, type CredentialsValue, Valkey, ValkeyStandalone } from "@effect-valkey/core"
import { PubSub } from "@effect-valkey/pubsub"
import { type AdminReply, ValkeyServer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Context, Deferred, Effect, Fiber, Layer, Redacted, Schedule } from "effect"
import { receiveNumbers, startLoad } from "./load.ts"
import { report, scale } from "./scale.ts"

const LOAD_MS = scale(5_000, 30_000)
const ROTATE_MS = 300
const KILL_MS = 250
const CALLERS = 50

interface Admin {
  readonly command: (args: ReadonlyArray<string>) => Effect.Effect<AdminReply, unknown>
}

/**
 * A user whose password rotates on every node. `step` adds the next password, switches the
 * provider to it and removes the one before the previous.
 */
const rotatingUser = (nodes: ReadonlyArray<Admin>, name: string) =>
  Effect.gen(function* () {
    const secret = (k: number) => `${name}-${k}-${Math.random().toString(36).slice(2, 10)}`
    const passwords = [secret(0)]
    const onAll = (args: ReadonlyArray<string>) =>
      Effect.forEach(nodes, (node) => node.command(args), { discard: true })
    yield* onAll(["ACL", "SETUSER", name, "on", "resetpass", `>${passwords[0]}`, "~*", "&*", "+@all"])
    const provider = Effect.sync(
      (): CredentialsValue => ({ username: name, password: Redacted.make(passwords.at(-1)!) })
    )
    const step = Effect.gen(function* () {
      const next = secret(passwords.length)
      yield* onAll(["ACL", "SETUSER", name, `>${next}`])
      passwords.push(next)
      if (passwords.length >= 3) yield* onAll(["ACL", "SETUSER", name, `<${passwords.at(-3)}`])
    })
    return { provider, step, rotations: () => passwords.length - 1 }
  })

/** The connections of `user` (of one `type`) on every node, with the node that has each. */
const connectionsOf = (nodes: ReadonlyArray<Admin>, user: string, type?: "pubsub") =>
  Effect.map(
    Effect.forEach(nodes, (node) =>
      Effect.map(node.command(["CLIENT", "LIST", ...(type === undefined ? [] : ["TYPE", type])]), (list) =>
        String(list)
          .split("\n")
          .filter((line) => line.includes(` user=${user} `))
          .map((line) => ({ node, id: /^id=(\d+)/.exec(line)![1]! }))
      )
    ),
    (perNode) => perNode.flat()
  )

/** Kills one random connection of `user`; false when none was open. */
const killOne = (nodes: ReadonlyArray<Admin>, user: string, type?: "pubsub") =>
  Effect.gen(function* () {
    const open = yield* connectionsOf(nodes, user, type)
    if (open.length === 0) return false
    const { node, id } = open[Math.floor(Math.random() * open.length)]!
    yield* node.command(["CLIENT", "KILL", "ID", id])
    return true
  })

/** Runs `effect` every `millis` until `stop`, counting the runs that did something. */
const every = <E>(millis: number, effect: Effect.Effect<boolean | undefined, E>, stop: Deferred.Deferred<void>) =>
  Effect.gen(function* () {
    let count = 0
    while (!(yield* Deferred.isDone(stop))) {
      yield* Effect.sleep(millis)
      if ((yield* effect) !== false) count++
    }
    return count
  })

/** The load, the rotations and the kills together; the figures of one run. */
const rotateUnderLoad = (
  valkey: Valkey["Service"],
  nodes: ReadonlyArray<Admin>,
  rotation: { step: Effect.Effect<void, unknown> },
  user: string,
  prefix: string
) =>
  Effect.gen(function* () {
    let cutOff = 0
    // A call cut off on the wire by a kill may have run: the caller retries it (SET of the same
    // value, GET: both idempotent). Anything else is a failure.
    const retryCutOff = <A>(call: Effect.Effect<A, CommandError>) =>
      call.pipe(
        Effect.tapError((error) =>
          Effect.sync(() => {
            if (error._tag === "ConnectionError") cutOff++
          })
        ),
        Effect.retry({ while: (error) => error._tag === "ConnectionError", times: 10 })
      )
    const load = yield* startLoad({
      callers: CALLERS,
      prefix,
      write: (key) =>
        Effect.andThen(retryCutOff(valkey.set(key, key)), retryCutOff(valkey.get(key))).pipe(
          Effect.flatMap((value) => (value === key ? Effect.void : Effect.fail({ _tag: "WrongValue" as const })))
        )
    })
    const stop = yield* Deferred.make<void>()
    const rotations = yield* Effect.forkChild(every(ROTATE_MS, Effect.as(rotation.step, true), stop))
    const kills = yield* Effect.forkChild(every(KILL_MS, killOne(nodes, user), stop))
    yield* Effect.sleep(LOAD_MS)
    yield* Deferred.succeed(stop, undefined)
    const rotated = yield* Fiber.join(rotations)
    const killed = yield* Fiber.join(kills)
    const result = yield* load.finish("20 seconds")
    return {
      calls: result.calls,
      failures: result.failures,
      defects: result.defects,
      rotations: rotated,
      kills: killed,
      cutOffRetried: cutOff,
      slowestMs: result.slowestMs
    }
  })

/**
 * A subscriber to one `kind` of channel, on the PubSub of `context`, while numbered messages
 * are published every 2 ms and the password rotates twice: it misses none (under RESP2 its
 * connection is replaced, under RESP3 re-authenticated), then comes back after a kill.
 */
const subscriberAcrossRotation = (
  context: Context.Context<PubSub.PubSub | Valkey>,
  nodes: ReadonlyArray<Admin>,
  user: string,
  rotation: { readonly step: Effect.Effect<void, unknown>; readonly rotations: () => number },
  protocol: 2 | 3,
  kind: "channel" | "sharded"
) =>
  Effect.gen(function* () {
    const pubsub = Context.get(context, PubSub.PubSub)
    const publisher = Context.get(context, Valkey)
    const channel = `{rot}:${protocol}:${Math.random().toString(36).slice(2)}`
    const received = yield* receiveNumbers(yield* pubsub.subscription(kind, channel))
    const subscriberIds = Effect.map(connectionsOf(nodes, user, "pubsub"), (open) => open.map(({ id }) => id))
    const before = yield* subscriberIds
    assert.strictEqual(before.length, 1)
    // One numbered message every 2 ms, through the same client.
    let n = 0
    // Every message reaches the subscriber (PUBLISH counts it) unless it is reconnecting.
    let overlapping = 0
    const publish = (count: number, reaching: boolean) =>
      Effect.gen(function* () {
        const from = n
        for (let i = 0; i < count; i++) {
          const receivers = yield* (kind === "sharded" ? publisher.spublish : publisher.publish)(channel, String(n++))
          // Two while a RESP2 subscriber's replacement and the old one overlap.
          if (reaching) assert.isAtLeast(receivers, 1)
          if (receivers > 1) overlapping++
          yield* Effect.sleep("2 millis")
        }
        return [from, n] as const
      })
    // Across two rotations (the refresh re-authenticates in between): every message.
    const rotating = yield* Effect.forkChild(
      Effect.gen(function* () {
        yield* Effect.sleep("100 millis")
        yield* rotation.step
        yield* Effect.sleep("300 millis")
        yield* rotation.step
      })
    )
    const [from, to] = yield* publish(400, true)
    yield* Fiber.join(rotating)
    yield* Effect.sleep("200 millis")
    const got = new Set(received)
    const missed = Array.from({ length: to - from }, (_, i) => from + i).filter((i) => !got.has(i))
    const duplicates = received.length - got.size
    const after = yield* subscriberIds
    // RESP3 re-authenticated the same connection; RESP2 replaced it (and closed the old one).
    if (protocol === 3) assert.deepStrictEqual(after, before)
    else {
      assert.strictEqual(after.length, 1)
      assert.notStrictEqual(after[0], before[0])
    }
    // The first secret is gone now: a kill must reconnect with a current one.
    assert.isTrue(yield* killOne(nodes, user, "pubsub"))
    const resumed = yield* Effect.gen(function* () {
      const mark = n
      yield* publish(1, false)
      return received.some((i) => i >= mark)
    }).pipe(Effect.repeat({ until: (ok) => ok, schedule: Schedule.spaced("20 millis") }), Effect.timeout("10 seconds"))
    const figures = {
      published: to - from,
      missed: missed.length,
      duplicates,
      publishedToTwoConnections: overlapping,
      rotations: rotation.rotations(),
      resumedAfterKill: resumed
    }
    report(`credentials rotation, pub/sub RESP${protocol} ${kind}${nodes.length > 1 ? " (cluster)" : ""}`, figures)
    assert.deepStrictEqual(missed, [])
    assert.isTrue(resumed)
  })

const refresh = Schedule.spaced("100 millis")
const reconnect = Schedule.spaced("20 millis")

describe("credentials rotation under load", () => {
  layer(ValkeyServer.layer(), { excludeTestServices: true, timeout: 120_000 })("standalone", (it) => {
    for (const protocol of [3, 2] as const) {
      it.effect(
        `RESP${protocol}: ${CALLERS} callers, rotation every ${ROTATE_MS} ms, kills every ${KILL_MS} ms: no failed call`,
        () =>
          Effect.gen(function* () {
            const server = yield* ValkeyServer
            const user = `rot${protocol}`
            const rotation = yield* rotatingUser([server], user)
            const { valkey } = yield* ValkeyStandalone.make({
              port: server.port,
              protocol,
              credentials: rotation.provider,
              credentialsRefresh: refresh,
              reconnect
            })
            const figures = yield* rotateUnderLoad(valkey, [server], rotation, user, `rot${protocol}`)
            report(`credentials rotation, standalone RESP${protocol}`, figures)
            assert.deepStrictEqual(figures.failures, {})
            assert.deepStrictEqual(figures.defects, [])
            assert.isAtLeast(figures.rotations, 5)
            assert.isAtLeast(figures.kills, 5)
            assert.isAtLeast(figures.calls, 100)
          })
      )
    }
  })

  layer(ValkeyTestCluster.layer({ primaries: 3, replicasPerPrimary: 0 }), {
    excludeTestServices: true,
    timeout: 180_000
  })("cluster", (it) => {
    it.effect(`3 primaries: ${CALLERS} callers, rotation on every node, kills on random nodes: no failed call`, () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const rotation = yield* rotatingUser(cluster.nodes, "crot")
        const context = yield* Layer.build(
          ValkeyCluster.layer({
            seeds: [cluster.seeds[0]!],
            credentials: rotation.provider,
            credentialsRefresh: refresh,
            reconnect
          })
        )
        const figures = yield* rotateUnderLoad(Context.get(context, Valkey), cluster.nodes, rotation, "crot", "crot")
        report("credentials rotation, cluster of 3 primaries", figures)
        assert.deepStrictEqual(figures.failures, {})
        assert.deepStrictEqual(figures.defects, [])
        assert.isAtLeast(figures.rotations, 5)
        assert.isAtLeast(figures.kills, 5)
      })
    )

    it.effect("RESP2: a sharded subscriber misses nothing across a rotation and comes back after a kill", () =>
      Effect.gen(function* () {
        const cluster = yield* ValkeyTestCluster
        const rotation = yield* rotatingUser(cluster.nodes, "csub")
        const context = yield* Layer.build(
          PubSub.layer().pipe(
            Layer.provideMerge(
              ValkeyCluster.layer({
                seeds: [cluster.seeds[0]!],
                protocol: 2,
                credentials: rotation.provider,
                credentialsRefresh: Schedule.spaced("50 millis"),
                reconnect
              })
            )
          )
        )
        yield* subscriberAcrossRotation(context, cluster.nodes, "csub", rotation, 2, "sharded")
      })
    )
  })

  layer(ValkeyServer.layer(), { excludeTestServices: true, timeout: 120_000 })("pub/sub", (it) => {
    for (const protocol of [3, 2] as const) {
      it.effect(`RESP${protocol}: a subscriber misses nothing across a rotation and comes back after a kill`, () =>
        Effect.gen(function* () {
          const server = yield* ValkeyServer
          const user = `sub${protocol}`
          const rotation = yield* rotatingUser([server], user)
          const context = yield* Layer.build(
            PubSub.layer().pipe(
              Layer.provideMerge(
                ValkeyStandalone.layer({
                  port: server.port,
                  protocol,
                  credentials: rotation.provider,
                  credentialsRefresh: Schedule.spaced("50 millis"),
                  reconnect
                })
              )
            )
          )
          yield* subscriberAcrossRotation(context, [server], user, rotation, protocol, "channel")
        })
      )
    }
  })
})
