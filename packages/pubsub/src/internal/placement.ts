/**
 * Where subscriptions live: the one server of a standalone client, or, in a cluster, the
 * primary owning the slot of the channel (of the pattern string, for a pattern).
 */
import type { Connection } from "@effect-valkey/core/internal"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { SubscriptionKind } from "../Message.ts"

/** A node: where it listens, and its `host:port` (the key of its connection). */
export interface Node {
  readonly host: string
  readonly port: number
  readonly address: string
}

export interface Placement {
  /**
   * The node that should serve a subscription now, or undefined if none can. `down` tells
   * the nodes whose subscriber connection was lost and is not back: a subscription any node
   * can serve (non-sharded, in a cluster) goes elsewhere rather than wait for them.
   */
  readonly nodeFor: (kind: SubscriptionKind, name: string, down: (address: string) => boolean) => Node | undefined
  /** A lazy connection to a node (it connects on its first write), closed with the scope. */
  readonly connect: (node: Node) => Effect.Effect<Connection.Connection, never, Scope.Scope>
  /** Brings the view of the cluster up to date (nothing to do for one server). */
  readonly refresh: Effect.Effect<void>
  /**
   * Whether `address` is still a node of the deployment that may serve (absent: always). A
   * lost connection to one that is not (forgotten by the cluster, flagged failed and owning no
   * slots, a former Sentinel primary) is closed once nothing is placed on it, instead of
   * reconnecting for ever.
   */
  readonly known?: (address: string) => boolean
  /** A subscriber connection to `address` was lost (a cluster then refreshes its topology promptly). */
  readonly lost?: (address: string) => void
  /**
   * Calls `onChange` whenever subscriptions may belong elsewhere now (a Sentinel failover),
   * so they move at once instead of at the next periodic reconcile.
   */
  readonly watch?: (onChange: () => void) => Effect.Effect<void, never, Scope.Scope>
}
