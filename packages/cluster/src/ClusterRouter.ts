/**
 * The cluster `Router`: one multiplexed connection per node, commands routed by the CRC16 slot
 * of their keys through a 16384-entry table, MOVED/ASK/TRYAGAIN/CLUSTERDOWN followed up to a
 * limit, multi-slot commands split by slot and recombined, keyless commands sent where their
 * request policy says and combined by their response policy, and the topology refreshed on
 * MOVED, on connection errors and periodically.
 *
 * @since 0.1.0
 */
import {
  type AuthError,
  type Batch,
  type ClientCache,
  Command,
  type CommandError,
  Commands,
  ConfigError,
  ConnectionError,
  CrossSlotError,
  type Key,
  RedirectError,
  type ReplyError,
  type RespArg,
  type RouterService
} from "@effect-valkey/core"
import { BlockingPool, Connection, RouterGuard } from "@effect-valkey/core/internal"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Scope from "effect/Scope"
import { aggregate } from "./Aggregate.ts"
import * as ClusterBatch from "./ClusterBatch.ts"
import type { ClusterConfig } from "./ClusterConfig.ts"
import * as ClusterConfigModule from "./ClusterConfig.ts"
import { ClusterNodes } from "./ClusterNodes.ts"
import * as CommandTable from "./CommandTable.ts"
import * as MultiSlot from "./MultiSlot.ts"
import * as Slot from "./Slot.ts"
import * as Topology from "./Topology.ts"

/**
 * A single node to send a command to.
 *
 * @since 0.1.0
 * @category models
 */
export type Route =
  | { readonly type: "random" }
  | { readonly type: "slotKey"; readonly key: Key; readonly replica?: boolean }
  | { readonly type: "slotId"; readonly slot: number; readonly replica?: boolean }
  | { readonly type: "address"; readonly host: string; readonly port: number }

/**
 * The cluster router: a `RouterService` that also shows and refreshes the topology it routes by,
 * and runs a command on an explicit route or on every primary or node.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterRouterService extends RouterService {
  /** The topology the router routes by now. */
  readonly topology: () => Topology.Topology
  /** Fetches the topology now and applies it. */
  readonly refreshTopology: Effect.Effect<void, ConnectionError | AuthError | Topology.TopologyError>
  /** Sends a command to one node chosen explicitly. */
  runOn<A>(command: Command.Command<A>, route: Route): Effect.Effect<A, CommandError>
  /**
   * Sends a command to every primary (or every node the cluster has not flagged failed, see
   * `Topology.servingNodes`) and returns each node's value by address.
   */
  runOnAll<A>(command: Command.Command<A>, nodes: "primaries" | "nodes"): Effect.Effect<Map<string, A>, CommandError>
  /**
   * The node `run` would send a command to now, if it goes to one node: by its keys' slot
   * (the replica next in turn for a read under `readFrom`). `undefined` for keyless and
   * multi-slot commands. Used for the `server.address` of a span.
   */
  readonly endpointOf: (command: Command.Command<unknown>) => Topology.NodeAddress | undefined
  /**
   * The first key of a command line the client has no static facts for, from the server's
   * COMMAND table (fetched once) or COMMAND GETKEYS for movable keys; `undefined` when it has
   * none. For callers that pick a node themselves (a dedicated connection per node).
   */
  firstKeyOf(args: ReadonlyArray<RespArg>): Effect.Effect<Key | undefined, CommandError>
  /**
   * Calls `onChange` each time a topology refresh gives slots another primary (a failover, a
   * migration), until the scope closes: what pub/sub follows to move sharded channels.
   *
   * @since 0.3.0
   */
  readonly watchTopology: (onChange: () => void) => Effect.Effect<void, never, Scope.Scope>
  /**
   * Tells the router that a connection of its own to `address` (a pub/sub subscriber's) was
   * lost: it refreshes the topology promptly until the node's slots have a reachable owner,
   * as it does for its own connections.
   *
   * @since 0.3.0
   */
  readonly nodeLost: (address: string) => void
}

const SLOTS = Slot.SLOTS
const ASKING = Commands.session.asking

/**
 * The cluster router as a service: what `ValkeyCluster.layer` provides beside `Router` (the
 * same router), for the cluster-only operations (explicit routes, the topology).
 *
 * @since 0.2.0
 * @category services
 */
export class ClusterRouter extends Context.Service<ClusterRouter, ClusterRouterService>()(
  "@effect-valkey/cluster/ClusterRouter"
) {}

