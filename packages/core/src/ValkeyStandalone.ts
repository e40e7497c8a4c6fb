/**
 * The client for one Valkey server: one multiplexed connection, the `Router` that sends every
 * command to it, and the `Valkey` command service on top.
 *
 * @since 0.1.0
 */
import { Config, Context, Effect, Layer, type Scope } from "effect"
import * as Connection from "./connection/Connection.ts"
import type { AuthError, ConfigError, ConnectionError } from "./errors.ts"
import { Router, type RouterService } from "./Router.ts"
import * as Valkey from "./Valkey.ts"
import * as ValkeyConfig from "./ValkeyConfig.ts"

/**
 * Connects (unless `lazyConnect`) and returns the router and the command service; the
 * connection closes with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: ValkeyConfig.ValkeyConfig = {}
): Effect.Effect<
  { readonly router: RouterService; readonly valkey: Valkey.ValkeyService },
  ConfigError | ConnectionError | AuthError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const resolved = yield* ValkeyConfig.resolve(config)
    const connection = yield* Connection.make(resolved.connection, { lazy: resolved.lazyConnect })
    const router = Router.of({
      run: (command) => connection.send(command),
      credentials: resolved.connection.credentials,
      connections: () => [connection]
    })
    return { router, valkey: Valkey.make(router) }
  })

/**
 * A layer providing `Valkey` and `Router` for one server.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: ValkeyConfig.ValkeyConfig = {}
): Layer.Layer<Valkey.Valkey | Router, ConfigError | ConnectionError | AuthError> =>
  Layer.effectContext(
    Effect.map(make(config), ({ router, valkey }) =>
      Context.make(Router, router).pipe(Context.add(Valkey.Valkey, valkey))
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
): Layer.Layer<Valkey.Valkey | Router, ConfigError | ConnectionError | AuthError | Config.ConfigError> =>
  Layer.unwrap(Effect.map(config, (fields) => layer({ ...fields, ...overrides })))

/**
 * `ValkeyConfig.config` under a prefix: `configNested("VALKEY")` reads `VALKEY_URL`,
 * `VALKEY_HOST`, `VALKEY_PASSWORD`, ….
 *
 * @since 0.1.0
 * @category layers
 */
export const configNested = (prefix: string): Config.Config<ValkeyConfig.ValkeyConfig> =>
  ValkeyConfig.config.pipe(Config.nested(prefix))
