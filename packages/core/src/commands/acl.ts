/**
 * Access control: ACL WHOAMI/LIST/USERS/GETUSER/SETUSER/DELUSER/CAT/DRYRUN/GENPASS/LOG.
 *
 * @since 0.2.0
 */
import { badInteger, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

const ALL_NODES_OK: Command.CommandOptions = { request: "all_nodes", response: "all_succeeded" }
const READ: Command.CommandOptions = { readonly: true }
const strings = Reply.array(Reply.string)

/**
 * ACL WHOAMI: the user of the connection that served the call.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclWhoami = (): Command.Command<string> => Command.make(["ACL", "WHOAMI"], Reply.string, READ)

/**
 * ACL LIST: every user as an ACL rule line (`user default on nopass ~* &* +@all`).
 *
 * @since 0.1.0
 * @category acl
 */
export const aclList = (): Command.Command<Array<string>> => Command.make(["ACL", "LIST"], strings, READ)

/**
 * ACL USERS: the user names.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclUsers = (): Command.Command<Array<string>> => Command.make(["ACL", "USERS"], strings, READ)

/**
 * A user as ACL GETUSER describes it: flags (`on`, `nopass`, …), password hashes, and its
 * command, key, channel and (Valkey 9+) database rules; `selectors` are the extra rule sets,
 * each as `{ commands, keys, channels }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AclUser {
  readonly flags: Array<string>
  readonly passwords: Array<string>
  readonly commands: string
  readonly keys: string
  readonly channels: string
  /** The databases the user may select (`alldbs`, or `db=0 db=3 …`); null before Valkey 9.0. */
  readonly databases: string | null
  readonly selectors: Array<Record<string, string>>
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const aclUser: Command.Decoder<AclUser | null> = Reply.nullable(
  Reply.struct({
    flags: ["flags", strings],
    passwords: ["passwords", strings],
    commands: ["commands", Reply.string],
    keys: ["keys", Reply.string],
    channels: ["channels", Reply.string],
    databases: ["databases", Reply.nullableString],
    selectors: ["selectors", Reply.array(Reply.record(Reply.string))]
  })
)

/**
 * ACL GETUSER username: the user's rules, or null when there is no such user.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclGetUser = (username: string): Command.Command<AclUser | null> =>
  Command.make(["ACL", "GETUSER", username], aclUser, READ)

/**
 * ACL SETUSER username [rule …]: creates or changes a user (`["on", ">secret", "~app:*",
 * "+@read"]`).
 *
 * @since 0.1.0
 * @category acl
 */
export const aclSetUser = (username: string, rules: ReadonlyArray<string> = []): Command.Command<"OK"> =>
  Command.make(["ACL", "SETUSER", username, ...rules], Reply.ok, ALL_NODES_OK)

/**
 * ACL DELUSER username [username …]: how many users were deleted.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclDelUser = (usernames: ReadonlyArray<string>): Command.Command<number> =>
  usernames.length === 0
    ? Command.invalid("ACL", "ACL DELUSER needs at least one user")
    : Command.make(["ACL", "DELUSER", ...usernames], Reply.integer, {
        request: "all_nodes",
        response: "all_succeeded"
      })

/**
 * ACL CAT [category]: the command categories, or the commands in `category`.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclCat = (category?: string): Command.Command<Array<string>> =>
  Command.make(category === undefined ? ["ACL", "CAT"] : ["ACL", "CAT", category], strings, READ)

/**
 * ACL DRYRUN username command [arg …]: `OK` when the user may run the command, otherwise the
 * reason it may not.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclDryRun = (username: string, command: ReadonlyArray<Key | Value>): Command.Command<string> =>
  command.length === 0
    ? Command.invalid("ACL", "ACL DRYRUN needs a command")
    : Command.make(["ACL", "DRYRUN", username, ...command], Reply.string, READ)

/**
 * ACL GENPASS [bits]: a random password of `bits` bits (default 256) as hex.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclGenPass = (bits?: number): Command.Command<string> => {
  if (bits === undefined) return Command.make(["ACL", "GENPASS"], Reply.string, READ)
  const bad = badInteger(bits, "bits", 1)
  return bad !== undefined
    ? Command.invalid("ACL", `ACL GENPASS: ${bad}`)
    : Command.make(["ACL", "GENPASS", bits], Reply.string, READ)
}

/**
 * An entry of the ACL log: a denied command, key, channel or authentication.
 *
 * @since 0.1.0
 * @category models
 */
export interface AclLogEntry {
  readonly count: number
  /** `command`, `key`, `channel` or `auth`. */
  readonly reason: string
  /** `toplevel`, `multi`, `lua` or `module`. */
  readonly context: string
  readonly object: string
  readonly username: string
  readonly ageSeconds: number
  readonly clientInfo: string
  readonly entryId: number
  readonly timestampCreated: number
  readonly timestampLastUpdated: number
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const aclLogReply = Reply.array(
  Reply.struct({
    count: ["count", Reply.integer],
    reason: ["reason", Reply.string],
    context: ["context", Reply.string],
    object: ["object", Reply.string],
    username: ["username", Reply.string],
    ageSeconds: ["age-seconds", Reply.double],
    clientInfo: ["client-info", Reply.string],
    entryId: ["entry-id", Reply.integer],
    timestampCreated: ["timestamp-created", Reply.integer],
    timestampLastUpdated: ["timestamp-last-updated", Reply.integer]
  })
)

/**
 * ACL LOG [count]: the latest security events (at most `count`, default 10), newest first.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclLog = (count?: number): Command.Command<Array<AclLogEntry>> => {
  if (count === undefined) return Command.make(["ACL", "LOG"], aclLogReply, READ)
  const bad = badInteger(count, "count", 0)
  return bad !== undefined
    ? Command.invalid("ACL", `ACL LOG: ${bad}`)
    : Command.make(["ACL", "LOG", count], aclLogReply, READ)
}

/**
 * ACL LOG RESET: empties the ACL log.
 *
 * @since 0.1.0
 * @category acl
 */
export const aclLogReset = (): Command.Command<"OK"> => Command.make(["ACL", "LOG", "RESET"], Reply.ok)
