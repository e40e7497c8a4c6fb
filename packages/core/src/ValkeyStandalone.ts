/**
 * The client for one Valkey server: one multiplexed connection for ordinary commands, a
 * bounded pool of dedicated connections for blocking commands (so a BLPOP never stalls the
 * shared connection), the `Router` that chooses between them, and the `Valkey` command and
 * `Scan` services on top.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Pool from "effect/Pool"
import type * as Scope from "effect/Scope"
import * as BlockingPool from "./connection/BlockingPool.ts"
import * as Connection from "./connection/Connection.ts"
import type { AuthError, ConfigError, ConnectionError } from "./errors.ts"
import * as Observability from "./Observability.ts"
import { Router, type RouterService } from "./Router.ts"
import * as Scan from "./Scan.ts"
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
  { readonly router: RouterService; readonly valkey: Valkey.ValkeyService; readonly scan: Scan.ScanService },
  ConfigError | ConnectionError | AuthError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const resolved = yield* ValkeyConfig.resolve(config)
    const connection = yield* Connection.make(resolved.connection, { lazy: resolved.lazyConnect })
    const open = new Set<Connection.Connection>([connection])
    // Every connection is tracked while it lives, pooled ones too, so a password rotation
    // with immediateAuth reaches all of them.
    const dedicated = Effect.tap(Connection.make(resolved.connection), (c) =>
      Effect.acquireRelease(
        Effect.sync(() => open.add(c)),
        () => Effect.sync(() => open.delete(c))
      )
    )
    const blocking = yield* Pool.makeWithTTL({
      acquire: dedicated,
      min: 0,
      max: resolved.blockingPoolSize,
      timeToLive: "60 seconds"
    })
    const plain: RouterService = Router.of({
      run: (command) =>
        command.blockMillis === undefined
          ? connection.send(command)
          : BlockingPool.run(blocking, command, resolved.connection.requestTimeoutMillis),
      sendBatch: (batch) => connection.sendBatch(batch.commands),
      dedicated,
      dedicatedFor: () => dedicated,
      credentials: resolved.connection.credentials,
      connectionOptions: resolved.connection,
      observability: resolved.observability,
      connections: () => [...open]
    })
    // Tracing and metrics wrap the router only when on: off, commands take the plain path.
    const instrumentation = yield* Observability.make(resolved.observability, resolved.connection.database)
    const router =
      instrumentation === undefined
        ? plain
        : instrumentation.instrument(plain, { host: resolved.connection.host, port: resolved.connection.port })
    return { router, valkey: Valkey.make(router, instrumentation), scan: Scan.make(router) }
  })

/**
 * A layer providing `Valkey`, `Scan` and `Router` for one server.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: ValkeyConfig.ValkeyConfig = {}
): Layer.Layer<Valkey.Valkey | Scan.Scan | Router, ConfigError | ConnectionError | AuthError> =>
  Layer.effectContext(
    Effect.map(make(config), ({ router, scan, valkey }) =>
      Context.make(Router, router).pipe(Context.add(Valkey.Valkey, valkey), Context.add(Scan.Scan, scan))
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
): Layer.Layer<Valkey.Valkey | Scan.Scan | Router, ConfigError | ConnectionError | AuthError | Config.ConfigError> =>
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
