/**
 * The failures of pub/sub, as tagged errors in the Effect error channel.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A subscription could not be established: the server refused it (`"refused"`, for example
 * `NOPERM` from an ACL), it was not confirmed within `subscribeTimeout` (`"timeout"`), the
 * `PubSub` service or the subscription was closed (`"closed"`), or its options are invalid
 * (`"invalid"`). `kind` and `name` say which subscription.
 *
 * @since 0.1.0
 * @category errors
 */
export class SubscribeError extends Schema.TaggedError<SubscribeError>()("SubscribeError", {
  message: Schema.String,
  kind: Schema.Literals(["channel", "pattern", "sharded"]),
  name: Schema.String,
  reason: Schema.Literals(["refused", "timeout", "closed", "invalid"])
}) {}