/**
 * Discovers the cluster from its seeds and returns its router; every connection closes with
 * the scope. With a client-side `cache`, each node's shared connection tracks its reads and a
 * slot that changes owner drops its keys from the cache.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: ClusterConfig,
  cache?: ClientCache.Cache
): Effect.Effect<
  ClusterRouterService,
  ConfigError | ConnectionError | AuthError | Topology.TopologyError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const resolved = yield* ClusterConfigModule.resolve(config)
    // Released in order: the background fibers (topology refresh, COMMAND-table fetch,
    // re-routed requests) are interrupted first, then the node connections close.
    const scope = yield* Scope.fork(yield* Scope.Scope, "sequential")
    const nodes = yield* Scope.fork(scope, "sequential")
    const fibers = yield* FiberSet.make().pipe(Scope.provide(scope))
    const state = new ClusterState(resolved, nodes, yield* FiberSet.runtime(fibers)(), cache)
    yield* state.refreshTopology.pipe(
      Effect.mapError((error) => {
        const database = resolved.base.connection.database
        return database === 0 ? error : databaseRefused(database, error)
      })
    )
    state.watchStalls()
    if (resolved.refreshMillis !== undefined) {
      state.runFork(
        Effect.sleep(resolved.refreshMillis).pipe(Effect.andThen(Effect.ignore(state.refreshTopology)), Effect.forever)
      )
    }
    // `Router.run`, `runOn` and `runOnAll` refuse connection-state commands on the shared
    // connections; the generated methods take the router underneath (`RouterGuard.unguarded`).
    return RouterGuard.guard(state.service(), ["runOn", "runOnAll"])
  })

/**
 * A cluster that refuses SELECT in the handshake (before Valkey 9.0, with `cluster-databases`
 * 1, or a number past it) fails the client with a `ConfigError` on `database`, not a
 * connection error that reads like a network fault.
 */
const databaseRefused = <E extends { readonly _tag: string; readonly message: string }>(
  database: number,
  error: E
): E | ConfigError =>
  error._tag === "ConnectionError" && /SELECT during the handshake/.test(error.message)
    ? new ConfigError({
        message:
          `database: the cluster refused database ${database} (numbered databases in a cluster need ` +
          `Valkey 9.0+ with cluster-databases above ${database}): ${error.message}`,
        field: "database"
      })
    : error

class ClusterState extends ClusterNodes {
  /** The server's COMMAND table once fetched, and the fetch in progress (one at a time). */
  table: CommandTable.CommandTable | undefined = undefined
  tableFetch: Fiber.Fiber<CommandTable.CommandTable, CommandError> | undefined = undefined

  // --- routing ------------------------------------------------------------------------------

  run<A>(command: Command.Command<A>): Effect.Effect<A, CommandError> {
    if (command.invalid !== undefined) return Effect.fail(command.invalid)
    if (command.firstKey >= 0) {
      const slot = Slot.keySlot(command)
      if (typeof slot === "number") return this.sendToSlot(command, slot, 0)
      if (slot === "multi") {
        return command.request === "multi_shard" ? this.runMultiSlot(command) : Effect.fail(crossSlot(command))
      }
    }
    return command.serverRouted === true ? this.runServerRouted(command) : this.runKeyless(command)
  }

  /** Fetched once per client; a failed fetch is tried again by the next command that needs it. */
  private commandTable(): Effect.Effect<CommandTable.CommandTable, CommandError> {
    if (this.table !== undefined) return Effect.succeed(this.table)
    if (this.tableFetch === undefined) {
      const fiber = this.runFork(Effect.suspend(() => this.randomPrimary().send(CommandTable.command)))
      this.tableFetch = fiber
      fiber.addObserver((exit) => {
        if (Exit.isSuccess(exit)) this.table = exit.value
        else this.tableFetch = undefined
      })
    }
    return Fiber.join(this.tableFetch)
  }

  /** A command the client has no routing facts for: route it by the server's COMMAND table. */
  private runServerRouted<A>(command: Command.Command<A>): Effect.Effect<A, CommandError> {
    return Effect.flatMap(this.commandTable(), (table) => {
      const facts = CommandTable.lookup(table, command.args)
      // Unknown to the server too: any node answers the error.
      if (facts === undefined) return this.runKeyless(command)
      const routed = CommandTable.withFacts(command, facts)
      if (!facts.movableKeys) return this.run(routed)
      return Effect.flatMap(this.keysOf(command.args), (keys) => {
        if (keys.length === 0) return this.runKeyless(routed)
        const slot = Slot.slotOf(keys[0]!)
        return keys.every((key) => Slot.slotOf(key) === slot)
          ? this.sendToSlot(routed, slot, 0)
          : Effect.fail(crossSlot(command))
      })
    })
  }

