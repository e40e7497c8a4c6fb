/**
 * The subscription engine. The subscriptions consumers want (`desired`, reference counted)
 * are the source of truth; each is assigned to the node that should serve it, and what each
 * node's server confirmed is tracked apart. Frames, connection losses and reconnects update
 * the confirmed side; `reconcile` (run periodically and whenever something moved) makes the
 * servers match the desired side again: resubscribing what was lost, moving what now belongs
 * elsewhere, unsubscribing leftovers.
 */
import type { AuthError, Credentials, RespValue } from "@effect-valkey/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import type { SubscribeError } from "../errors.ts"
import type { Message, SubscriptionKind } from "../Message.ts"
import type { SubscriptionEvent } from "../SubscriptionEvent.ts"
import type { Receiver } from "./consumer.ts"
import { type Confirmation, parse, type RawMessage } from "./frames.ts"
import { keyOf, SubscriberNode } from "./node.ts"
import type { Node, Placement } from "./placement.ts"
import { type Entry, Registry } from "./registry.ts"

const REDIRECTS = ["MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN"]

type RunFork = <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>

export class Engine {
  readonly registry = new Registry()
  readonly nodes = new Map<string, SubscriberNode>()
  /** Nodes replaced by a new connection to the same server, kept until it took over. */
  private readonly retired = new Set<SubscriberNode>()
  private readonly placement: Placement
  private readonly scope: Scope.Scope
  private readonly runFork: RunFork
  private readonly publishEvent: (event: SubscriptionEvent) => void
  private readonly lock = Semaphore.makeUnsafe(1)
  private requested = false
  closed = false
  /** Consumers that want payloads as bytes; while there are none, frames are read as text. */
  bytesConsumers = 0
  /** The messages of the read in progress, with their entries, until `flush`. */
  private held: Array<RawMessage> = []
  private heldFor: Array<Entry> = []
  private heldFrom: SubscriberNode | undefined = undefined

  constructor(
    placement: Placement,
    scope: Scope.Scope,
    runFork: RunFork,
    publishEvent: (event: SubscriptionEvent) => void
  ) {
    this.placement = placement
    this.scope = scope
    this.runFork = runFork
    this.publishEvent = publishEvent
  }

  /** Releases a consumer; what nobody holds any more is unsubscribed at once. */
  remove(kind: SubscriptionKind, names: ReadonlyArray<string>, consumer: Receiver): void {
    for (const entry of this.registry.remove(kind, names, consumer)) {
      const node = entry.node
      if (node !== undefined && (node.confirmed.has(entry.key) || node.isWritten(kind, entry.name, true))) {
        node.write(kind, entry.name, false)
      }
    }
  }

  // --- placing subscriptions ----------------------------------------------------------------

  /** Makes every desired subscription served where it belongs (serialized). */
  readonly reconcile: Effect.Effect<void> = this.lock.withPermits(1)(
    Effect.suspend(() =>
      this.registry.desired.size === 0 && this.nodes.size === 0
        ? Effect.void
        : Effect.andThen(this.placement.refresh, this.place)
    )
  )

  /** Places the given entries without refreshing the topology (new subscriptions). */
  placeEntries(entries: ReadonlyArray<Entry>): Effect.Effect<void> {
    return this.lock.withPermits(1)(Effect.forEach(entries, (entry) => this.placeOne(entry), { discard: true }))
  }

  private readonly place: Effect.Effect<void> = Effect.suspend(() =>
    Effect.forEach([...this.registry.desired.values()], (entry) => this.placeOne(entry), { discard: true }).pipe(
      Effect.andThen(this.cleanUp)
    )
  )

