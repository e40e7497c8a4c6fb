/**
 * The client for one Valkey server: the `Router` of `StandaloneRouter` (one multiplexed
 * connection, a pool for blocking commands), with tracing and metrics around it when on, and
 * the `Valkey` command and `Scan` services on top.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as ClientCache from "./cache/ClientCache.ts"
import type { AuthError, ConfigError, ConnectionError } from "./errors.ts"
import * as Observability from "./Observability.ts"
import { Router, type RouterService } from "./Router.ts"
import * as RouterGuard from "./RouterGuard.ts"
import * as Scan from "./Scan.ts"
import * as StandaloneRouter from "./StandaloneRouter.ts"
import * as Valkey from "./Valkey.ts"
import * as ValkeyConfig from "./ValkeyConfig.ts"

/**
 * Connects (unless `lazyConnect`) and returns the router and the services; every connection
 * closes with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: ValkeyConfig.ValkeyConfig = {}
): Effect.Effect<
  {
    readonly router: RouterService
    readonly valkey: Valkey.ValkeyService
    readonly scan: Scan.ScanService
    readonly cache: ClientCache.ClientCacheService
  },
  ConfigError | ConnectionError | AuthError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const resolved = yield* ValkeyConfig.resolve(config)
    const cache =
      config.cache === undefined ? undefined : yield* ClientCache.make(config.cache, resolved.observability.metrics)
    const guarded = yield* StandaloneRouter.make(resolved, undefined, cache?.tracking)
    yield* guarded.credentials.keepFresh(guarded.connections)
    // Tracing and metrics, then the cache, under the guard. The cache sits outermost: a hit
    // costs no span and no command metric (no round trip).
    const instrumentation = yield* Observability.make(resolved.observability, resolved.connection.database)
    const endpoint = { host: resolved.connection.host, port: resolved.connection.port }
    const router = RouterGuard.decorate(guarded, [
      instrumentation && ((plain) => instrumentation.instrument(plain, endpoint)),
      cache && ((plain) => cache.wrap(plain))
    ])
    return {
      router,
      valkey: Valkey.make(router, instrumentation),
      scan: Scan.make(router),
      cache: cache?.service ?? ClientCache.disabled
    }
  })

/**
 * A layer providing `Valkey`, `Scan`, `Router` and `ClientCache` for one server.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: ValkeyConfig.ValkeyConfig = {}
): Layer.Layer<
  Valkey.Valkey | Scan.Scan | Router | ClientCache.ClientCache,
  ConfigError | ConnectionError | AuthError
> =>
  Layer.effectContext(
    Effect.map(make(config), ({ cache, router, scan, valkey }) =>
      Context.make(Router, router).pipe(
        Context.add(Valkey.Valkey, valkey),
        Context.add(Scan.Scan, scan),
        Context.add(ClientCache.ClientCache, cache)
      )
    )
  )

/**
 * The same layer, with its configuration read from Effect `Config` (see
 * `ValkeyConfig.config`); fields given in `overrides` win.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<ValkeyConfig.ValkeyConfig> = ValkeyConfig.config,
  overrides: ValkeyConfig.ValkeyConfig = {}
): Layer.Layer<
  Valkey.Valkey | Scan.Scan | Router | ClientCache.ClientCache,
  ConfigError | ConnectionError | AuthError | Config.ConfigError
> => Layer.unwrap(Effect.map(config, (fields) => layer({ ...fields, ...overrides })))

/**
 * `ValkeyConfig.config` under a prefix: `configNested("VALKEY")` reads `VALKEY_URL`,
 * `VALKEY_HOST`, `VALKEY_PASSWORD`, ….
 *
 * @since 0.1.0
 * @category layers
 */
export const configNested = (prefix: string): Config.Config<ValkeyConfig.ValkeyConfig> =>
  ValkeyConfig.config.pipe(Config.nested(prefix))