  /** Key positions that depend on the arguments (EVAL's numkeys): the server tells which. */
  private keysOf(args: ReadonlyArray<RespArg>): Effect.Effect<Array<Uint8Array>, CommandError> {
    return this.randomPrimary().send(Command.bytes(Commands.commandInfo.commandGetKeys(args)))
  }

  /** The first key of a command line by the server's COMMAND table; undefined if it has none. */
  firstKeyOf(args: ReadonlyArray<RespArg>): Effect.Effect<Key | undefined, CommandError> {
    return Effect.flatMap(this.commandTable(), (table): Effect.Effect<Key | undefined, CommandError> => {
      const facts = CommandTable.lookup(table, args)
      if (facts === undefined) return Effect.succeed(undefined)
      if (!facts.movableKeys) {
        const key = facts.firstKey > 0 ? args[facts.firstKey] : undefined
        return Effect.succeed(key === undefined ? undefined : typeof key === "number" ? String(key) : key)
      }
      return this.keysOf(args).pipe(
        Effect.map((keys) => keys[0]),
        // "The command has no key arguments": keyless after all.
        Effect.catchTag("ReplyError", () => Effect.succeed(undefined))
      )
    })
  }

  endpointOf(command: Command.Command<unknown>): Topology.NodeAddress | undefined {
    if (command.firstKey < 0) return undefined
    const slot = Slot.keySlot(command)
    if (typeof slot !== "number") return undefined
    // What `pick` will choose next, without moving the read cursor.
    let connection = this.slotPrimary[slot]
    if (command.readonly && this.config.readFrom !== "primary") {
      const readers = this.slotReaders[slot]!
      if (readers.length > 0) connection = readers[this.readCursor % readers.length]
    }
    return connection === undefined ? undefined : this.entryOf(connection)?.node
  }

  sendToSlot<A>(command: Command.Command<A>, slot: number, attempt: number): Effect.Effect<A, CommandError> {
    const connection = this.pick(slot, command.readonly)
    if (connection === undefined) {
      this.requestRefresh()
      return this.retryLater(command, slot, attempt, `slot ${slot} has no owner`)
    }
    return Effect.catch(this.sendOn(connection, command), (error) =>
      this.onError(command, slot, attempt, connection, error)
    )
  }

  /**
   * Blocking commands (BLPOP, XREAD BLOCK, …) go to the node's pool, never its shared
   * connection; WAIT and WAITAOF stay on the shared one, whose writes they count.
   */
  private sendOn<A>(connection: Connection.Connection, command: Command.Command<A>): Effect.Effect<A, CommandError> {
    return command.blockMillis === undefined ? connection.send(command) : this.blocking(connection, command)
  }

  private blocking<A>(connection: Connection.Connection, command: Command.Command<A>): Effect.Effect<A, CommandError> {
    if (command.ownWrites === true) return RouterGuard.sendOwnWrites(connection, command)
    const entry = this.entryOf(connection)
    if (entry === undefined) return connection.send(command)
    return BlockingPool.run(entry.blocking, command, this.config.base.connection.requestTimeoutMillis).pipe(
      // A node that leaves the topology has its pool shut down, and Pool.get then ends the
      // callers waiting on it with an interruption: give them a typed error instead.
      Effect.catchCause((cause) =>
        Cause.hasInterruptsOnly(cause) && this.entryOf(connection) !== entry
          ? Effect.fail(
              new ConnectionError({
                message: `${connection.address} left the cluster topology while ${Command.name(command)} waited for a connection`,
                address: connection.address
              })
            )
          : Effect.failCause(cause)
      )
    )
  }

