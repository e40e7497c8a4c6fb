/**
 * The `Router` service: where a command goes. The standalone router sends everything to its one
 * node; the cluster router (in `@effect-valkey/cluster`) routes by slot, follows redirects and
 * splits multi-slot commands. `Valkey` is built on whichever router is provided, so
 * application code does not change between modes.
 *
 * @since 0.1.0
 */
import { Context, type Effect } from "effect"
import type { Command } from "./command/Command.ts"
import type { Connection } from "./connection/Connection.ts"
import type { Credentials } from "./connection/ConnectionOptions.ts"
import type { CommandError } from "./errors.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface RouterService {
  /** Sends a command where it belongs and returns its decoded reply. */
  run<A>(command: Command<A>): Effect.Effect<A, CommandError>
  /** The credentials used on every (re)connect of every connection of this client. */
  readonly credentials: Credentials
  /** The connections open now (for immediate re-authentication and diagnostics). */
  readonly connections: () => ReadonlyArray<Connection>
}

/**
 * @since 0.1.0
 * @category services
 */
export class Router extends Context.Service<Router, RouterService>()("@effect-valkey/core/Router") {}
