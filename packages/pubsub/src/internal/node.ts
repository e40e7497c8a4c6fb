/**
 * A subscriber connection to one node: what it has confirmed, the commands it wrote that
 * still wait for their confirmation, and how many consumers asked it to stop reading.
 */
import type { Connection } from "@effect-valkey/core/internal"
import type * as Scope from "effect/Scope"
import type { SubscriptionKind } from "../Message.ts"
import type { Pausable } from "./consumer.ts"
import { command } from "./frames.ts"
import type { Node } from "./placement.ts"

/** A (P|S)(UN)SUBSCRIBE written and not yet confirmed. */
interface Written {
  readonly kind: SubscriptionKind
  readonly name: string
  readonly subscribe: boolean
}

/** The key of a subscription in every map: kind and name. */
export const keyOf = (kind: SubscriptionKind, name: string): string => `${kind}\u0000${name}`

export class SubscriberNode implements Pausable {
  readonly address: string
  readonly target: Node
  readonly connection: Connection.Connection
  readonly scope: Scope.Closeable
  /** Subscriptions the server confirmed on this connection (by `keyOf`). */
  readonly confirmed = new Set<string>()
  /** Commands written, oldest first, each waiting for its one confirmation or error. */
  written: Array<Written> = []
  /** The connection was lost and has not come back: the node may be down. */
  lost = false
  private pauses = 0

  constructor(target: Node, connection: Connection.Connection, scope: Scope.Closeable) {
    this.target = target
    this.address = target.address
    this.connection = connection
    this.scope = scope
  }

  /** Writes one command now if the connection is ready; false means it was not written. */
  write(kind: SubscriptionKind, name: string, subscribe: boolean): boolean {
    if (!this.connection.writeUnanswered([command(kind, subscribe, name)])) return false
    this.written.push({ kind, name, subscribe })
    return true
  }

  /** Whether a command for the subscription is written and unconfirmed. */
  isWritten(kind: SubscriptionKind, name: string, subscribe: boolean): boolean {
    return this.written.some((w) => w.kind === kind && w.name === name && w.subscribe === subscribe)
  }

  /** Removes the oldest written command matching the confirmation; false if none does. */
  confirm(kind: SubscriptionKind, name: string, subscribe: boolean): boolean {
    const i = this.written.findIndex((w) => w.kind === kind && w.name === name && w.subscribe === subscribe)
    if (i === -1) return false
    this.written.splice(i, 1)
    return true
  }

  /** The connection was lost: the server forgot everything. */
  reset(): void {
    this.confirmed.clear()
    this.written = []
  }

  readonly pause = (): void => {
    if (this.pauses++ === 0) this.connection.pauseReading(true)
  }

  readonly resume = (): void => {
    if (this.pauses > 0 && --this.pauses === 0) this.connection.pauseReading(false)
  }

  /** A new socket reads from the start: pause it again if consumers still wait. */
  reapplyPause(): void {
    if (this.pauses > 0) this.connection.pauseReading(true)
  }
}