  private onError<A>(
    command: Command.Command<A>,
    slot: number,
    attempt: number,
    from: Connection.Connection,
    error: CommandError
  ): Effect.Effect<A, CommandError> {
    // A timeout on a node that is not connected (killed, partitioned) is a lost node too:
    // requests queued for its reconnect time out without any ConnectionError, so without
    // this the router would keep routing to it until the periodic refresh.
    if (error._tag === "ConnectionError" || (error._tag === "TimeoutError" && from.status() !== "ready"))
      this.requestRefresh()
    if (error._tag !== "ReplyError") return Effect.fail(error)
    switch (error.code) {
      case "MOVED":
      case "ASK": {
        if (attempt >= this.config.maxRedirects) return Effect.fail(redirectError(command, attempt, error))
        const target = redirectTarget(error, from)
        if (target === undefined) return Effect.fail(error)
        if (error.code === "MOVED") {
          this.requestRefresh()
          return Effect.flatMap(this.entry(target), (entry) => {
            if (this.slotPrimary[slot] !== entry.connection) this.slotsMoved(new Set([slot]))
            this.slotPrimary[slot] = entry.connection
            // The slot's replicas are the old owner's: read from the new primary until the
            // refresh learns its replicas, rather than bounce off stale ones to the limit.
            this.slotReaders[slot] = []
            return this.sendToSlot(command, slot, attempt + 1)
          })
        }
        // ASK: this one command, once, on the importing node, right after ASKING.
        return Effect.flatMap(this.entry(target), (entry) =>
          Effect.flatMap(entry.connection.sendBatch([ASKING, command]), (exits) => {
            const exit = exits[1]! as Exit.Exit<A, CommandError>
            if (Exit.isSuccess(exit)) return exit
            const failure = Exit.findErrorOption(exit)
            return failure._tag === "Some"
              ? this.onError(command, slot, attempt + 1, entry.connection, failure.value)
              : exit
          })
        )
      }
      case "TRYAGAIN":
      case "CLUSTERDOWN":
        return this.retryLater(command, slot, attempt, error.message)
      case "LOADING": {
        const primary = this.slotPrimary[slot]
        return primary === undefined || primary === from ? Effect.fail(error) : primary.send(command)
      }
      default:
        return Effect.fail(error)
    }
  }

  private retryLater<A>(command: Command.Command<A>, slot: number, attempt: number, why: string) {
    if (attempt >= this.config.maxRedirects) {
      return Effect.fail(
        new RedirectError({
          message: `${Command.name(command)} gave up after ${attempt} retries: ${why}`,
          command: Command.name(command),
          redirects: attempt
        })
      )
    }
    return Effect.sleep(Math.min(50 * 2 ** attempt, 1000)).pipe(
      Effect.andThen(Effect.suspend(() => this.sendToSlot(command, slot, attempt + 1)))
    )
  }

  private runMultiSlot<A>(command: Command.Command<A>): Effect.Effect<A, CommandError> {
    const parts = MultiSlot.split(command)
    // A command over many keys can split into thousands of parts: keep them well under the
    // per-connection inflight limit, so the split itself never causes InflightLimitErrors.
    const concurrency = Math.max(1, Math.floor(this.config.base.connection.inflightLimit / 4))
    return Effect.flatMap(
      Effect.forEach(parts, (part) => Effect.exit(this.sendToSlot(part.command, part.slot, 0)), { concurrency }),
      (exits) => MultiSlot.recombine(command, parts, exits)
    )
  }

  private runKeyless<A>(command: Command.Command<A>): Effect.Effect<A, CommandError> {
    if (command.shards !== undefined) return this.gatherShards(command, command.shards.command)
    // A per-node reply (INFO, LATENCY, ...) has no one combined value: one node answers, and
    // runOnAll gives every node's.
    if (command.response === "per_node") return this.sendOn(this.randomPrimary(), command)
    switch (command.request) {
      case "all_shards":
        return this.fanOut(command, this.topology.primaries())
      case "all_nodes":
        return this.fanOut(command, Topology.servingNodes(this.topology))
      default:
        return this.sendOn(this.randomPrimary(), command)
    }
  }

  /** Every primary answers `part`; the first failure fails the command, else it gathers. */
  private gatherShards<A>(command: Command.Command<A>, part: Command.Command<unknown>): Effect.Effect<A, CommandError> {
    return Effect.flatMap(
      Effect.forEach(
        this.topology.primaries(),
        (node) => Effect.exit(this.sendOn(this.entries.get(node.address)!.connection, part)),
        { concurrency: "unbounded" }
      ),
      (exits) => {
        const failed = exits.find(Exit.isFailure)
        if (failed !== undefined) return failed as Exit.Exit<never, CommandError>
        return Command.gather(
          command,
          exits.map((exit) => (exit as Exit.Success<unknown>).value)
        )
      }
    )
  }

  private fanOut<A>(command: Command.Command<A>, nodes: ReadonlyArray<Topology.NodeAddress>) {
    return Effect.flatMap(
      Effect.forEach(nodes, (node) => Effect.exit(this.sendOn(this.entries.get(node.address)!.connection, command)), {
        concurrency: "unbounded"
      }),
      (exits) => aggregate(command.response, exits) as Exit.Exit<A, CommandError>
    )
  }

