/**
 * The settings of one connection, fully resolved (defaults applied, validated). Users write
 * `ValkeyConfig`; the client turns it into these.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type { AuthError, ConnectionError } from "../errors.ts"
import type { DecoderOptions } from "../resp/decoder.ts"
import type { RespArg, RespPush } from "../resp/types.ts"
import type { Connection } from "./Connection.ts"

import type { Credentials } from "./Credentials.ts"
import type { FlushGroup } from "./FlushGroup.ts"

/**
 * TLS settings. Verification of the server certificate is on unless turned off.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsOptions {
  /** CA certificate(s) (PEM) to trust instead of the system store. */
  readonly ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>
  /** Client certificate and key (PEM) for mutual TLS. */
  readonly cert?: string | Uint8Array
  readonly key?: string | Uint8Array | Redacted.Redacted<string>
  /** The name to verify the certificate against (SNI), when it is not the host. */
  readonly servername?: string
  /** Default true. Turning it off accepts any certificate: for tests only. */
  readonly rejectUnauthorized?: boolean
}

export {
  /**
   * The credentials every connection of a client uses on (re)connect (see `Credentials.ts`).
   *
   * @since 0.1.0
   * @category models
   */
  Credentials
} from "./Credentials.ts"

/**
 * Everything one connection needs (address, TLS, credentials, protocol, timeouts, limits),
 * as resolved from a `ValkeyConfig`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectionOptions {
  readonly host: string
  readonly port: number
  readonly tls: TlsOptions | undefined
  readonly credentials: Credentials
  readonly database: number
  readonly clientName: string | undefined
  /** Send READONLY in the handshake: a cluster replica then serves reads for its slots. */
  readonly readOnly?: boolean
  /** 3 asks for RESP3 with HELLO and falls back to RESP2 on servers without it. */
  readonly protocol: 2 | 3
  readonly connectTimeoutMillis: number
  /** 0 means no timeout. */
  readonly requestTimeoutMillis: number
  /** Added to a blocking command's own block time to get its deadline. */
  readonly blockingMarginMillis: number
  readonly inflightLimit: number
  readonly reconnect: Schedule.Schedule<unknown, unknown>
  readonly decoder: DecoderOptions
  /**
   * Called with the node's `host:port` each time the connection is re-established after a
   * loss (not on its first connect): the `valkey.reconnects` metric, when metrics are on.
   */
  readonly onReconnect?: ((address: string) => void) | undefined
  /**
   * Called with the node's `host:port` when a ready connection loses its socket: a cluster
   * router refreshes its topology at once rather than wait for a timeout or a redirect.
   *
   * @since 0.3.0
   */
  readonly onLoss?: ((address: string) => void) | undefined
  /**
   * Called each time a command is sent again after a `-LOADING` reply (`reason` is the error
   * code): the `valkey.command.retries` metric, when metrics are on.
   *
   * @since 0.3.0
   */
  readonly onRetry?: ((address: string, reason: string) => void) | undefined
  /**
   * Shared by the connections of a client with one per node: their writes then leave together
   * at the end of the event-loop turn instead of each at the end of its tick (`FlushGroup`).
   *
   * @since 0.2.0
   */
  readonly flushGroup?: FlushGroup | undefined
  /** Server-assisted client-side caching on this connection (see `Tracking`). */
  readonly tracking?: Tracking | undefined
}

/**
 * What a connection whose reads a client-side cache keeps does: its handshake ends with the
 * `CLIENT TRACKING ON …` line `prepare` gives (so tracking is on before any queued command
 * is written, on every reconnect), its push frames go to `onPush` (RESP3 invalidations), and
 * the loss of its socket is told to `onLost` (invalidations may have been missed).
 *
 * @since 0.3.0
 * @category models
 */
export interface Tracking {
  readonly prepare: (
    connection: Connection,
    options: ConnectionOptions,
    protocol: 2 | 3
  ) => Effect.Effect<ReadonlyArray<RespArg>, ConnectionError | AuthError>
  readonly onPush: (push: RespPush) => void
  readonly onLost: (address: string) => void
}
