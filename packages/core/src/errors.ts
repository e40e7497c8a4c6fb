/**
 * Every failure this client can produce, as a tagged error in the Effect error channel.
 * Secrets never appear in any of them: passwords travel as `Redacted` and are not copied here.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The socket could not be opened, or dropped while a request was in flight. A request that
 * fails with this may or may not have run on the server: it is never re-sent silently.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionError extends Schema.TaggedError<ConnectionError>()("ConnectionError", {
  message: Schema.String,
  address: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * No reply arrived within the request timeout (or the block timeout plus margin for blocking
 * commands). The connection stays usable: the late reply is read and dropped.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  message: Schema.String,
  command: Schema.String,
  timeoutMillis: Schema.Number
}) {}

/**
 * The connection already had `limit` requests waiting for replies. Nothing was queued or sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class InflightLimitError extends Schema.TaggedError<InflightLimitError>()("InflightLimitError", {
  message: Schema.String,
  command: Schema.String,
  limit: Schema.Number
}) {}

/**
 * The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`, `-NOPERM …`). `code` is
 * the first word of the reply, `command` the command name that caused it.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReplyError extends Schema.TaggedError<ReplyError>()("ReplyError", {
  message: Schema.String,
  code: Schema.String,
  command: Schema.String
}) {}

/**
 * The server refused the credentials (or the user lacks permission to authenticate).
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthError extends Schema.TaggedError<AuthError>()("AuthError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * The credentials provider (the `credentials` option) failed. Its own error is the `cause`;
 * the message names no secret. On a connect with no earlier credentials to fall back on, it
 * reaches callers as the `cause` of an `AuthError`.
 *
 * @since 0.2.0
 * @category errors
 */
export class CredentialsError extends Schema.TaggedError<CredentialsError>()("CredentialsError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * The bytes from the server are not valid RESP, or exceed a configured decoder limit. The
 * connection that saw it is closed and reconnected: its stream position is lost.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProtocolError extends Schema.TaggedError<ProtocolError>()("ProtocolError", {
  message: Schema.String
}) {}

/**
 * The client (or the dedicated connection) was closed by its owner.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClosedError extends Schema.TaggedError<ClosedError>()("ClosedError", {
  message: Schema.String
}) {}

/**
 * Invalid configuration or invalid arguments, found before anything was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  message: Schema.String,
  field: Schema.optional(Schema.String)
}) {}

/**
 * The reply did not match what the caller's decoder (for example a Schema) expects.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  message: Schema.String,
  command: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * Any error a command sent over a connection can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommandError =
  | AuthError
  | ConnectionError
  | CrossSlotError
  | MultiSlotError
  | RedirectError
  | UncoveredSlotsError
  | TimeoutError
  | InflightLimitError
  | ReplyError
  | ProtocolError
  | ClosedError
  | DecodeError
  | InvalidArgumentError

/**
 * A command was built with arguments the server would reject or that make no sense (an empty
 * key list, a NaN score, conflicting options). Found before anything was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgumentError extends Schema.TaggedError<InvalidArgumentError>()("InvalidArgumentError", {
  message: Schema.String,
  command: Schema.String
}) {}

/**
 * A MULTI/EXEC transaction did not run: a WATCHed key changed (`reason: "watch"`, EXEC
 * answered nil), or the server refused it (`reason: "aborted"`, EXECABORT after a command
 * failed to queue). Nothing of it was applied.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransactionAbortedError extends Schema.TaggedError<TransactionAbortedError>()("TransactionAbortedError", {
  message: Schema.String,
  reason: Schema.Literals(["watch", "aborted"])
}) {}

/**
 * A command whose keys must share a slot (MSETNX, SUNIONSTORE, RENAME, an atomic batch) was
 * given keys in several slots. Found in cluster mode before anything was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class CrossSlotError extends Schema.TaggedError<CrossSlotError>()("CrossSlotError", {
  message: Schema.String,
  command: Schema.String
}) {}

/**
 * One part of a command split by slot: its slot, its keys (in the caller's order) and what
 * happened to it.
 *
 * @since 0.1.0
 * @category models
 */
export const MultiSlotPart = Schema.Struct({
  slot: Schema.Number,
  keys: Schema.Array(Schema.String),
  /** Where each key of the part stands in the caller's key list (exact even for binary keys). */
  positions: Schema.optional(Schema.Array(Schema.Number)),
  outcome: Schema.Literals(["success", "failure"]),
  value: Schema.optional(Schema.Unknown),
  error: Schema.optional(Schema.Defect())
})

/**
 * A multi-key command (MSET, MGET, DEL, …) split by slot in a cluster, where at least one
 * part failed. `parts` holds every part, succeeded or not, so a caller can see exactly which
 * keys were applied.
 *
 * @since 0.1.0
 * @category errors
 */
export class MultiSlotError extends Schema.TaggedError<MultiSlotError>()("MultiSlotError", {
  message: Schema.String,
  command: Schema.String,
  parts: Schema.Array(MultiSlotPart)
}) {}

/**
 * A command was redirected (MOVED, ASK) or told to retry (TRYAGAIN, CLUSTERDOWN) more times
 * than the limit allows.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedirectError extends Schema.TaggedError<RedirectError>()("RedirectError", {
  message: Schema.String,
  command: Schema.String,
  redirects: Schema.Number
}) {}

/**
 * Some of the cluster's 16384 slots have no owner (the cluster is down or being reshaped),
 * so a command for them, or a scan meant to cover them, cannot be served.
 *
 * @since 0.1.0
 * @category errors
 */
export class UncoveredSlotsError extends Schema.TaggedError<UncoveredSlotsError>()("UncoveredSlotsError", {
  message: Schema.String,
  slots: Schema.Number
}) {}