  sendBatch(batch: Batch.Sequence) {
    return ClusterBatch.sendBatch(this, batch)
  }

  // --- the service --------------------------------------------------------------------------

  service(): ClusterRouterService {
    return {
      run: (command) => this.run(command),
      sendBatch: (batch) => this.sendBatch(batch),
      dedicated: Effect.suspend(() => {
        const node = this.topology.primaries()[0]!
        return this.tracked(Connection.make({ ...this.config.base.connection, host: node.host, port: node.port }))
      }),
      dedicatedFor: (key) =>
        Effect.suspend(() => {
          const node = this.topology.shardOfSlot(Slot.slotOf(key))?.primary ?? this.topology.primaries()[0]!
          return this.tracked(Connection.make({ ...this.config.base.connection, host: node.host, port: node.port }))
        }),
      credentials: this.config.base.connection.credentials,
      connectionOptions: this.config.base.connection,
      observability: this.config.base.observability,
      connections: () => [...[...this.entries.values()].map((e) => e.connection), ...this.others],
      topology: () => this.topology,
      refreshTopology: this.refreshTopology,
      endpointOf: (command) => this.endpointOf(command),
      firstKeyOf: (args) => this.firstKeyOf(args),
      watchTopology: (onChange) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            // A function of its own, so the same callback registered twice is released twice.
            const listener = () => onChange()
            this.topologyListeners.add(listener)
            return listener
          }),
          (listener) => Effect.sync(() => this.topologyListeners.delete(listener))
        ).pipe(Effect.asVoid),
      nodeLost: (address) => this.nodeLost(address),
      runOn: (command, route) => this.runOn(command, route),
      runOnAll: (command, nodes) =>
        Effect.map(
          Effect.forEach(
            nodes === "primaries" ? this.topology.primaries() : Topology.servingNodes(this.topology),
            (node) =>
              Effect.map(
                this.sendOn(this.entries.get(node.address)!.connection, command),
                (value) => [node.address, value] as const
              ),
            { concurrency: "unbounded" }
          ),
          (pairs) => new Map(pairs)
        )
    }
  }

  private runOn<A>(command: Command.Command<A>, route: Route): Effect.Effect<A, CommandError> {
    switch (route.type) {
      case "random":
        return this.sendOn(this.randomPrimary(), command)
      case "slotKey":
      case "slotId": {
        const slot = route.type === "slotKey" ? Slot.slotOf(route.key) : route.slot
        if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) {
          return Effect.fail(Command.invalid<A>(Command.name(command), `slot ${slot} is not in 0–16383`).invalid!)
        }
        const replica = route.replica === true ? (this.slotReaders[slot]?.[0] ?? this.replicaOf(slot)) : undefined
        const connection = replica ?? this.slotPrimary[slot]
        return connection === undefined
          ? Effect.fail(
              new RedirectError({ message: `slot ${slot} has no owner`, command: Command.name(command), redirects: 0 })
            )
          : this.sendOn(connection, command)
      }
      case "address":
        return Effect.flatMap(this.entry(Topology.nodeAddress(route.host, route.port)), (e) =>
          this.sendOn(e.connection, command)
        )
    }
  }
}

// --- helpers --------------------------------------------------------------------------------

/** `MOVED 3999 127.0.0.1:6381`: the node to go to. An empty host means the node we asked. */
const redirectTarget = (error: ReplyError, from: Connection.Connection): Topology.NodeAddress | undefined => {
  const text = error.message.split(" ")[2]
  if (text === undefined) return undefined
  const address = Topology.parseAddress(text.startsWith(":") ? `${hostOf(from.address)}${text}` : text)
  return address
}

const hostOf = (address: string): string => address.slice(0, address.lastIndexOf(":")).replace(/^\[(.*)\]$/, "$1")

const redirectError = (command: Command.Command<unknown>, attempt: number, last: ReplyError) =>
  new RedirectError({
    message: `${Command.name(command)} was redirected ${attempt} times; last: ${last.message}`,
    command: Command.name(command),
    redirects: attempt
  })

const crossSlot = (command: Command.Command<unknown>) =>
  new CrossSlotError({
    message: `${Command.name(command)} needs all its keys in one slot (use hash tags such as {user1}:a, {user1}:b)`,
    command: Command.name(command)
  })
