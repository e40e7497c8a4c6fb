/**
 * Builds the `PubSub` service on a placement (where subscriptions go) and a way to run
 * ordinary commands (PUBLISH, PUBSUB …), closed with the scope.
 */
import { type Command, type CommandError, Commands, ConfigError, type Credentials } from "@effect-valkey/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as Hub from "effect/PubSub"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { defaults as bufferDefaults, type Strategy } from "../Backpressure.ts"
import { SubscribeError } from "../errors.ts"
import type { SubscriptionKind } from "../Message.ts"
import { defaults, type PubSubOptions, type SubscribeOptions } from "../PubSubOptions.ts"
import type { OpenSubscription, PubSubService, Subscribe } from "../PubSubService.ts"
import type { Subscription } from "../Subscription.ts"
import type { SubscriptionEvent } from "../SubscriptionEvent.ts"
import { Consumer } from "./consumer.ts"
import { Engine } from "./engine.ts"
import type { Placement } from "./placement.ts"
import type { Entry } from "./registry.ts"

/** What the service needs besides subscriptions. */
export interface Backend {
  readonly placement: Placement
  /** Runs a command where the client's router sends it. */
  readonly run: <A>(command: Command.Command<A>) => Effect.Effect<A, CommandError>
  /** Runs a command on every node and gives each node's answer. */
  readonly everyNode: <A>(command: Command.Command<A>) => Effect.Effect<ReadonlyArray<A>, CommandError>
  /** The client's credentials: a refresh re-authenticates the subscriber connections too. */
  readonly credentials: Credentials
}

/** A subscription's names, by kind. */
type Spec = ReadonlyArray<readonly [SubscriptionKind, ReadonlyArray<string>]>

// Positive only: a zero reconcile interval would spin the reconcile loop, and a zero or
// negative subscribe timeout would fail every subscription at once.
const duration = (input: Duration.Input, field: string): Effect.Effect<Duration.Duration, ConfigError> =>
  Option.match(Duration.fromInput(input), {
    onNone: () => Effect.fail(new ConfigError({ message: `${field}: not a duration`, field })),
    onSome: (d) =>
      Duration.toMillis(d) > 0
        ? Effect.succeed(d)
        : Effect.fail(new ConfigError({ message: `${field}: must be a positive duration`, field }))
  })

const KINDS: ReadonlySet<string> = new Set(["channel", "pattern", "sharded"])

const isCapacity = (n: number) => Number.isInteger(n) && n >= 1
const STRATEGIES: ReadonlySet<unknown> = new Set<Strategy>(["suspend", "dropping", "sliding"])