  private placeOne(entry: Entry): Effect.Effect<void> {
    if (!this.registry.isWanted(entry)) return Effect.void
    const target = this.placement.nodeFor(entry.kind, entry.name, this.down)
    if (target === undefined) return Effect.void
    return Effect.map(this.node(target), (node) => {
      if (!this.registry.isWanted(entry)) return
      // A node it moves away from keeps delivering until the new one confirms; only then is
      // the old one left (see onSubscribed): a message may come twice, none is lost.
      entry.node = node
      // Confirmed with an UNSUBSCRIBE on its way counts as gone: subscribe again behind it.
      const held = node.confirmed.has(entry.key) && !node.isWritten(entry.kind, entry.name, false)
      if (!held && !node.isWritten(entry.kind, entry.name, true)) node.write(entry.kind, entry.name, true)
    })
  }

  private readonly down = (address: string): boolean => this.nodes.get(address)?.lost === true

  /** Unsubscribes what no entry wants on a node; closes nodes that serve nothing. */
  private readonly cleanUp: Effect.Effect<void> = Effect.suspend(() => {
    const idle: Array<SubscriberNode> = []
    for (const node of this.allNodes()) {
      for (const key of node.confirmed) {
        const entry = this.registry.get(key)
        // Kept while it is wanted here, or until the node it moved to confirmed it.
        if (entry !== undefined && (entry.node === node || entry.node?.confirmed.has(key) !== true)) continue
        const [kind, name] = splitKey(key)
        if (!node.isWritten(kind, name, false)) node.write(kind, name, false)
      }
      // A lost node is kept while it reconnects (it tells `down` that the node is
      // unreachable), unless the node left the deployment: then nothing will come back.
      const mayReturn = node.lost && this.placement.known?.(node.address) !== false
      if (node.confirmed.size === 0 && !this.registry.uses(node) && !mayReturn) idle.push(node)
    }
    return Effect.forEach(idle, (node) => this.drop(node), { discard: true })
  })

  /** The subscriber connection to a node, opened (lazily) on first use. */
  private node(target: Node): Effect.Effect<SubscriberNode> {
    const existing = this.nodes.get(target.address)
    if (existing !== undefined) return Effect.succeed(existing)
    return Effect.map(this.open(target), (node) => {
      this.nodes.set(target.address, node)
      return node
    })
  }

  private open(target: Node): Effect.Effect<SubscriberNode> {
    return Effect.gen({ self: this }, function* () {
      const scope = yield* Scope.fork(this.scope, "sequential")
      const connection = yield* this.placement.connect(target).pipe(Scope.provide(scope))
      const node = new SubscriberNode(target, connection, scope)
      connection.setSubscriber({
        onFrame: (frame) => this.onFrame(node, frame),
        onRead: () => this.flush(),
        onDisconnect: () => this.onDisconnect(node),
        bytes: () => this.bytesConsumers > 0
      })
      connection.setReconnectHandler(() => this.onConnect(node))
      return node
    })
  }

  private *allNodes(): Iterable<SubscriberNode> {
    yield* this.nodes.values()
    yield* this.retired
  }

  /** Closes a node's connection and forgets it. */
  private drop(node: SubscriberNode): Effect.Effect<void> {
    if (!this.retired.delete(node) && this.nodes.get(node.address) === node) this.nodes.delete(node.address)
    return Scope.close(node.scope, Exit.void)
  }

  // --- new credentials ----------------------------------------------------------------------

  /**
   * Re-authenticates the subscriber connections. RESP3 ones take AUTH while subscribed; a
   * RESP2 subscriber cannot run AUTH, so a new connection (made with the new credentials)
   * subscribes to the same names and the old one is left only once the new one confirmed
   * them (see onSubscribed): nothing is missed, a message may come twice meanwhile.
   */
  reauthenticate(credentials: Credentials): Effect.Effect<void, AuthError> {
    const ready = (protocol: 2 | 3) =>
      [...this.nodes.values()].filter(
        (node) => node.connection.status() === "ready" && node.connection.protocol() === protocol
      )
    // The AUTH replies of a RESP3 subscriber wait behind what it has not read yet (a paused
    // consumer): outside the lock, so placing subscriptions does not wait for them.
    return Effect.andThen(
      Effect.suspend(() => credentials.authenticate(ready(3).map((node) => node.connection))),
      this.lock.withPermits(1)(
        Effect.suspend(() => Effect.forEach(ready(2), (node) => this.replace(node), { discard: true }))
      )
    )
  }

