/**
 * The subscriptions consumers want, reference counted: the source of truth the engine makes
 * the servers match. Each entry knows its consumers, the node assigned to serve it, and who
 * waits for its first confirmation.
 */
import * as Effect from "effect/Effect"
import type { SubscriptionKind } from "../Message.ts"
import type { Receiver } from "./consumer.ts"
import { keyOf, type SubscriberNode } from "./node.ts"

/** Why a subscription could not be established, told to the consumers waiting for it. */
export interface Refusal {
  readonly reason: "refused" | "closed"
  readonly message: string
}

/** One desired subscription and the consumers holding it. */
export interface Entry {
  readonly kind: SubscriptionKind
  readonly name: string
  readonly key: string
  readonly consumers: Set<Receiver>
  /** The node serving it (or being asked to), undefined while no node can. */
  node: SubscriberNode | undefined
  /** Confirmed at least once: later confirmations are resubscriptions. */
  established: boolean
  /**
   * Subscribed on a server now: false until the first confirmation, and again from a loss
   * (or a refusal) until the next one. A consumer that joins meanwhile waits for it.
   */
  confirmed: boolean
  /** Consumers waiting for the next confirmation. */
  waiters: Array<(refusal: Refusal | undefined) => void>
}

export class Registry {
  readonly desired = new Map<string, Entry>()
  /** The same entries by kind, then name: the per-message lookup, without building a key. */
  private readonly byName: Record<SubscriptionKind, Map<string, Entry>> = {
    channel: new Map(),
    pattern: new Map(),
    sharded: new Map()
  }

  get(key: string): Entry | undefined {
    return this.desired.get(key)
  }

  find(kind: SubscriptionKind, name: string): Entry | undefined {
    return this.byName[kind].get(name)
  }

  /** Whether `entry` is still the wanted one for its key (it may have been released). */
  isWanted(entry: Entry): boolean {
    return this.desired.get(entry.key) === entry
  }

  /** Adds a consumer to the subscriptions; gives its entries, and those that are new. */
  add(
    kind: SubscriptionKind,
    names: ReadonlyArray<string>,
    consumer: Receiver
  ): { readonly entries: Array<Entry>; readonly created: Array<Entry> } {
    const entries: Array<Entry> = []
    const created: Array<Entry> = []
    for (const name of names) {
      const key = keyOf(kind, name)
      let entry = this.desired.get(key)
      if (entry === undefined) {
        entry = {
          kind,
          name,
          key,
          consumers: new Set(),
          node: undefined,
          established: false,
          confirmed: false,
          waiters: []
        }
        this.desired.set(key, entry)
        this.byName[kind].set(name, entry)
        created.push(entry)
      }
      entry.consumers.add(consumer)
      entries.push(entry)
    }
    return { entries, created }
  }

  /** Removes a consumer; gives the entries nobody holds any more (no longer wanted). */
  remove(kind: SubscriptionKind, names: ReadonlyArray<string>, consumer: Receiver): Array<Entry> {
    const released: Array<Entry> = []
    for (const name of names) {
      const entry = this.desired.get(keyOf(kind, name))
      if (entry === undefined || !entry.consumers.delete(consumer) || entry.consumers.size > 0) continue
      this.desired.delete(entry.key)
      this.byName[kind].delete(name)
      released.push(entry)
    }
    return released
  }

  /**
   * Waits until every entry is subscribed on a server (`confirmed`), so that a message
   * published from then on reaches the consumer; the first refusal wins, with its entry.
   */
  awaitConfirmed(
    entries: ReadonlyArray<Entry>
  ): Effect.Effect<{ readonly refusal: Refusal; readonly entry: Entry } | undefined> {
    const waiting = entries.filter((e) => !e.confirmed)
    if (waiting.length === 0) return Effect.succeed(undefined)
    return Effect.callback((resume) => {
      let remaining = waiting.length
      for (const entry of waiting) {
        entry.waiters.push((refusal) => {
          if (refusal !== undefined) resume(Effect.succeed({ refusal, entry }))
          else if (--remaining === 0) resume(Effect.succeed(undefined))
        })
      }
    })
  }

  /** Tells everyone waiting for `entry` how it went. */
  settle(entry: Entry, refusal: Refusal | undefined): void {
    for (const waiter of entry.waiters.splice(0)) waiter(refusal)
  }

  /** Whether some entry is assigned to `node`. */
  uses(node: SubscriberNode): boolean {
    for (const entry of this.desired.values()) if (entry.node === node) return true
    return false
  }
}
