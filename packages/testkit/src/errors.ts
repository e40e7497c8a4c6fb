/**
 * Typed failures of the testkit. Every operation that can go wrong (spawning a server,
 * generating certificates, talking to a node, waiting for a cluster to converge) fails
 * with one of these tagged errors, so a broken test environment shows up as a readable
 * typed failure instead of a hang or an uncaught exception.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Creating the temp directory, writing the config or running `openssl` failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class SetupError extends Schema.TaggedError<SetupError>()("SetupError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * `valkey-server` could not be spawned, exited early, or did not answer PING in time.
 * `log` holds the last lines the server printed, which usually name the reason.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerStartError extends Schema.TaggedError<ServerStartError>()("ServerStartError", {
  message: Schema.String,
  port: Schema.Number,
  log: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * An admin command could not get a reply: connection refused, TLS handshake failure,
 * connection closed, protocol error or timeout. `code` is the Node error code when there
 * is one (e.g. `ECONNREFUSED`), or `TIMEOUT`.
 *
 * @since 0.1.0
 * @category errors
 */
export class AdminConnectionError extends Schema.TaggedError<AdminConnectionError>()("AdminConnectionError", {
  message: Schema.String,
  address: Schema.String,
  command: Schema.String,
  code: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * The server answered an admin command with an error reply (`-ERR ...`, `-WRONGPASS ...`).
 *
 * @since 0.1.0
 * @category errors
 */
export class AdminReplyError extends Schema.TaggedError<AdminReplyError>()("AdminReplyError", {
  message: Schema.String,
  address: Schema.String,
  command: Schema.String
}) {}

/**
 * A bounded wait gave up: `what` names the condition that did not hold before the
 * deadline and `observed` the last state seen, so a flaky environment is diagnosable.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConvergenceError extends Schema.TaggedError<ConvergenceError>()("ConvergenceError", {
  message: Schema.String,
  what: Schema.String,
  observed: Schema.String
}) {}

/**
 * An operation was asked of a node in a state that does not allow it (e.g. `resume` of a
 * node that is not paused, `failover` of a primary without replicas).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidStateError extends Schema.TaggedError<InvalidStateError>()("InvalidStateError", {
  message: Schema.String
}) {}

/**
 * Errors of talking to a node with the admin client.
 *
 * @since 0.1.0
 * @category errors
 */
export type AdminError = AdminConnectionError | AdminReplyError

/**
 * Every failure the testkit can produce.
 *
 * @since 0.1.0
 * @category errors
 */
export type TestkitError =
  | SetupError
  | ServerStartError
  | AdminConnectionError
  | AdminReplyError
  | ConvergenceError
  | InvalidStateError
