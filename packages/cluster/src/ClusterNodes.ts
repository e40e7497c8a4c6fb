/**
 * The cluster router's node connections and the topology they follow: a lazy connection and a
 * blocking pool per node, the slot table (primary and readers per slot), the topology fetch
 * (CLUSTER SHARDS, else CLUSTER SLOTS) with its periodic and on-demand refresh, the prompt
 * refresh after a node is lost (see `nodeLost`), and which connection serves a slot. Routing
 * (`ClusterRouter`) is built on it.
 *
 * @since 0.2.0
 * @internal
 */
import {
  type AuthError,
  type ClientCache,
  Command,
  type CommandError,
  Commands,
  ConnectionError,
  TimeoutError
} from "@effect-valkey/core"
import { Connection, FlushGroup } from "@effect-valkey/core/internal"

import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Pool from "effect/Pool"
import * as Scope from "effect/Scope"
import type { ResolvedClusterConfig } from "./ClusterConfig.ts"
import * as Slot from "./Slot.ts"
import * as Topology from "./Topology.ts"

/** A node's connections: the shared one, its scope, and its pool for blocking commands. */
export interface NodeEntry {
  readonly node: Topology.NodeAddress
  readonly connection: Connection.Connection
  readonly scope: Scope.Closeable
  readonly blocking: Pool.Pool<Connection.Connection, ConnectionError | AuthError>
  zone: string | undefined
}

const SLOTS = Slot.SLOTS
const ZONE = Commands.server.configGet(["availability-zone"])

/**
 * After a node is lost, the topology is fetched this often (from the other nodes) until its
 * slots have a reachable owner: a failover is seen within this of the promotion. After
 * `RECOVERY_FAST_FOR` it slows to `RECOVERY_SLOW`, and after `RECOVERY_GIVE_UP` the periodic
 * refresh alone goes on (a primary without a replica may stay down for long).
 */
const RECOVERY_INTERVAL = 150
const RECOVERY_FAST_FOR = 15_000
const RECOVERY_SLOW = 1000
const RECOVERY_GIVE_UP = 120_000
/** A connection whose oldest written request waited this long (capped by half the request timeout) is suspect. */
const STALL_MILLIS = 1000
const WATCH_MILLIS = 250

export abstract class ClusterNodes {
  readonly config: ResolvedClusterConfig
  readonly scope: Scope.Scope
  readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>
  readonly entries = new Map<string, NodeEntry>()
  /** The entry of each shared connection: `entries` is keyed as the topology writes addresses. */
  private readonly byConnection = new WeakMap<Connection.Connection, NodeEntry>()
  current: Topology.Topology | undefined = undefined
  /** Per slot: the primary's connection, and the connections allowed to serve reads. */
  readonly slotPrimary = new Array<Connection.Connection | undefined>(SLOTS)
  readonly slotReaders = new Array<ReadonlyArray<Connection.Connection>>(SLOTS)
  readCursor = 0
  /** The nodes' shared connections write once per event-loop turn, together. */
  private readonly flushGroup = new FlushGroup()
  refreshing: Fiber.Fiber<void, unknown> | undefined = undefined
  /** Nodes lost or stalled whose slots have no reachable owner yet, with when each was first suspected. */
  readonly suspects = new Map<string, number>()
  recovering: Fiber.Fiber<void, unknown> | undefined = undefined
  /** Told whenever a refresh gives a slot another primary (pub/sub moves sharded channels). */
  readonly topologyListeners = new Set<() => void>()

  /** A client-side cache's: tracking on each node's shared connection, and slot moves told. */
  readonly cache: ClientCache.Cache | undefined

  constructor(
    config: ResolvedClusterConfig,
    scope: Scope.Scope,
    runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>,
    cache?: ClientCache.Cache
  ) {
    this.config = config
    this.scope = scope
    this.runFork = runFork
    this.cache = cache
    cache?.lossesPerNode((address) => this.keysServedBy(address))
  }

