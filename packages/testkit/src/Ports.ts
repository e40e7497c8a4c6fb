/**
 * Free loopback ports. The OS hands out a free port when binding port 0; the port is
 * closed again before the server binds it, so there is a small race with other processes,
 * which the server start-up covers by retrying on `EADDRINUSE`. Within this process, ports
 * of live servers are remembered so the same port is never handed out twice.
 *
 * @since 0.1.0
 */
import * as Net from "node:net"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { SetupError } from "./errors.ts"

const reserved = new Set<number>()

const bindZero = Effect.callback<number, SetupError>((resume) => {
  const server = Net.createServer()
  server.unref()
  server.once("error", (cause) =>
    resume(Effect.fail(new SetupError({ message: `could not bind a free loopback port: ${cause.message}`, cause })))
  )
  server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/**
 * Finds a free port on 127.0.0.1 and reserves it in this process until `releasePort`.
 * Port 6379 is never returned, so a developer's own server is never touched.
 *
 * @since 0.1.0
 * @category ports
 */
export const freePort: Effect.Effect<number, SetupError> = Effect.suspend(() => {
  const attempt = (left: number): Effect.Effect<number, SetupError> =>
    Effect.flatMap(bindZero, (port) => {
      if (port !== 6379 && port !== 0 && !reserved.has(port)) {
        reserved.add(port)
        return Effect.succeed(port)
      }
      return left > 0
        ? attempt(left - 1)
        : Effect.fail(new SetupError({ message: "no free loopback port found after 50 attempts" }))
    })
  return attempt(50)
})

/**
 * Marks `port` as in use by this process (for fixed ports chosen by the caller).
 *
 * @since 0.1.0
 * @category ports
 */
export const reservePort = (port: number): void => {
  reserved.add(port)
}

/**
 * Returns a port reserved by `freePort` or `reservePort`.
 *
 * @since 0.1.0
 * @category ports
 */
export const releasePort = (port: number): void => {
  reserved.delete(port)
}

/**
 * How many connections a listener on `127.0.0.1:port` (a stopped server's port) accepts during
 * `window`: a client that still retries a node it should have let go connects there.
 *
 * @since 0.3.0
 * @category ports
 */
export const connectionAttempts = (port: number, window: Duration.Input): Effect.Effect<number, SetupError> =>
  Effect.acquireUseRelease(
    Effect.callback<{ readonly server: Net.Server; readonly count: () => number }, SetupError>((resume) => {
      let count = 0
      const server = Net.createServer((socket) => {
        count++
        socket.destroy()
      })
      server.once("error", (cause) =>
        resume(Effect.fail(new SetupError({ message: `could not listen on port ${port}: ${cause.message}`, cause })))
      )
      server.listen(port, "127.0.0.1", () => resume(Effect.succeed({ server, count: () => count })))
    }),
    ({ count }) => Effect.map(Effect.sleep(window), () => count()),
    ({ server }) => Effect.callback<void>((resume) => void server.close(() => resume(Effect.void)))
  )
