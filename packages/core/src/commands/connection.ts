/**
 * Connection commands that are safe on a shared connection: PING, ECHO, CLIENT ID/GETNAME.
 * (SELECT, AUTH and CLIENT SETNAME change connection state and are part of the client's
 * configuration instead, so one caller cannot change them under another.)
 *
 * @since 0.1.0
 */
import type { Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

/**
 * PING [message]: "PONG", or the message.
 *
 * @since 0.1.0
 * @category connection
 */
export const ping = (message?: Value): Command.Command<string> =>
  Command.make(message === undefined ? ["PING"] : ["PING", message], Reply.string, {
    request: "all_nodes",
    response: "all_succeeded"
  })

/**
 * ECHO message.
 *
 * @since 0.1.0
 * @category connection
 */
export const echo = (message: Value): Command.Command<string> => Command.make(["ECHO", message], Reply.string)

/**
 * CLIENT ID: the id of the connection that served the call.
 *
 * @since 0.1.0
 * @category connection
 */
export const clientId = (): Command.Command<number> => Command.make(["CLIENT", "ID"], Reply.integer)

/**
 * CLIENT GETNAME: the name of the connection that served the call, or null.
 *
 * @since 0.1.0
 * @category connection
 */
export const clientGetName = (): Command.Command<string | null> =>
  Command.make(["CLIENT", "GETNAME"], Reply.nullableString)
