/**
 * The client for a Valkey cluster: the same `Valkey` command service as the standalone
 * client, so application code does not change between modes, routed by the cluster `Router`;
 * plus `ClusterRouter.ClusterRouter` for what only a cluster has (explicit routes, the topology).
 *
 * @since 0.1.0
 */
import {
  type AuthError,
  ClientCache,
  type ConfigError,
  type ConnectionError,
  Observability,
  Router,
  Scan,
  type ScanService,
  Valkey,
  type ValkeyService
} from "@effect-valkey/core"
import { makeValkey, RouterGuard } from "@effect-valkey/core/internal"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { ClusterConfig } from "./ClusterConfig.ts"
import * as ClusterConfigModule from "./ClusterConfig.ts"
import * as ClusterRouter from "./ClusterRouter.ts"
import * as ClusterScan from "./ClusterScan.ts"
import type { TopologyError } from "./Topology.ts"

/**
 * Discovers the cluster and returns its router and command service, closed with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: ClusterConfig
): Effect.Effect<
  {
    readonly router: ClusterRouter.ClusterRouterService
    readonly valkey: ValkeyService
    readonly scan: ScanService
    readonly cache: ClientCache.ClientCacheService
  },
  ConfigError | ConnectionError | AuthError | TopologyError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const settings = Observability.settings(config)
    const cache = config.cache === undefined ? undefined : yield* ClientCache.make(config.cache, settings.metrics)
    const guarded = yield* ClusterRouter.make(config, cache)
    yield* guarded.credentials.keepFresh(guarded.connections)
    // Tracing and metrics, then the cache, under the guard (the config was validated above).
    // The cache sits outermost: a hit costs no span and no command metric (no round trip).
    const instrumentation = yield* Observability.make(settings, guarded.connectionOptions.database)
    const router = RouterGuard.decorate(guarded, [
      instrumentation && ((plain) => instrumentation.instrument(plain, plain.endpointOf)),
      cache && ((plain) => cache.wrap(plain))
    ])
    return {
      router,
      valkey: makeValkey(router, instrumentation),
      scan: scanService(router),
      cache: cache?.service ?? ClientCache.disabled
    }
  })

/**
 * The `Scan` service of a cluster: `keys` covers every slot (see `ClusterScan`); HSCAN, SSCAN
 * and ZSCAN go to the owner of their key like any keyed command.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scanService = (router: ClusterRouter.ClusterRouterService): ScanService => ({
  ...Scan.make(router),
  keys: (options) => ClusterScan.keys(router, options)
})

/**
 * A layer providing `Valkey`, `Scan`, `Router`, `ClusterRouter.ClusterRouter` and `ClientCache` for a cluster: the same
 * services as `ValkeyStandalone.layer`, so application code does not change between modes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: ClusterConfig
): Layer.Layer<
  Valkey | Scan | Router | ClusterRouter.ClusterRouter | ClientCache.ClientCache,
  ConfigError | ConnectionError | AuthError | TopologyError
> =>
  Layer.effectContext(
    Effect.map(make(config), ({ cache, router, scan, valkey }) =>
      Context.make(Router, router).pipe(
        Context.add(Valkey, valkey),
        Context.add(Scan, scan),
        Context.add(ClusterRouter.ClusterRouter, router),
        Context.add(ClientCache.ClientCache, cache)
      )
    )
  )

/**
 * The same layer, its configuration read from Effect `Config` (`ClusterConfig.config` by
 * default: `SEEDS`, `PASSWORD`, `TLS`, …); `overrides` win over what was read.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<ClusterConfig> = ClusterConfigModule.config,
  overrides: Partial<ClusterConfig> = {}
): Layer.Layer<
  Valkey | Scan | Router | ClusterRouter.ClusterRouter | ClientCache.ClientCache,
  ConfigError | ConnectionError | AuthError | TopologyError | Config.ConfigError
> => Layer.unwrap(Effect.map(config, (fields) => layer({ ...fields, ...overrides })))

/**
 * `ClusterConfig.config` under a prefix: `configNested("VALKEY")` reads `VALKEY_SEEDS`,
 * `VALKEY_PASSWORD`, ….
 *
 * @since 0.2.0
 * @category layers
 */
export const configNested = (prefix: string): Config.Config<ClusterConfig> =>
  ClusterConfigModule.config.pipe(Config.nested(prefix))