  /**
   * The keys of the slots a node serves (as primary or reader): what a cache kept from it,
   * so what a lost connection to it may have missed invalidations for. Undefined before the
   * first topology, or for a node the client has no connection to: then everything goes.
   */
  private keysServedBy(address: string): ((key: string) => boolean) | undefined {
    // A connection names an IPv6 node `[::1]:port`, the topology (as MOVED does) `::1:port`.
    const node = Topology.parseAddress(address)
    const connection = node === undefined ? undefined : this.entries.get(node.address)?.connection
    if (connection === undefined || this.current === undefined) return undefined
    const served = new Uint8Array(SLOTS)
    for (let slot = 0; slot < SLOTS; slot++) {
      if (this.slotPrimary[slot] === connection || this.slotReaders[slot]?.includes(connection) === true)
        served[slot] = 1
    }
    return (key) => served[Slot.slotOf(key)] === 1
  }

  /** A cache's entries of keys in slots that changed owner go: that owner never tracked them. */
  slotsMoved(slots: ReadonlySet<number>): void {
    if (slots.size > 0) this.cache?.dropWhere((key) => slots.has(Slot.slotOf(key)))
  }

  // --- connections --------------------------------------------------------------------------

  /**
   * Pooled blocking and dedicated connections while they live: with the nodes' shared ones,
   * what a password rotation with immediateAuth re-authenticates.
   */
  readonly others = new Set<Connection.Connection>()

  tracked<E>(
    make: Effect.Effect<Connection.Connection, E, Scope.Scope>
  ): Effect.Effect<Connection.Connection, E, Scope.Scope> {
    return Effect.tap(make, (connection) =>
      Effect.acquireRelease(
        Effect.sync(() => this.others.add(connection)),
        () => Effect.sync(() => this.others.delete(connection))
      )
    )
  }

  /** The entry of a node, opening its (lazy) connection the first time it is needed. */
  entry(node: Topology.NodeAddress): Effect.Effect<NodeEntry> {
    const existing = this.entries.get(node.address)
    if (existing !== undefined) return Effect.succeed(existing)
    const options = {
      ...this.config.base.connection,
      host: node.host,
      port: node.port,
      readOnly: true,
      // The node's own address, as the topology writes it: the connection's brackets IPv6.
      onLoss: () => this.nodeLost(node.address),
      flushGroup: this.flushGroup
    }
    return Effect.gen({ self: this }, function* () {
      const scope = yield* Scope.fork(this.scope, "sequential")
      const tracking = this.cache?.tracking
      const shared = tracking === undefined ? options : { ...options, tracking }
      const connection = yield* Connection.make(shared, { lazy: true }).pipe(Scope.provide(scope), Effect.orDie)
      const blocking = yield* Pool.makeWithTTL({
        acquire: this.tracked(Connection.make(options)),
        min: 0,
        max: this.config.base.blockingPoolSize,
        timeToLive: "60 seconds"
      }).pipe(Scope.provide(scope))
      const again = this.entries.get(node.address)
      if (again !== undefined) {
        yield* Scope.close(scope, Exit.void)
        return again
      }
      const entry: NodeEntry = { node, connection, scope, blocking, zone: undefined }
      this.entries.set(node.address, entry)
      this.byConnection.set(connection, entry)
      return entry
    })
  }

  /**
   * The entry whose shared connection `connection` is, while its node is in the topology. Not
   * by `connection.address`: that one brackets IPv6 (`[::1]:7000`), the topology does not.
   */
  entryOf(connection: Connection.Connection): NodeEntry | undefined {
    const entry = this.byConnection.get(connection)
    return entry !== undefined && this.entries.get(entry.node.address) === entry ? entry : undefined
  }

  // --- topology -----------------------------------------------------------------------------

  get topology(): Topology.Topology {
    return this.current!
  }