  private replace(old: SubscriberNode): Effect.Effect<void> {
    return Effect.map(this.open(old.target), (fresh) => {
      this.nodes.set(old.address, fresh)
      this.retired.add(old)
      for (const entry of this.registry.desired.values()) {
        if (entry.node !== old) continue
        entry.node = fresh
        // Connects the lazy connection; its reconnect handler then subscribes to all of them.
        fresh.write(entry.kind, entry.name, true)
      }
    })
  }

  /** A replaced node that serves nothing any more is closed. */
  private retireIfIdle(node: SubscriberNode): void {
    if (this.retired.has(node) && node.confirmed.size === 0 && node.written.length === 0) {
      this.runFork(this.drop(node))
    }
  }

  /** Asks for a reconcile soon (at most one waits at a time). */
  requestReconcile(): void {
    // Once the service is released its fiber set is closed: the fork is born interrupted.
    if (this.requested) return
    this.requested = true
    this.runFork(
      Effect.sleep("50 millis").pipe(
        Effect.andThen(
          Effect.sync(() => {
            this.requested = false
          })
        ),
        Effect.andThen(this.reconcile)
      )
    )
  }

  // --- what the connections hear ------------------------------------------------------------

  private onFrame(node: SubscriberNode, value: RespValue): void {
    const frame = parse(value)
    if (frame === undefined) return
    if (frame.type === "message") {
      const entry = this.registry.find(frame.kind, frame.name)
      if (entry === undefined) return
      if (node !== this.heldFrom) this.flush()
      // One consumer gains nothing from waiting for the end of the read (unless messages held
      // before this one must reach it first).
      if (this.held.length === 0 && entry.consumers.size === 1) {
        for (const consumer of entry.consumers)
          consumer.deliverOne(consumer.bytes ? frame.asBytes() : frame.asText(), node)
        return
      }
      this.heldFrom = node
      this.held.push(frame)
      this.heldFor.push(entry)
      return
    }
    // What it says may end a consumer: the messages before it are delivered first.
    this.flush()
    switch (frame.type) {
      case "subscribed":
        this.onSubscribed(node, frame)
        break
      case "unsubscribed":
        this.onUnsubscribed(node, frame)
        break
      case "error":
        this.onRefused(node, frame.message)
    }
  }

  /**
   * Hands the messages held since the read began to their consumers: one run of messages of
   * one entry at a time, in the order they came, each form (text, bytes) built once and
   * shared by the consumers, and one offer per consumer per run instead of per message.
   */
  private flush(): void {
    const held = this.held
    const node = this.heldFrom
    if (held.length === 0 || node === undefined) return
    const entries = this.heldFor
    this.held = []
    this.heldFor = []
    for (let start = 0, end = 0; start < held.length; start = end) {
      const entry = entries[start]!
      while (end < held.length && entries[end] === entry) end++
      const run = start === 0 && end === held.length ? held : held.slice(start, end)
      let text: Array<Message<string>> | undefined
      let bytes: Array<Message<Uint8Array>> | undefined
      for (const consumer of entry.consumers) {
        if (consumer.bytes) consumer.deliver((bytes ??= run.map((raw) => raw.asBytes())), node)
        else consumer.deliver((text ??= run.map((raw) => raw.asText())), node)
      }
    }
  }

