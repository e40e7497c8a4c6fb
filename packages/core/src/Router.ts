/**
 * The `Router` service: where a command goes. The standalone router sends everything to its one
 * node; the cluster router (in `@effect-valkey/cluster`) routes by slot, follows redirects and
 * splits multi-slot commands. `Valkey` is built on whichever router is provided, so
 * application code does not change between modes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Key } from "./Args.ts"
import type { SendBatch } from "./Batch.ts"
import type { Command } from "./Command.ts"
import type { Connection } from "./connection/Connection.ts"
import type { ConnectionOptions, Credentials } from "./connection/ConnectionOptions.ts"
import type { AuthError, CommandError, ConnectionError } from "./errors.ts"
import type { Settings } from "./Observability.ts"

/**
 * What a router does: run a command where it belongs (one server, or the slots' nodes of a
 * cluster), send batches, and open dedicated connections for blocking commands and WATCH.
 *
 * @since 0.1.0
 * @category models
 */
export interface RouterService {
  /**
   * Sends a command where it belongs and returns its decoded reply. Blocking commands go to
   * a pool of dedicated connections so they never stall the shared one (WAIT and WAITAOF stay
   * on it: they count its writes). Commands that change connection state or answer more than
   * once (MULTI, WATCH, SELECT, SUBSCRIBE, …) are refused with `InvalidArgumentError` before
   * anything is sent: on the shared connection they would leak into other callers' commands.
   */
  run<A>(command: Command<A>): Effect.Effect<A, CommandError>
  /**
   * Sends commands back to back on one connection (pipelines and MULTI/EXEC), refusing the
   * same commands as `run` and a WAIT without a timeout.
   */
  readonly sendBatch: SendBatch
  /** Opens a connection of its own (same settings), closed with the scope. */
  readonly dedicated: Effect.Effect<Connection, ConnectionError | AuthError, Scope.Scope>
  /**
   * The same, to the node that serves `key` (in a cluster, its slot's primary; standalone has
   * one server): where a WATCH/MULTI transaction on that key must run.
   */
  readonly dedicatedFor: (key: Key) => Effect.Effect<Connection, ConnectionError | AuthError, Scope.Scope>
  /** The credentials used on every (re)connect of every connection of this client. */
  readonly credentials: Credentials
  /**
   * The settings every connection of this client is made with (its `credentials` included): a
   * service built on the client (pub/sub) opens its own connections with them, so it needs no
   * second copy of the configuration. In a cluster, `host` and `port` are a seed's.
   */
  readonly connectionOptions: ConnectionOptions
  /** The client's tracing and metrics settings, for the services built on it. */
  readonly observability: Settings
  /** The connections open now (for immediate re-authentication and diagnostics). */
  readonly connections: () => ReadonlyArray<Connection>
}

/**
 * The service that sends each command to the node it belongs to. `ValkeyStandalone.layer` and
 * `ValkeyCluster.layer` provide it; `Valkey` and `Scan` are built on it.
 *
 * @since 0.1.0
 * @category services
 */
export class Router extends Context.Service<Router, RouterService>()("@effect-valkey/core/Router") {}
