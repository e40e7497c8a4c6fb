/**
 * The commands a connection sends before any user command, on every (re)connect, and how
 * their replies are judged: HELLO (or AUTH + CLIENT SETNAME on RESP2), SELECT, CLIENT SETINFO.
 *
 * @since 0.1.0
 * @internal
 */
import * as Redacted from "effect/Redacted"
import * as Session from "../commands/session.ts"
import { AuthError, ConnectionError } from "../errors.ts"
import { type RespArg, RespError, type RespValue } from "../resp/types.ts"
import type { ConnectionOptions } from "./ConnectionOptions.ts"

export const LIB_NAME = "effect-valkey"
export const LIB_VERSION = "0.1.0"

export interface HandshakeStep {
  readonly args: ReadonlyArray<RespArg>
  /** Failure of this step fails the connect; otherwise its error is ignored (SETINFO). */
  readonly required: boolean
  readonly auth: boolean
}

const credentials = (options: ConnectionOptions): readonly [username: string, password: string] | undefined => {
  const { username, password } = options.credentials
  return password === undefined ? undefined : [username ?? "default", Redacted.value(password)]
}

/** The handshake for `protocol`; RESP2 is also the fallback when HELLO 3 is not known. */
export const steps = (options: ConnectionOptions, protocol: 2 | 3): Array<HandshakeStep> => {
  const out: Array<HandshakeStep> = []
  const auth = credentials(options)
  if (protocol === 3) {
    out.push({ args: Session.hello(3, { auth, clientName: options.clientName }).args, required: true, auth: true })
  } else {
    if (auth !== undefined) out.push({ args: Session.auth(...auth).args, required: true, auth: true })
    if (options.clientName !== undefined) {
      out.push({ args: Session.clientSetName(options.clientName).args, required: true, auth: false })
    }
  }
  if (options.database !== 0) out.push({ args: Session.select(options.database).args, required: true, auth: false })
  if (options.readOnly === true) out.push({ args: Session.readonly.args, required: true, auth: false })
  out.push({ args: Session.clientSetInfo("LIB-NAME", LIB_NAME).args, required: false, auth: false })
  out.push({ args: Session.clientSetInfo("LIB-VER", LIB_VERSION).args, required: false, auth: false })
  return out
}

const AUTH_CODES = new Set(["WRONGPASS", "NOAUTH", "NOPERM"])

/** True when the server refused a required handshake step (a SELECT it does not allow, …). */
export const refused = (error: ConnectionError | AuthError): boolean =>
  error._tag === "ConnectionError" && error.cause instanceof RespError

/** True when HELLO 3 was refused because the server does not speak RESP3. */
export const helloUnsupported = (reply: RespValue): boolean =>
  reply instanceof RespError && (reply.code === "NOPROTO" || /unknown command/i.test(reply.message))

/**
 * Checks the replies: the first failed required step ends the connect, as an `AuthError`
 * when it was the credential step, else a `ConnectionError` naming the command.
 */
export const judge = (
  list: ReadonlyArray<HandshakeStep>,
  replies: ReadonlyArray<RespValue>,
  address: string
): AuthError | ConnectionError | undefined => {
  for (let i = 0; i < list.length; i++) {
    const step = list[i]!
    const reply = replies[i]
    if (!(reply instanceof RespError) || !step.required) continue
    if (step.auth && (AUTH_CODES.has(reply.code) || /auth|password/i.test(reply.message))) {
      return new AuthError({ message: `authentication to ${address} failed: ${reply.message}` })
    }
    // The server's refusal is the cause: waiting will not change it (see `refused`).
    return new ConnectionError({
      message: `${String(step.args[0])} during the handshake with ${address} failed: ${reply.message}`,
      address,
      cause: reply
    })
  }
  return undefined
}
