/**
 * `@effect-valkey/pubsub`: Valkey pub/sub for Effect. Subscriptions are scoped Streams,
 * shared between consumers, re-established after reconnects, failovers and slot migrations,
 * with declared backpressure and a stream of subscription events.
 *
 * @since 0.1.0
 */

/**
 * Buffer strategies of consumers and their defaults.
 *
 * @since 0.1.0
 */
export * as Backpressure from "./Backpressure.ts"
/**
 * @since 0.1.0
 */
export * from "./errors.ts"
/**
 * @since 0.1.0
 */
export { type Message, messageKind, type SubscriptionKind } from "./Message.ts"
/**
 * The `PubSub` service (`PubSub.PubSub`), its layer (`PubSub.layer`) and `make`.
 *
 * @since 0.1.0
 */
export * as PubSub from "./PubSub.ts"
/**
 * @since 0.1.0
 */
export type { StaticSubscriptions, SubscribeOptions } from "./PubSubOptions.ts"
/**
 * The service's settings, static subscriptions, and their defaults.
 *
 * @since 0.1.0
 */
export * as PubSubOptions from "./PubSubOptions.ts"
/**
 * @since 0.1.0
 */
export type { OpenSubscription, PubSubService, Subscribe } from "./PubSubService.ts"
/**
 * @since 0.1.0
 */
export type { Subscription } from "./Subscription.ts"
/**
 * @since 0.1.0
 */
export type { SubscriptionEvent } from "./SubscriptionEvent.ts"