  /** Asks the known primaries, then the seeds, for the topology; the first answer wins. */
  readonly fetchTopology: Effect.Effect<Topology.Topology, ConnectionError | AuthError | Topology.TopologyError> =
    Effect.suspend(() => {
      const seen = new Set<string>()
      const candidates: Array<Topology.NodeAddress> = []
      for (const node of [...(this.current?.primaries() ?? []), ...this.config.seeds]) {
        if (!seen.has(node.address)) {
          seen.add(node.address)
          candidates.push(node)
        }
      }
      // Connected nodes first: a dead or stalled node would hold each refresh up for a request
      // timeout.
      const connected = (node: Topology.NodeAddress) =>
        this.entries.get(node.address)?.connection.status() === "ready" && !this.suspects.has(node.address) ? 0 : 1
      candidates.sort((a, b) => connected(a) - connected(b))
      const ask = (node: Topology.NodeAddress) =>
        Effect.flatMap(this.entry(node), ({ connection }) =>
          connection.send(Topology.shardsCommand).pipe(
            Effect.flatMap((reply) => Topology.fromShards(reply, { host: node.host })),
            // No CLUSTER SHARDS (a ReplyError), or a shard list that does not say who owns the
            // slots (a TopologyError, e.g. two online primaries mid-failover): CLUSTER SLOTS.
            Effect.catchTags({
              ReplyError: () => this.fromSlots(connection, node),
              TopologyError: () => this.fromSlots(connection, node)
            }),
            // A node that serves no slot and knows no owner (reset, or left behind by its
            // cluster) would empty the slot map: ask the next node instead.
            Effect.filterOrFail(
              (topology) => topology.coveredSlots > 0,
              () =>
                new Topology.TopologyError({
                  message: `${node.address} knows no slot owner (a node outside the cluster, or one not set up yet)`
                })
            )
          )
        )
      return Effect.firstSuccessOf(candidates.map(ask)).pipe(
        Effect.mapError((error) =>
          // Refused credentials are the user's to fix, not a network fault: keep them typed.
          error._tag === "TopologyError" || error._tag === "AuthError"
            ? error
            : new ConnectionError({
                message: `no seed or known node answered CLUSTER SHARDS: ${error.message}`
              })
        )
      ) as Effect.Effect<Topology.Topology, ConnectionError | AuthError | Topology.TopologyError>
    })

  fromSlots(connection: Connection.Connection, node: Topology.NodeAddress) {
    return Effect.flatMap(connection.send(Topology.slotsCommand), (reply) =>
      Topology.fromSlots(reply, { host: node.host })
    )
  }

  /** Topology fetches started, and the number of the one whose answer was applied last. */
  fetches = 0
  appliedFetch = 0

  /**
   * Fetches and applies the topology. Refreshes overlap (the recovery loop, MOVED, the timer,
   * pub/sub): an answer is applied only if no fetch started after it was applied already, so
   * a slow answer from before a failover never replaces a newer one.
   */
  readonly refreshTopology: Effect.Effect<void, ConnectionError | AuthError | Topology.TopologyError> = Effect.suspend(
    () => {
      const fetch = ++this.fetches
      return Effect.flatMap(this.fetchTopology, (topology) => {
        if (fetch < this.appliedFetch) return Effect.void
        this.appliedFetch = fetch
        return this.apply(topology)
      })
    }
  )

  /** Refreshes in the background, at most one refresh at a time. */
  requestRefresh(): void {
    // Once the client is released the fiber set is closed: the fork is born interrupted.
    if (this.refreshing !== undefined) return
    this.refreshing = this.runFork(
      Effect.sleep("20 millis").pipe(
        Effect.andThen(this.refreshTopology),
        Effect.ignore,
        Effect.ensuring(
          Effect.sync(() => {
            this.refreshing = undefined
          })
        )
      )
    )
  }

