/**
 * The settings of the `PubSub` service, and the static subscriptions made when its layer is
 * built.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { BufferOptions } from "./Backpressure.ts"
import type { Message } from "./Message.ts"

/**
 * Options of one subscription: its buffer, and `bytes: true` for payloads as `Uint8Array`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscribeOptions extends BufferOptions {
  readonly bytes?: boolean
}

/**
 * Subscriptions made when the layer is built and held as long as it lives (the GLIDE
 * model). Read them through `PubSub.static` (`messages`, `poll`, `take`), or give
 * `callback`, which then receives every message, one at a time, in a fiber of the layer.
 * With `bytes: true` payloads are `Uint8Array`, otherwise strings.
 *
 * @since 0.1.0
 * @category models
 */
export interface StaticSubscriptions extends SubscribeOptions {
  readonly channels?: ReadonlyArray<string>
  readonly patterns?: ReadonlyArray<string>
  readonly sharded?: ReadonlyArray<string>
  readonly callback?: (message: Message<string | Uint8Array>) => Effect.Effect<void>
}

/**
 * Options of the `PubSub` layers: buffers, how often subscriptions are repaired, how long a
 * subscription may wait for its confirmation, and subscriptions held for the layer's life.
 *
 * @since 0.1.0
 * @category models
 */
export interface PubSubOptions {
  /** The buffer of every subscription that does not set its own (see `Backpressure`). */
  readonly buffer?: BufferOptions
  /** How often desired and confirmed subscriptions are compared and repaired (default 5 s). */
  readonly reconcileInterval?: Duration.Input
  /** How long a new subscription may wait for the server's confirmation (default 10 s). */
  readonly subscribeTimeout?: Duration.Input
  readonly subscriptions?: StaticSubscriptions
}

/**
 * The defaults of `reconcileInterval` (5 seconds) and `subscribeTimeout` (10 seconds).
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaults = { reconcileInterval: "5 seconds", subscribeTimeout: "10 seconds" } as const