export const make = (
  backend: Backend,
  options: PubSubOptions = {},
  /** Counts a dropped message in the `valkey.pubsub.dropped` metric, when metrics are on. */
  onDropped?: () => void
): Effect.Effect<PubSubService, ConfigError | SubscribeError, Scope.Scope> =>
  Effect.gen(function* () {
    const interval = yield* duration(options.reconcileInterval ?? defaults.reconcileInterval, "reconcileInterval")
    const timeout = yield* duration(options.subscribeTimeout ?? defaults.subscribeTimeout, "subscribeTimeout")
    const buffer = { ...bufferDefaults, ...options.buffer }
    if (!isCapacity(buffer.capacity)) {
      return yield* new ConfigError({ message: "buffer.capacity: must be a positive integer", field: "buffer" })
    }
    if (!STRATEGIES.has(buffer.strategy)) {
      return yield* new ConfigError({
        message: "buffer.strategy: must be suspend, dropping or sliding",
        field: "buffer"
      })
    }
    // Released in order: the background fibers (reconciles, overflow drains, the static
    // callback) are interrupted, then every consumer hears the service closed, then the
    // subscriber connections close.
    const scope = yield* Scope.fork(yield* Scope.Scope, "sequential")
    const nodes = yield* Scope.fork(scope, "sequential")
    const closing = yield* Scope.fork(scope, "sequential")
    const fibers = yield* FiberSet.make().pipe(Scope.provide(scope))
    const runFork = yield* FiberSet.runtime(fibers)()
    const events = yield* Hub.sliding<SubscriptionEvent>(1024)
    const engine = new Engine(backend.placement, nodes, runFork, (event) => {
      Hub.publishUnsafe(events, event)
    })
    yield* Scope.addFinalizer(
      closing,
      Effect.sync(() =>
        engine.close(
          ({ kind, name }) =>
            new SubscribeError({
              message: `${kind} subscription to ${name}: the PubSub service was closed`,
              kind,
              name,
              reason: "closed"
            })
        )
      )
    )
    runFork(Effect.sleep(interval).pipe(Effect.andThen(engine.reconcile), Effect.forever))
    // A backend that hears of topology changes (a Sentinel failover) reconciles at once.
    if (backend.placement.watch !== undefined) yield* backend.placement.watch(() => engine.requestReconcile())
    yield* backend.credentials.listen((credentials) => engine.reauthenticate(credentials))
    let dropped = 0

    const open = <P extends string | Uint8Array>(
      spec: Spec,
      settings: SubscribeOptions
    ): Effect.Effect<Subscription<P>, SubscribeError, Scope.Scope> =>
      Effect.gen(function* () {
        const [specKind, names] = spec.find(([, names]) => names.length > 0) ?? spec[0]!
        /** The error, naming the subscription it is about (`entry`) or else all of them. */
        const failure = (reason: SubscribeError["reason"], message: string, entry?: Entry) => {
          const kind = entry?.kind ?? specKind
          const name = entry?.name ?? names.join(", ")
          return new SubscribeError({ message: `${kind} subscription to ${name}: ${message}`, kind, name, reason })
        }
        if (engine.closed) return yield* failure("closed", "the PubSub service is closed")
        const capacity = settings.capacity ?? buffer.capacity
        if (!isCapacity(capacity)) return yield* failure("invalid", "capacity must be a positive integer")
        const strategy = settings.strategy ?? buffer.strategy
        if (!STRATEGIES.has(strategy)) return yield* failure("invalid", "strategy must be suspend, dropping or sliding")
        // Made in the subscribing fiber, as a Queue is: wake-ups run on its dispatcher.
        const consumer = yield* Effect.withFiber((fiber) =>
          Effect.succeed(
            new Consumer<P>(
              { bytes: settings.bytes === true, capacity, strategy },
              onDropped === undefined
                ? () => {
                    dropped++
                  }
                : () => {
                    dropped++
                    onDropped()
                  },
              fiber.currentDispatcher
            )
          )
        )
        let released = false
        const release = Effect.sync(() => {
          if (released) return
          released = true
          if (consumer.bytes) engine.bytesConsumers--
          for (const [kind, names] of spec) engine.remove(kind, names, consumer)
          consumer.close()
        })
        const added = yield* Effect.acquireRelease(
          Effect.sync(() => {
            if (consumer.bytes) engine.bytesConsumers++
            return spec.map(([kind, names]) => engine.registry.add(kind, names, consumer))
          }),
          () => release
        )
        const entries = added.flatMap((a) => a.entries)
        yield* engine.placeEntries(added.flatMap((a) => a.created))
        const outcome = yield* engine.registry
          .awaitConfirmed(entries)
          .pipe(Effect.timeoutOrElse({ duration: timeout, orElse: () => Effect.succeed("timeout" as const) }))
        if (outcome !== undefined) {
          // Not subscribed: the consumer goes now, not with the caller's scope, where its buffer
          // would fill unread (and under "suspend" stop the connection's reading).
          yield* release
          return yield* outcome === "timeout"
            ? failure(
                "timeout",
                `not confirmed within ${Duration.format(timeout)}`,
                entries.find((e) => !e.confirmed)
              )
            : failure(outcome.refusal.reason, outcome.refusal.message, outcome.entry)
        }
        return {
          messages: Stream.fromPull(Effect.succeed(consumer.pull)),
          poll: consumer.poll,
          take: Effect.catchTag(consumer.take, "Done", () => failure("closed", "the subscription is closed")),
          dropped: Effect.sync(() => consumer.dropped)
        } satisfies Subscription<P>
      })

    const one = (kind: SubscriptionKind, names: string | ReadonlyArray<string>, settings: SubscribeOptions = {}) => {
      // Checked at run time too: an ill-typed caller gets a typed error, not a defect.
      const invalid = (message: string) =>
        Effect.fail(
          new SubscribeError({
            message,
            kind: KINDS.has(kind) ? kind : "channel",
            name: "",
            reason: "invalid"
          })
        )
      if (!KINDS.has(kind))
        return invalid(`subscription: unknown kind (${typeof kind}), expected channel, pattern or sharded`)
      if (typeof names !== "string" && !Array.isArray(names))
        return invalid(`${kind} subscription: names must be a string or a list`)
      const list = typeof names === "string" ? [names] : [...new Set(names)]
      if (list.some((name) => typeof name !== "string"))
        return invalid(`${kind} subscription: every name must be a string`)
      return list.length === 0 ? invalid(`${kind} subscription: no names given`) : open([[kind, list]], settings)
    }

    // The overloads only narrow the payload type by `bytes`, which `open` follows at run time.
    const subscription = one as OpenSubscription
    const stream = (kind: SubscriptionKind) =>
      ((names: string | ReadonlyArray<string>, settings?: SubscribeOptions) =>
        Stream.unwrap(Effect.map(one(kind, names, settings), (s) => s.messages))) as Subscribe

    const statics = options.subscriptions ?? {}
    const staticSubscription = yield* open<string | Uint8Array>(
      [
        ["channel", statics.channels ?? []],
        ["pattern", statics.patterns ?? []],
        ["sharded", statics.sharded ?? []]
      ],
      statics
    )
    if (statics.callback !== undefined) {
      runFork(Stream.runForEach(staticSubscription.messages, statics.callback))
    }

    return {
      subscribe: stream("channel"),
      psubscribe: stream("pattern"),
      ssubscribe: stream("sharded"),
      subscription,
      static: staticSubscription,
      events: Stream.fromPubSub(events),
      dropped: Effect.sync(() => dropped),
      publish: (channel, message, settings) =>
        backend.run(
          settings?.sharded === true
            ? Commands.pubsub.spublish(channel, message)
            : Commands.pubsub.publish(channel, message)
        ),
      channels: (pattern) => Effect.map(backend.everyNode(Commands.pubsub.pubsubChannels(pattern)), union),
      numsub: (channels) => Effect.map(backend.everyNode(Commands.pubsub.pubsubNumsub(channels)), sum(channels)),
      numpat: Effect.map(backend.everyNode(Commands.pubsub.pubsubNumpat()), (counts) =>
        counts.reduce((a, b) => a + b, 0)
      ),
      shardChannels: (pattern) => Effect.map(backend.everyNode(Commands.pubsub.pubsubShardChannels(pattern)), union),
      shardNumsub: (channels) =>
        Effect.map(backend.everyNode(Commands.pubsub.pubsubShardNumsub(channels)), sum(channels))
    } satisfies PubSubService
  })

const union = (lists: ReadonlyArray<ReadonlyArray<string>>): Array<string> => [...new Set(lists.flat())].sort()

const sum =
  (channels: ReadonlyArray<string>) =>
  (maps: ReadonlyArray<ReadonlyMap<string, number>>): Map<string, number> => {
    const out = new Map<string, number>(channels.map((c) => [c, 0]))
    for (const counts of maps) for (const [channel, n] of counts) out.set(channel, (out.get(channel) ?? 0) + n)
    return out
  }
