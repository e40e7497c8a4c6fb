/**
 * What a subscriber receives: a message published to a channel it subscribed to, to a
 * channel matching one of its patterns, or to a sharded channel.
 *
 * @since 0.1.0
 */

/**
 * The three ways to subscribe: to channels (SUBSCRIBE), to glob-style patterns (PSUBSCRIBE)
 * and to sharded channels (SSUBSCRIBE, served by the shard owning the channel's slot).
 *
 * @since 0.1.0
 * @category models
 */
export type SubscriptionKind = "channel" | "pattern" | "sharded"

/**
 * A received message. `kind` says how it was subscribed: `"message"` for a channel,
 * `"pmessage"` for a pattern (then `pattern` is set), `"smessage"` for a sharded channel.
 * `payload` is a string (UTF-8) by default, or the exact bytes when asked for with
 * `{ bytes: true }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Message<P extends string | Uint8Array = string> {
  readonly kind: "message" | "pmessage" | "smessage"
  readonly channel: string
  readonly pattern?: string
  readonly payload: P
}

/**
 * The message kind each subscription kind receives.
 *
 * @since 0.1.0
 * @category models
 */
export const messageKind = {
  channel: "message",
  pattern: "pmessage",
  sharded: "smessage"
} as const satisfies Record<SubscriptionKind, Message["kind"]>
