/**
 * A real `valkey-server` for tests, as a scoped Effect or a Layer. Each server gets a free
 * loopback port and its own temp directory, answers PING before it is handed out, and is
 * stopped (SIGTERM, then SIGKILL) with its directory removed when the scope closes,
 * whether the test passed, failed or was interrupted. The handle carries fault operations
 * (restart, kill, start, pause, resume) and an admin `command` for checking server state.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { AdminReply, AdminTarget, CommandOptions } from "./AdminClient.ts"
import type { AdminError, InvalidStateError, TestkitError } from "./errors.ts"
import type { AclUser, ExtraConfig } from "./internal/config.ts"
import { makeServer } from "./internal/server.ts"
import type { TlsMaterial } from "./Tls.ts"

export type {
  /**
   * An ACL user the server is started with: name, password and rules.
   *
   * @since 0.1.0
   * @category models
   */
  AclUser,
  /**
   * Extra server config, as lines (`["hz 20"]`) or a record (`{ hz: 20 }`), applied last.
   *
   * @since 0.1.0
   * @category models
   */
  ExtraConfig
} from "./internal/config.ts"

/**
 * How to start a server. Everything is optional; the defaults give a plaintext server
 * without password or persistence on a free port.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValkeyServerOptions {
  /** Password of the `default` user (`requirepass`); the admin client uses it. */
  readonly password?: string
  /** ACL users created at start-up. */
  readonly users?: ReadonlyArray<AclUser>
  /**
   * `true` generates a CA, a server and a client certificate with `openssl` into the temp
   * dir; pass material to share one CA between servers. The server then listens with TLS
   * only (`tls-port`, plaintext `port 0`).
   */
  readonly tls?: boolean | TlsMaterial
  /** Require client certificates (mutual TLS). Default `false`. */
  readonly tlsAuthClients?: boolean
  /** Extra config lines, applied after (and so overriding) the testkit defaults. */
  readonly config?: ExtraConfig
  /** Module paths (optionally followed by arguments) loaded with `loadmodule`. */
  readonly modules?: ReadonlyArray<string>
  /** Start with `cluster-enabled yes` (and a free `cluster-port`). Default `false`. */
  readonly cluster?: boolean
  /** Keep data across restarts (AOF on, default save points). Default `false`. */
  readonly persistence?: boolean
  /** Listen on this port instead of a free one. */
  readonly port?: number
  /**
   * The loopback address it binds: `"127.0.0.1"` (default) or `"::1"` for IPv6 (a cluster's
   * nodes then announce `::1` in CLUSTER SLOTS and redirects).
   */
  readonly host?: "127.0.0.1" | "::1"
  /**
   * Run as a Sentinel (`<binary> <conf> --sentinel`): the same binary serves both roles, so
   * no separate `valkey-sentinel` is needed. The `sentinel …` lines go in `config`. Sentinel
   * rewrites its config file; `start`/`restart` write the original one again. Default `false`.
   */
  readonly sentinel?: boolean
  /** Server binary; default env `VALKEY_SERVER`, then `valkey-server` from PATH. */
  readonly binary?: string
  /** How long to wait for PING after spawning. Default 10 seconds. */
  readonly startTimeout?: Duration.Input
  /** Grace period between SIGTERM and SIGKILL when stopping. Default 3 seconds. */
  readonly stopTimeout?: Duration.Input
  /** Default timeout of admin commands. Default 5 seconds. */
  readonly commandTimeout?: Duration.Input
}

/**
 * TLS material of a server plus whether it requires client certificates.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsInfo extends TlsMaterial {
  readonly authClients: boolean
}

/**
 * `running`, `paused` (SIGSTOP) or `stopped` (killed, stopped, or closed).
 *
 * @since 0.1.0
 * @category models
 */
export type ServerStatus = "running" | "paused" | "stopped"

/**
 * A running test server. `port` stays the same across `restart`/`start`; `pid` is the pid
 * of the current (or last) process.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValkeyServerHandle {
  readonly host: string
  readonly port: number
  /** `host:port`, without brackets for IPv6 (`::1:port`), as CLUSTER NODES and MOVED write it */
  readonly address: string
  /** `valkey://[default:password@]host:port`, `valkeys://` with TLS. */
  readonly url: string
  readonly pid: number
  readonly dir: string
  readonly password: string | undefined
  readonly tls: TlsInfo | undefined
  /** Cluster bus port when started with `cluster: true`. */
  readonly clusterPort: number | undefined
  readonly status: ServerStatus
  /** Connection details used by `command` (host, port, TLS material, credentials). */
  readonly target: AdminTarget
  /** Last lines the server printed, for diagnosing a failing test. */
  readonly log: () => string
  /** Graceful stop then start on the same port with the same config; waits for PING. */
  readonly restart: Effect.Effect<void, TestkitError>
  /** SIGKILL, no restart. A no-op if not running. */
  readonly kill: Effect.Effect<void>
  /** Graceful stop (SIGTERM, SIGKILL after the grace period). A no-op if not running. */
  readonly stop: Effect.Effect<void>
  /** Start again after `kill`/`stop` on the same port; waits for PING. No-op if running. */
  readonly start: Effect.Effect<void, TestkitError>
  /** SIGSTOP: the server keeps its connections but answers nothing. */
  readonly pause: Effect.Effect<void, InvalidStateError>
  /** SIGCONT after `pause`. */
  readonly resume: Effect.Effect<void, InvalidStateError>
  /** Sends one admin command on a fresh connection (authenticated when a password is set). */
  command(args: ReadonlyArray<string>, options?: CommandOptions): Effect.Effect<AdminReply, AdminError>
  /** Sends several commands on one fresh connection, failing on the first error reply. */
  pipeline(
    commands: ReadonlyArray<ReadonlyArray<string>>,
    options?: CommandOptions
  ): Effect.Effect<ReadonlyArray<AdminReply>, AdminError>
}

/**
 * Starts a server that lives as long as the current scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: ValkeyServerOptions = {}): Effect.Effect<ValkeyServerHandle, TestkitError, Scope.Scope> =>
  makeServer(options)

/**
 * The service tag of a server provided by `ValkeyServer.layer`.
 *
 * @since 0.1.0
 * @category services
 */
export class ValkeyServer extends Context.Service<ValkeyServer, ValkeyServerHandle>()(
  "@effect-valkey/testkit/ValkeyServer"
) {
  /** See {@link make}. */
  static readonly make = make
  /** A layer owning one server for its lifetime. */
  static readonly layer = (options: ValkeyServerOptions = {}): Layer.Layer<ValkeyServer, TestkitError> =>
    Layer.effect(ValkeyServer, make(options))
}
