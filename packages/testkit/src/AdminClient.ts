/**
 * A tiny private admin client for test servers: one short-lived connection per call
 * (optionally TLS), AUTH first when credentials are known, then the commands pipelined.
 * A fresh connection per call is deliberate: it survives restarts, kills and pauses of
 * the server without any reconnect logic, and loopback connects cost well under a
 * millisecond. It does not depend on `@effect-valkey/core`, whose tests depend on testkit.
 *
 * @since 0.1.0
 */
import * as Net from "node:net"
import * as Tls from "node:tls"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { AdminConnectionError, type AdminError, AdminReplyError } from "./errors.ts"
import { decodeAt, encodeCommand, ProtocolViolation, RawErrorReply, type RawReply } from "./internal/resp.ts"

/**
 * A reply as seen by tests: bulk strings decoded as UTF-8, maps flattened to arrays.
 *
 * @since 0.1.0
 * @category models
 */
export type AdminReply = string | number | null | ReadonlyArray<AdminReply>

/**
 * Who to authenticate as. Without `user` the `default` user is meant.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly user?: string
  readonly password: string
}

/**
 * Where and how to connect.
 *
 * @since 0.1.0
 * @category models
 */
export interface AdminTarget {
  readonly host: string
  readonly port: number
  readonly tls?: {
    readonly ca: string
    readonly cert?: string
    readonly key?: string
  }
  readonly credentials?: Credentials
}

/**
 * Per-call options. `credentials: false` skips AUTH (e.g. to observe `NOAUTH`); other
 * credentials replace the target's for this call only.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandOptions {
  readonly timeout?: Duration.Input
  readonly credentials?: Credentials | false
}

/**
 * Default bound of one admin call; long enough for a loaded CI box, short enough that a
 * paused server fails a test quickly.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultCommandTimeout: Duration.Input = "5 seconds"

type Args = ReadonlyArray<string | Uint8Array>

const describe = (args: Args): string => {
  const name = args.length === 0 ? "" : String(args[0]).toUpperCase()
  // Never put secrets (AUTH, ACL SETUSER, MIGRATE ... AUTH) into error messages
  if (name === "AUTH" || name === "HELLO" || name === "ACL" || name === "MIGRATE" || name === "CONFIG") {
    return args.length > 1 ? `${name} ${String(args[1])}` : name
  }
  return args
    .slice(0, 4)
    .map((a) => (typeof a === "string" ? a : "<bytes>"))
    .join(" ")
}

/**
 * Sends `commands` on one new connection and returns every raw reply, error replies
 * included as values. Only connection-level problems fail.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sendRaw = (
  target: AdminTarget,
  commands: ReadonlyArray<Args>,
  options: CommandOptions = {}
): Effect.Effect<ReadonlyArray<RawReply>, AdminError> => {
  const address = `${target.host}:${target.port}`
  const credentials = options.credentials === false ? undefined : (options.credentials ?? target.credentials)
  const auth: ReadonlyArray<Args> =
    credentials === undefined
      ? []
      : [
          credentials.user === undefined
            ? ["AUTH", credentials.password]
            : ["AUTH", credentials.user, credentials.password]
        ]
  const all = [...auth, ...commands]
  const label = commands.map(describe).join("; ")
  const timeoutMs = Duration.toMillis(options.timeout ?? defaultCommandTimeout)
  const replies = Effect.callback<ReadonlyArray<RawReply>, AdminConnectionError>((resume) => {
    const fail = (message: string, code?: string, cause?: unknown) =>
      resume(
        Effect.fail(
          new AdminConnectionError({
            message: `${label} on ${address}: ${message}`,
            address,
            command: label,
            ...(code === undefined ? {} : { code }),
            ...(cause === undefined ? {} : { cause })
          })
        )
      )
    const socket: Net.Socket =
      target.tls === undefined
        ? Net.connect({ host: target.host, port: target.port })
        : Tls.connect({
            host: target.host,
            port: target.port,
            ca: target.tls.ca,
            ...(target.tls.cert === undefined ? {} : { cert: target.tls.cert }),
            ...(target.tls.key === undefined ? {} : { key: target.tls.key })
          })
    let settled = false
    let buffer: Buffer = Buffer.alloc(0)
    let offset = 0
    const received: Array<RawReply> = []
    const settle = (f: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      f()
    }
    const timer = setTimeout(() => settle(() => fail(`no reply within ${timeoutMs}ms`, "TIMEOUT")), timeoutMs)
    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      try {
        while (received.length < all.length) {
          const step = decodeAt(buffer, offset)
          if (step === undefined) break
          received.push(step.value)
          offset = step.next
        }
      } catch (error) {
        const message = error instanceof ProtocolViolation ? error.message : "undecodable reply"
        settle(() => fail(message, "PROTOCOL", error))
        return
      }
      if (received.length === all.length) settle(() => resume(Effect.succeed(received)))
    })
    socket.on("error", (error: NodeJS.ErrnoException) =>
      settle(() => fail(error.message, error.code ?? "ECONNECTION", error))
    )
    socket.on("close", () => settle(() => fail("connection closed before all replies arrived", "ECLOSED")))
    // Writes before the connect completes are buffered by the socket
    socket.write(Buffer.concat(all.map(encodeCommand)))
    return Effect.sync(() => {
      settled = true
      clearTimeout(timer)
      socket.destroy()
    })
  })
  return Effect.flatMap(replies, (all) => {
    if (auth.length === 0) return Effect.succeed(all)
    const authReply = all[0]
    if (authReply instanceof RawErrorReply) {
      return Effect.fail(new AdminReplyError({ message: authReply.message, address, command: "AUTH" }))
    }
    return Effect.succeed(all.slice(1))
  })
}

const toAdminReply = (reply: RawReply, address: string, command: string): AdminReply => {
  if (reply instanceof RawErrorReply) throw new AdminReplyError({ message: reply.message, address, command })
  if (reply instanceof Uint8Array) return Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength).toString("utf8")
  if (Array.isArray(reply)) return reply.map((item: RawReply) => toAdminReply(item, address, command))
  return reply as string | number | null
}

/**
 * Converts a raw reply for tests, failing on (possibly nested) error replies.
 *
 * @since 0.1.0
 * @category conversions
 */
export const fromRaw = (
  reply: RawReply,
  address: string,
  command: string
): Effect.Effect<AdminReply, AdminReplyError> =>
  Effect.try({
    try: () => toAdminReply(reply, address, command),
    catch: (error) => error as AdminReplyError
  })

/**
 * Sends several commands on one connection (so e.g. `AUTH` then `ACL WHOAMI` observe the
 * same session) and fails on the first error reply.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pipeline = (
  target: AdminTarget,
  commands: ReadonlyArray<ReadonlyArray<string>>,
  options?: CommandOptions
): Effect.Effect<ReadonlyArray<AdminReply>, AdminError> =>
  Effect.flatMap(sendRaw(target, commands, options), (replies) =>
    Effect.forEach(replies, (reply, i) => fromRaw(reply, `${target.host}:${target.port}`, describe(commands[i]!)))
  )

/**
 * Sends one command and returns its reply; error replies fail with `AdminReplyError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const command = (
  target: AdminTarget,
  args: ReadonlyArray<string>,
  options?: CommandOptions
): Effect.Effect<AdminReply, AdminError> => Effect.map(pipeline(target, [args], options), (replies) => replies[0]!)
