/**
 * The `PubSub` service and its layers. Subscriptions run on connections of their own (never
 * the command connection), are reference counted, are re-established after reconnects and,
 * in a cluster, follow their slot through failovers and migrations.
 *
 * @since 0.1.0
 */
import { type ClusterConfig, ValkeyCluster } from "@effect-valkey/cluster"
import { type ConfigError, Observability, Router, type ValkeyConfig, ValkeySentinel } from "@effect-valkey/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { SubscribeError } from "./errors.ts"
import * as ClusterBackend from "./internal/cluster.ts"
import { make } from "./internal/make.ts"
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
export class PubSub extends Context.Service<PubSub, PubSubService>()("@effect-valkey/pubsub/PubSub") {
  /**
   * Pub/sub for one server, on top of the `Router` of `ValkeyStandalone.layer(config)`: give
   * it the same `config`, so its subscriber connection connects and authenticates like the
   * command connection (and picks up `updatePassword` on its next reconnect).
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerStandalone = (
    config: ValkeyConfig.ValkeyConfig,
    options?: PubSubOptions
  ): Layer.Layer<PubSub, ConfigError | SubscribeError, Router> =>
    Layer.effect(
      PubSub,
      Effect.gen(function* () {
        const backend = yield* StandaloneBackend.backend(config, yield* Router)
        return yield* make(backend, options, yield* Observability.dropHook(Observability.settings(config)))
      })
    )

  /**
   * Pub/sub for a cluster, on top of `ValkeyCluster.layer(config)`: give it the same
   * `config`, so its subscriber connections connect and authenticate like the router's.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerCluster = (
    config: ClusterConfig.ClusterConfig,
    options?: PubSubOptions
  ): Layer.Layer<PubSub, ConfigError | SubscribeError, ValkeyCluster.ValkeyCluster> =>
    Layer.effect(
      PubSub,
      Effect.gen(function* () {
        const backend = yield* ClusterBackend.backend(config, yield* ValkeyCluster.ValkeyCluster)
        return yield* make(backend, options, yield* Observability.dropHook(Observability.settings(config)))
      })
    )

  /**
   * Pub/sub on the primary the sentinels name, on top of `ValkeySentinel.layer(config)`: give
   * it the same `config`. Subscriptions follow failovers: `Lost` on the old primary, then
   * `Resubscribed` with the new primary as `node`.
   *
   * @since 0.2.0
   * @category layers
   */
  static readonly layerSentinel = (
    config: ValkeySentinel.SentinelConfig,
    options?: PubSubOptions
  ): Layer.Layer<PubSub, ConfigError | SubscribeError, Router | ValkeySentinel.ValkeySentinel> =>
    Layer.effect(
      PubSub,
      Effect.gen(function* () {
        const backend = SentinelBackend.backend(yield* ValkeySentinel.ValkeySentinel, yield* Router)
        return yield* make(backend, options, yield* Observability.dropHook(Observability.settings(config)))
      })
    )
}