  /**
   * A node's connection was lost, or stopped answering: fetch the topology now and every
   * `RECOVERY_INTERVAL` until every suspect node is reachable again or serves no slot, so the
   * requests waiting for it go to the promoted replica as soon as the cluster names it (see
   * `apply`), instead of waiting out their timeout or the periodic refresh.
   */
  nodeLost(address: string): void {
    // A node dropped from the topology is closed after it left `entries`: its loss is known.
    if (!this.entries.has(address)) return
    if (!this.suspects.has(address)) this.suspects.set(address, Date.now())
    if (this.recovering !== undefined) return
    const round: Effect.Effect<boolean> = Effect.map(Effect.ignore(this.refreshTopology), () => this.settleSuspects())
    this.recovering = this.runFork(
      Effect.gen({ self: this }, function* () {
        while (!(yield* round)) {
          const oldest = Math.min(...this.suspects.values())
          yield* Effect.sleep(Date.now() - oldest < RECOVERY_FAST_FOR ? RECOVERY_INTERVAL : RECOVERY_SLOW)
        }
      }).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            this.recovering = undefined
          })
        )
      )
    )
  }

  /** Forgets the suspects that are answering again or own no slot; true when none is left. */
  settleSuspects(): boolean {
    const primaries = new Set((this.current?.primaries() ?? []).map((n) => n.address))
    const now = Date.now()
    for (const [address, since] of this.suspects) {
      const connection = this.entries.get(address)?.connection
      const answering = connection?.status() === "ready" && connection.stalledMillis() < this.stallMillis()
      if (!primaries.has(address) || answering || now - since > RECOVERY_GIVE_UP) this.suspects.delete(address)
    }
    return this.suspects.size === 0
  }

  stallMillis(): number {
    return Math.min(STALL_MILLIS, this.config.base.connection.requestTimeoutMillis / 2)
  }

  /**
   * Watches the primaries' connections for one that stopped answering without closing (a
   * paused or hung node keeps its socket): it is treated like a lost one. Runs only with a
   * request timeout (without one a stall cannot be told from a slow command).
   */
  watchStalls(): void {
    if (this.config.base.connection.requestTimeoutMillis <= 0) return
    this.runFork(
      Effect.forever(
        Effect.andThen(
          Effect.sleep(WATCH_MILLIS),
          Effect.sync(() => {
            const stall = this.stallMillis()
            for (const node of this.current?.primaries() ?? []) {
              const connection = this.entries.get(node.address)?.connection
              if (connection !== undefined && connection.stalledMillis() >= stall) this.nodeLost(node.address)
            }
          })
        )
      )
    )
  }

  apply(topology: Topology.Topology): Effect.Effect<void> {
    return Effect.gen({ self: this }, function* () {
      // Not a failed node that serves nothing: a connection kept to it would be retried until
      // the cluster forgets it.
      const nodes = Topology.servingNodes(topology)
      for (const node of nodes) yield* this.entry(node)
      if (typeof this.config.readFrom === "object") yield* this.learnZones(nodes)
      const primaries = new Set(topology.primaries().map((n) => n.address))
      const moved = new Set<number>()
      for (let slot = 0; slot < SLOTS; slot++) {
        const shard = topology.shardOfSlot(slot)
        const primary = shard === undefined ? undefined : this.entries.get(shard.primary.address)!.connection
        if (this.current !== undefined && this.slotPrimary[slot] !== primary) moved.add(slot)
        this.slotPrimary[slot] = primary
        this.slotReaders[slot] = shard === undefined ? [] : this.readers(shard)
      }
      this.slotsMoved(moved)
      this.current = topology
      const live = new Set(nodes.map((n) => n.address))
      for (const [address, entry] of this.entries) {
        // Requests waiting on a node that no longer serves slots go where their slots are now:
        // they were never written, so re-sending them cannot run anything twice.
        if (!primaries.has(address)) {
          if (entry.connection.status() !== "ready") this.reroute(entry)
          // A former primary that stopped answering (paused) and was failed over: what was
          // written there fails now with a ConnectionError (it may still run when the node
          // wakes up, so it is never re-sent) rather than at its timeout.
          else if (this.suspects.has(address) && entry.connection.stalledMillis() >= this.stallMillis())
            entry.connection.destroySocket()
        }
        if (!live.has(address)) {
          this.entries.delete(address)
          this.reroute(entry)
          // What was written to it (a paused node, failed over) may have run: ConnectionError,
          // as on any lost node, not the ClosedError of closing the connection below.
          entry.connection.destroySocket()
          yield* Scope.close(entry.scope, Exit.void)
          if (this.cache !== undefined) yield* this.cache.forget(entry.node.host, entry.node.port)
        }
      }
      if (moved.size > 0) for (const listener of this.topologyListeners) listener()
    })
  }

  /**
   * Sends a node's unsent requests where their slots are now, each within its own deadline. A
   * transaction (MULTI … EXEC) is not split into lone commands, nor is ASKING sent without its
   * command: they fail with a ConnectionError, safe to retry since nothing of them was sent.
   */
  reroute(entry: NodeEntry): void {
    const timeout = this.config.base.connection.requestTimeoutMillis
    let transaction = false
    for (const [command, resume, deadline] of entry.connection.takeUnsent()) {
      const name = Command.name(command)
      if (name === "MULTI") transaction = true
      if (transaction || name === "ASKING") {
        if (name === "EXEC" || name === "DISCARD") transaction = false
        resume(
          Exit.fail(
            new ConnectionError({
              message: `${entry.node.address} no longer serves its slots; ${name} was not sent (a transaction is not split)`,
              address: entry.node.address
            })
          )
        )
        continue
      }
      const run =
        deadline === Infinity
          ? this.run(command)
          : Effect.timeoutOrElse(this.run(command), {
              duration: Math.max(1, deadline - Date.now()),
              orElse: () =>
                Effect.fail(
                  new TimeoutError({
                    message: `${Command.name(command)} got no reply within ${timeout} ms (re-routed from ${entry.node.address})`,
                    command: Command.name(command),
                    timeoutMillis: timeout
                  })
                )
            })
      this.runFork(run).addObserver((exit) => resume(exit))
    }
  }

  readers(shard: Topology.ShardInfo): ReadonlyArray<Connection.Connection> {
    const readFrom = this.config.readFrom
    if (readFrom === "primary") return []
    // CLUSTER SHARDS calls a replica "loading" until its replication offset moves, which on an
    // idle cluster can be long after it is in sync: isReadable keeps it, and a LOADING reply
    // sends the read to the primary instead.
    const replicas = shard.replicas.filter(Topology.isReadable).map((n) => this.entries.get(n.address)!)
    if (typeof readFrom === "object") {
      const local = replicas.filter((e) => e.zone === readFrom.azAffinity)
      if (local.length > 0) return local.map((e) => e.connection)
    }
    return replicas.map((e) => e.connection)
  }

  /** Reads each node's `availability-zone` once (for AZ affinity). */
  learnZones(nodes: ReadonlyArray<Topology.NodeInfo>): Effect.Effect<void> {
    const unknown = nodes.map((n) => this.entries.get(n.address)!).filter((e) => e.zone === undefined)
    return Effect.forEach(
      unknown,
      (entry) =>
        Effect.match(entry.connection.send(ZONE), {
          onFailure: () => undefined,
          onSuccess: (config) => {
            entry.zone = config["availability-zone"] ?? ""
          }
        }),
      { concurrency: "unbounded", discard: true }
    )
  }

  // --- where a slot is served --------------------------------------------------------------

  pick(slot: number, readonly: boolean): Connection.Connection | undefined {
    if (readonly && this.config.readFrom !== "primary") {
      const readers = this.slotReaders[slot]!
      if (readers.length > 0) return readers[this.readCursor++ % readers.length]
    }
    return this.slotPrimary[slot]
  }

  randomPrimary(): Connection.Connection {
    const primaries = this.topology.primaries()
    const start = Math.floor(Math.random() * primaries.length)
    // Any primary will do: skip one that is lost or stalled, if another is not.
    for (let i = 0; i < primaries.length; i++) {
      const node = primaries[(start + i) % primaries.length]!
      const connection = this.entries.get(node.address)!.connection
      if (!this.suspects.has(node.address) && connection.status() !== "reconnecting") return connection
    }
    return this.entries.get(primaries[start]!.address)!.connection
  }

  replicaOf(slot: number): Connection.Connection | undefined {
    const node = this.topology.shardOfSlot(slot)?.replicas.find(Topology.isReadable)
    return node === undefined ? undefined : this.entries.get(node.address)?.connection
  }

  /** Routes a command (the router's own `run`): what re-routed requests go through. */
  abstract run<A>(command: Command.Command<A>): Effect.Effect<A, CommandError>
}
