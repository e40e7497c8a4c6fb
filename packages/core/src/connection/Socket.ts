/**
 * Opening a TCP or TLS socket as an Effect, bounded by the connect timeout.
 *
 * @since 0.1.0
 * @internal
 */

import * as Net from "node:net"
import type * as Tls from "node:tls"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ConnectionError } from "../errors.ts"
import type { ConnectionOptions, TlsOptions } from "./ConnectionOptions.ts"

/**
 * node:tls on first use: importing it loads Node's TLS and crypto modules (~4 MiB of RSS),
 * which a client on plain TCP never needs.
 */
const tls = (): typeof Tls => process.getBuiltinModule("node:tls")

const tlsOptions = (options: TlsOptions, host: string): Tls.ConnectionOptions => {
  const key = options.key
  return {
    ...(options.ca !== undefined ? { ca: options.ca as Tls.ConnectionOptions["ca"] } : {}),
    ...(options.cert !== undefined ? { cert: options.cert as Tls.ConnectionOptions["cert"] } : {}),
    ...(key !== undefined ? { key: (Redacted.isRedacted(key) ? Redacted.value(key) : key) as string } : {}),
    servername: options.servername ?? (Net.isIP(host) === 0 ? host : undefined),
    rejectUnauthorized: options.rejectUnauthorized ?? true
  } as Tls.ConnectionOptions
}

export const address = (options: Pick<ConnectionOptions, "host" | "port">): string =>
  Net.isIPv6(options.host) ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`

/**
 * Every plain TCP socket reads into this one buffer (Node's `onread`), instead of into a fresh
 * 64 KiB allocation per read: the garbage of those (freed only by a GC) made peak RSS 40-60
 * MiB higher than node-redis's with large values at 1,000 callers. One buffer serves all
 * sockets because each read is handed over, and consumed, before the next one starts.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024)

/**
 * Opens the socket; resolves once it is connected (and the TLS handshake is done). Received
 * bytes go to `onData` once the socket is resumed (it starts paused, so nothing is read before
 * the caller is ready). Over TCP a chunk lives in a buffer the next read overwrites, so
 * `onData` copies what it keeps; over TLS every chunk is fresh.
 */
export const open = (
  options: ConnectionOptions,
  onData: (chunk: Buffer) => void
): Effect.Effect<Net.Socket, ConnectionError> =>
  Effect.callback<Net.Socket, ConnectionError>((resume) => {
    const where = address(options)
    let socket: Net.Socket
    try {
      if (options.tls === undefined) {
        socket = Net.connect({
          host: options.host,
          port: options.port,
          noDelay: true,
          onread: {
            buffer: READ_BUFFER,
            callback: (length) => {
              onData(READ_BUFFER.subarray(0, length))
              return true
            }
          }
        })
      } else {
        socket = tls().connect({ host: options.host, port: options.port, ...tlsOptions(options.tls, options.host) })
        socket.on("data", onData)
      }
      socket.pause()
    } catch (cause) {
      // Node throws synchronously on TLS material it cannot use (a key or certificate that is
      // not PEM, a CA it cannot parse): a typed error, not a defect. Its message names the
      // OpenSSL reason, never the material.
      const reason = cause instanceof Error ? cause.message : String(cause)
      resume(
        Effect.fail(
          new ConnectionError({
            message: `cannot connect to ${where}: unusable TLS options: ${reason}`,
            address: where,
            cause
          })
        )
      )
      return
    }
    const ready = options.tls === undefined ? "connect" : "secureConnect"
    let done = false
    const timer = setTimeout(() => {
      finish(
        new ConnectionError({
          message: `connecting to ${where} took longer than ${options.connectTimeoutMillis} ms`,
          address: where
        })
      )
    }, options.connectTimeoutMillis)
    const finish = (error: ConnectionError | undefined) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.off("error", onError)
      socket.off(ready, onReady)
      if (error === undefined) {
        socket.setNoDelay(true)
        socket.setKeepAlive(true, 10_000)
        resume(Effect.succeed(socket))
      } else {
        socket.destroy()
        resume(Effect.fail(error))
      }
    }
    const onError = (cause: Error) =>
      finish(new ConnectionError({ message: `cannot connect to ${where}: ${cause.message}`, address: where, cause }))
    const onReady = () => finish(undefined)
    socket.once("error", onError)
    socket.once(ready, onReady)
    return Effect.sync(() => {
      if (!done) {
        done = true
        clearTimeout(timer)
        socket.destroy()
      }
    })
  })
