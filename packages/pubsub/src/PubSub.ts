/**
 * The `PubSub` service and its layer. Subscriptions run on connections of their own (never
 * the command connection), are reference counted, are re-established after reconnects and,
 * in a cluster, follow their slot through failovers and migrations.
 *
 * @since 0.1.0
 */
import { ClusterRouter } from "@effect-valkey/cluster"
import { type ConfigError, Observability, Router, ValkeySentinel } from "@effect-valkey/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { SubscribeError } from "./errors.ts"
import * as ClusterBackend from "./internal/cluster.ts"
import { make as makeService } from "./internal/make.ts"
import * as SentinelBackend from "./internal/sentinel.ts"
import * as StandaloneBackend from "./internal/standalone.ts"
import type { PubSubOptions } from "./PubSubOptions.ts"
import type { PubSubService } from "./PubSubService.ts"

/**
 * The pub/sub service: subscriptions as scoped Streams that survive reconnects and slot moves,
 * and publishing.
 *
 * @since 0.1.0
 * @category services
 */
export class PubSub extends Context.Service<PubSub, PubSubService>()("@effect-valkey/pubsub/PubSub") {}

/**
 * The service on the client in context: on a cluster (`ClusterRouter` present) its
 * subscriptions follow their slots; on one server they all share one subscriber connection; on
 * a Sentinel client (`ValkeySentinel` present) they share one subscriber connection to the
 * primary the sentinels name and follow failovers (`Lost` on the old primary, then
 * `Resubscribed` naming the new one).
 * Its connections connect and authenticate as the client's do (the client's settings and
 * credentials: a `credentials` refresh, or `updatePassword` with `immediateAuth`, re-authenticates
 * them now, see `Credentials`), and its dropped-message
 * metric is on when the client's metrics are.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  options?: PubSubOptions
): Effect.Effect<PubSubService, ConfigError | SubscribeError, Router | Scope.Scope> =>
  Effect.gen(function* () {
    const router = yield* Router
    const cluster = yield* Effect.serviceOption(ClusterRouter.ClusterRouter)
    const sentinel = yield* Effect.serviceOption(ValkeySentinel.ValkeySentinel)
    const backend = Option.isSome(cluster)
      ? ClusterBackend.backend(cluster.value)
      : Option.isSome(sentinel)
        ? SentinelBackend.backend(sentinel.value, router)
        : StandaloneBackend.backend(router)
    return yield* makeService(backend, options, yield* Observability.dropHook(router.observability))
  })

/**
 * Pub/sub on top of the client's layer, any mode: `ValkeyStandalone.layer(config)`,
 * `ValkeyCluster.layer(config)` or `ValkeySentinel.layer(config)` (see `make`). It takes everything it needs from that client.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options?: PubSubOptions): Layer.Layer<PubSub, ConfigError | SubscribeError, Router> =>
  Layer.effect(PubSub, make(options))