  private onSubscribed(node: SubscriberNode, frame: Confirmation): void {
    node.confirm(frame.kind, frame.name, true)
    const key = keyOf(frame.kind, frame.name)
    node.confirmed.add(key)
    // An UNSUBSCRIBE written after this SUBSCRIBE is on its way: what counts comes after it.
    if (node.isWritten(frame.kind, frame.name, false)) return
    const entry = this.registry.get(key)
    if (entry === undefined || entry.node !== node) {
      // Not wanted here (any more): the consumer left, or it moved meanwhile.
      node.write(frame.kind, frame.name, false)
      return
    }
    for (const other of this.allNodes()) {
      if (other !== node && other.confirmed.has(key) && !other.isWritten(frame.kind, frame.name, false)) {
        other.write(frame.kind, frame.name, false)
      }
    }
    const event = { kind: entry.kind, name: entry.name, node: node.address }
    entry.confirmed = true
    if (!entry.established) {
      entry.established = true
      this.publishEvent({ _tag: "Subscribed", ...event })
    } else {
      this.publishEvent({ _tag: "Resubscribed", ...event })
    }
    // Those who joined while it was lost, too.
    this.registry.settle(entry, undefined)
  }

  private onUnsubscribed(node: SubscriberNode, frame: Confirmation): void {
    const key = keyOf(frame.kind, frame.name)
    const asked = node.confirm(frame.kind, frame.name, false)
    const had = node.confirmed.delete(key)
    const entry = this.registry.get(key)
    const event = { kind: frame.kind, name: frame.name, node: node.address }
    if (asked) {
      if (had && entry === undefined) this.publishEvent({ _tag: "Unsubscribed", ...event })
      this.retireIfIdle(node)
      return
    }
    if (entry === undefined || entry.node !== node) return
    // The server dropped it on its own (a slot of a sharded channel moved away).
    if (had) {
      this.publishEvent({ _tag: "Lost", ...event })
    }
    entry.node = undefined
    entry.confirmed = false
    this.requestReconcile()
  }

  /** An error reply answers the oldest unconfirmed command. */
  private onRefused(node: SubscriberNode, message: string): void {
    const written = node.written.shift()
    if (written === undefined || !written.subscribe) return
    const entry = this.registry.get(keyOf(written.kind, written.name))
    if (entry === undefined || entry.node !== node) return
    entry.node = undefined
    entry.confirmed = false
    if (REDIRECTS.includes(message.split(" ")[0]!)) {
      this.requestReconcile()
      return
    }
    this.publishEvent({ _tag: "Refused", kind: entry.kind, name: entry.name, node: node.address, message })
    this.registry.settle(entry, { reason: "refused", message })
  }

  private onDisconnect(node: SubscriberNode): void {
    this.flush()
    for (const key of node.confirmed) {
      const entry = this.registry.get(key)
      if (entry === undefined || entry.node !== node) continue
      entry.confirmed = false
      this.publishEvent({ _tag: "Lost", kind: entry.kind, name: entry.name, node: node.address })
    }
    node.reset()
    if (this.retired.has(node)) {
      this.retireIfIdle(node)
      return
    }
    node.lost = true
    this.placement.lost?.(node.address)
    // In a cluster the node may be gone for good: look where its subscriptions belong now
    // (a non-sharded one moves to another live node at once; see `Placement.nodeFor`).
    this.requestReconcile()
  }

  /** A (re)connected socket: resubscribe everything this node should serve. */
  private onConnect(node: SubscriberNode): void {
    node.reset()
    node.lost = false
    node.reapplyPause()
    for (const entry of this.registry.desired.values()) {
      if (entry.node === node) node.write(entry.kind, entry.name, true)
    }
  }

  /** Ends every consumer's wait and stream with `error`; nothing is placed any more. */
  close(error: (entry: Entry) => SubscribeError): void {
    this.closed = true
    for (const entry of this.registry.desired.values()) {
      this.registry.settle(entry, { reason: "closed", message: "the PubSub service was closed" })
      for (const consumer of entry.consumers) consumer.fail(error(entry))
    }
  }
}

const splitKey = (key: string): readonly [SubscriptionKind, string] => {
  const i = key.indexOf("\u0000")
  return [key.slice(0, i) as SubscriptionKind, key.slice(i + 1)]
}
