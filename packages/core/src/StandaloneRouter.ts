/**
 * The router for one server, beside the cluster's (`@effect-valkey/cluster`'s `ClusterRouter`):
 * ordinary commands on one multiplexed connection, blocking commands on a bounded pool of
 * dedicated connections (so a BLPOP never stalls the shared one; WAIT stays on the shared one,
 * whose writes it counts), and dedicated connections
 * on request. Every connection is tracked while it lives, so a password rotation with
 * `immediateAuth` reaches all of them.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Pool from "effect/Pool"
import type * as Scope from "effect/Scope"
import * as BlockingPool from "./connection/BlockingPool.ts"
import * as Connection from "./connection/Connection.ts"
import type { ConnectionOptions, Tracking } from "./connection/ConnectionOptions.ts"
import type { AuthError, ConnectionError } from "./errors.ts"
import { Router, type RouterService } from "./Router.ts"
import * as RouterGuard from "./RouterGuard.ts"
import type * as ValkeyConfig from "./ValkeyConfig.ts"

/**
 * Connects (unless `lazyConnect`) and returns the router, guarded (`RouterGuard`: it refuses
 * connection-state commands on its shared connection); every connection closes with the
 * scope. Tracing and metrics are not applied here: `ValkeyStandalone` wraps the router when
 * they are on. `target` says where connections made later (dedicated, pooled) go: the
 * configured server, unless a client that follows a moving primary (Sentinel) says otherwise.
 * `tracking` (a client-side cache's) is turned on in the shared connection's handshakes.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  resolved: ValkeyConfig.ResolvedConfig,
  target: () => ConnectionOptions = () => resolved.connection,
  tracking?: Tracking
): Effect.Effect<RouterService, ConnectionError | AuthError, Scope.Scope> =>
  Effect.gen(function* () {
    // Only the shared connection tracks: cacheable reads never go to the blocking pool.
    const connection = yield* Connection.make(tracking === undefined ? target() : { ...target(), tracking }, {
      lazy: resolved.lazyConnect
    })
    const open = new Set<Connection.Connection>([connection])
    const dedicated = Effect.tap(
      Effect.suspend(() => Connection.make(target())),
      (c) =>
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
    const plain = Router.of({
      run: (command) =>
        command.blockMillis === undefined
          ? connection.send(command)
          : command.ownWrites === true
            ? RouterGuard.sendOwnWrites(connection, command)
            : BlockingPool.run(blocking, command, resolved.connection.requestTimeoutMillis),
      sendBatch: (batch) => connection.sendBatch(batch.commands),
      dedicated,
      dedicatedFor: () => dedicated,
      credentials: resolved.connection.credentials,
      connectionOptions: resolved.connection,
      observability: resolved.observability,
      connections: () => [...open]
    })
    return RouterGuard.guard(plain)
  })
