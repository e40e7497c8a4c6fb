/**
 * What the `PubSub` service offers: subscriptions as scoped Streams, publishing, and the
 * server's view of subscriptions (combined over every node of a cluster).
 *
 * @since 0.1.0
 */
import type { CommandError } from "@effect-valkey/core"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { SubscribeError } from "./errors.ts"
import type { Message, SubscriptionKind } from "./Message.ts"
import type { SubscribeOptions } from "./PubSubOptions.ts"
import type { Subscription } from "./Subscription.ts"
import type { SubscriptionEvent } from "./SubscriptionEvent.ts"

/**
 * Subscribes when the stream starts and unsubscribes when it ends (taken enough, failed,
 * interrupted). Consumers of the same name share one server subscription; the last one to
 * leave unsubscribes. The stream starts once the server confirmed every name, and fails with
 * `SubscribeError` if it refused one or did not confirm within `subscribeTimeout`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Subscribe {
  (
    names: string | ReadonlyArray<string>,
    options?: SubscribeOptions & { readonly bytes?: false }
  ): Stream.Stream<Message<string>, SubscribeError>
  (
    names: string | ReadonlyArray<string>,
    options: SubscribeOptions & { readonly bytes: true }
  ): Stream.Stream<Message<Uint8Array>, SubscribeError>
}

/**
 * The same as a scoped `Subscription` (stream, `poll`, `take`, drop count), held until the
 * scope closes.
 *
 * @since 0.1.0
 * @category models
 */
export interface OpenSubscription {
  (
    kind: SubscriptionKind,
    names: string | ReadonlyArray<string>,
    options?: SubscribeOptions & { readonly bytes?: false }
  ): Effect.Effect<Subscription<string>, SubscribeError, Scope.Scope>
  (
    kind: SubscriptionKind,
    names: string | ReadonlyArray<string>,
    options: SubscribeOptions & { readonly bytes: true }
  ): Effect.Effect<Subscription<Uint8Array>, SubscribeError, Scope.Scope>
}

/**
 * What the `PubSub` service offers: subscriptions as Streams or scoped values, subscription
 * events, publishing, and the server's view of subscriptions.
 *
 * @since 0.1.0
 * @category models
 */
export interface PubSubService {
  /** SUBSCRIBE to channels. */
  readonly subscribe: Subscribe
  /** PSUBSCRIBE to glob-style patterns (`news.*`). */
  readonly psubscribe: Subscribe
  /** SSUBSCRIBE to sharded channels (Valkey 7+), served by the shard owning their slot. */
  readonly ssubscribe: Subscribe
  /** A subscription as a scoped value, for `poll`/`take` or several readers of one stream. */
  readonly subscription: OpenSubscription
  /** The static subscriptions of the layer (empty when none were configured). */
  readonly static: Subscription<string | Uint8Array>
  /**
   * What happens to server-side subscriptions: subscribed, lost, resubscribed, … A listener
   * hears the events from when it starts; one more than 1024 events behind loses the oldest.
   */
  readonly events: Stream.Stream<SubscriptionEvent>
  /** Messages dropped so far by every subscription's buffer, together. */
  readonly dropped: Effect.Effect<number>
  /**
   * PUBLISH (or SPUBLISH with `sharded`) on the client's command connection; in a cluster it
   * goes to the owner of the channel's slot. Gives the number of receivers the server counted.
   */
  publish(
    channel: string,
    message: string | Uint8Array,
    options?: { readonly sharded?: boolean }
  ): Effect.Effect<number, CommandError>
  /** Channels with subscribers (PUBSUB CHANNELS), over every node, sorted. */
  channels(pattern?: string): Effect.Effect<Array<string>, CommandError>
  /** Subscribers per channel (PUBSUB NUMSUB), summed over every node. */
  numsub(channels: ReadonlyArray<string>): Effect.Effect<Map<string, number>, CommandError>
  /** Pattern subscriptions (PUBSUB NUMPAT), summed over every node. */
  readonly numpat: Effect.Effect<number, CommandError>
  /** Sharded channels with subscribers (PUBSUB SHARDCHANNELS), over every node, sorted. */
  shardChannels(pattern?: string): Effect.Effect<Array<string>, CommandError>
  /** Subscribers per sharded channel (PUBSUB SHARDNUMSUB), summed over every node. */
  shardNumsub(channels: ReadonlyArray<string>): Effect.Effect<Map<string, number>, CommandError>
}
