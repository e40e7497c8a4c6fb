/**
 * What happens when a consumer falls behind. Every consumer of a subscription has a bounded
 * buffer of `capacity` messages; when it is full:
 *
 * - `"suspend"` (the default): nothing is dropped. The client stops reading the subscriber
 *   connection the message came on until the consumer has room for what waits. This is
 *   lossless and bounded in memory, but it stalls every consumer whose subscriptions share
 *   that connection (one per node), and while the client does not read, the server buffers the
 *   messages up to its `client-output-buffer-limit pubsub`; past it, the server drops the
 *   connection, which shows as `Lost`/`Resubscribed` events. Pick it when every message
 *   matters and consumers keep up on average.
 * - `"dropping"`: the newest message (the one that does not fit) is dropped.
 * - `"sliding"`: the oldest buffered message is dropped to make room.
 *
 * Drops are counted: `Subscription.dropped` per consumer, `PubSub.dropped` in total.
 *
 * @since 0.1.0
 */

/**
 * What happens when a consumer's buffer is full; see the module documentation.
 *
 * @since 0.1.0
 * @category models
 */
export type Strategy = "suspend" | "dropping" | "sliding"

/**
 * The buffer of one consumer: how many messages it holds, and what happens when it is full.
 *
 * @since 0.1.0
 * @category models
 */
export interface BufferOptions {
  /** Messages a consumer may have waiting (default 1024). */
  readonly capacity?: number
  /** Default `"suspend"`. */
  readonly strategy?: Strategy
}

/**
 * The defaults: 1024 messages, `"suspend"`.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaults = { capacity: 1024, strategy: "suspend" } as const satisfies Required<BufferOptions>
