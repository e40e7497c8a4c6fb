/**
 * A subscription held for the life of a scope: its messages as a `Stream`, or pulled one at a
 * time with `poll` (never waits) and `take` (waits), and how many of its messages were
 * dropped by its buffer strategy. All read the same buffer: use one of them per subscription.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import type { SubscribeError } from "./errors.ts"
import type { Message } from "./Message.ts"

/**
 * A subscription held for the life of a scope, read as a Stream or pulled with `poll`/`take`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Subscription<P extends string | Uint8Array = string> {
  /**
   * The messages. The stream ends when the subscription's scope closes, and fails with a
   * `SubscribeError` (`"closed"`) if the `PubSub` service closes first.
   */
  readonly messages: Stream.Stream<Message<P>, SubscribeError>
  /** The next buffered message, if there is one. */
  readonly poll: Effect.Effect<Option.Option<Message<P>>>
  /** The next message, waiting for one; fails with `SubscribeError` once the scope closed. */
  readonly take: Effect.Effect<Message<P>, SubscribeError>
  /** Messages dropped so far because the buffer was full (`"dropping"`, `"sliding"`). */
  readonly dropped: Effect.Effect<number>
}
