/**
 * What happens to server-side subscriptions, as a stream of events (`PubSub.events`): loss is
 * never silent. Messages published while a subscription is `Lost` are not delivered.
 *
 * @since 0.1.0
 */
import type { SubscriptionKind } from "./Message.ts"

/**
 * - `Subscribed`: the server confirmed a new subscription on `node`.
 * - `Lost`: the subscription is gone from `node` (connection lost, slot moved away, node
 *   left the cluster); the client is re-establishing it.
 * - `Resubscribed`: a lost or moved subscription is confirmed again, on `node`.
 * - `Unsubscribed`: the last consumer left and the server confirmed the UNSUBSCRIBE.
 * - `Refused`: the server refused the subscription (`message` says why).
 *
 * `node` is the `host:port` of the server.
 *
 * @since 0.1.0
 * @category models
 */
export type SubscriptionEvent =
  | { readonly _tag: "Subscribed"; readonly kind: SubscriptionKind; readonly name: string; readonly node: string }
  | { readonly _tag: "Lost"; readonly kind: SubscriptionKind; readonly name: string; readonly node: string }
  | { readonly _tag: "Resubscribed"; readonly kind: SubscriptionKind; readonly name: string; readonly node: string }
  | { readonly _tag: "Unsubscribed"; readonly kind: SubscriptionKind; readonly name: string; readonly node: string }
  | {
      readonly _tag: "Refused"
      readonly kind: SubscriptionKind
      readonly name: string
      readonly node: string
      readonly message: string
    }
