/**
 * A real Valkey cluster for tests: N primaries with M replicas each, slots split evenly,
 * started and torn down with a scope (or a Layer). Start-up waits until every node reports
 * `cluster_state:ok`, all nodes agree on the topology and replicas are in sync. The handle
 * injects faults (restart, kill, pause, failover, slot migration, new nodes) and waits,
 * with deadlines, for the cluster to settle again.
 *
 * @since 0.1.0
 */
import * as FsP from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { type ClusterNodeInfo, ownsSlot, parseClusterNodes } from "./ClusterNodes.ts"
import { ConvergenceError, InvalidStateError, SetupError, type TestkitError } from "./errors.ts"
import { NodeImpl } from "./internal/clusterNode.ts"
import { configLines, type ExtraConfig } from "./internal/config.ts"
import { waitForConsistency, waitForMeet } from "./internal/consistency.ts"
import * as Migration from "./internal/migration.ts"
import { makeServer } from "./internal/server.ts"
import { done, notYet, pollUntil } from "./internal/time.ts"
import { generateTls } from "./Tls.ts"
import type { TlsInfo, ValkeyServerHandle, ValkeyServerOptions } from "./ValkeyServer.ts"

/**
 * How to build the cluster. Server options (password, TLS, modules, extra config, ...)
 * apply to every node; with `tls: true` one CA is shared by all nodes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValkeyTestClusterOptions extends Omit<ValkeyServerOptions, "cluster" | "port" | "config" | "tls"> {
  /** Number of primaries (shards). Default 3. */
  readonly primaries?: number
  /** Replicas per primary. Default 1. */
  readonly replicasPerPrimary?: number
  /** `cluster-node-timeout`: failure detection speed. Default 2 seconds. */
  readonly nodeTimeout?: Duration.Input
  /** `cluster-require-full-coverage`. Default `true` (the server default). */
  readonly requireFullCoverage?: boolean
  /** Upper bound of every wait for the cluster to settle. Default 30 seconds. */
  readonly convergenceTimeout?: Duration.Input
  /** Generate one CA and certificates shared by all nodes; TLS on clients, bus and replication. */
  readonly tls?: boolean
  /** Extra config lines for every node. */
  readonly config?: ExtraConfig
}

/**
 * A node's role, as the testkit last observed it.
 *
 * @since 0.1.0
 * @category models
 */
export type ClusterRole = "primary" | "replica"

/**
 * A server of the cluster. `role` and `primaryId` reflect the topology last observed by
 * the testkit (after start-up, `waitForConsistency`, `failover`, `addNode`, ...).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterNode extends ValkeyServerHandle {
  readonly id: string
  readonly role: ClusterRole
  readonly primaryId: string | undefined
}

/**
 * Options of `failover`: `default` is a coordinated manual failover (the primary must be
 * reachable), `force` does not wait for the primary, `takeover` skips the election.
 *
 * @since 0.1.0
 * @category models
 */
export interface FailoverOptions {
  readonly mode?: "default" | "force" | "takeover"
}

/**
 * Options of `migrateSlot` and `moveSlotKeys`: keys per MIGRATE call and its timeout.
 *
 * @since 0.1.0
 * @category models
 */
export interface MigrateOptions {
  /** Keys per `MIGRATE` call. Default 100. */
  readonly batchSize?: number
  /** `MIGRATE` timeout. Default 5 seconds. */
  readonly timeout?: Duration.Input
}

/**
 * A running test cluster.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValkeyTestClusterHandle {
  /** All nodes, including ones added later and ones currently killed. */
  readonly nodes: ReadonlyArray<ClusterNode>
  readonly primaries: ReadonlyArray<ClusterNode>
  readonly replicas: ReadonlyArray<ClusterNode>
  /** `host:port` of every node, for a client's seed list. */
  readonly seeds: ReadonlyArray<string>
  readonly password: string | undefined
  readonly tls: TlsInfo | undefined
  /** Replicas of `primary` in the last observed topology. */
  replicasOf(primary: ClusterNode): ReadonlyArray<ClusterNode>
  /** Restarts a node on its port (it keeps its node id) and waits for consistency. */
  restart(node: ClusterNode): Effect.Effect<void, TestkitError>
  /** SIGKILLs a node; no waiting (failure detection takes `nodeTimeout`). */
  kill(node: ClusterNode): Effect.Effect<void, InvalidStateError>
  /** Starts a killed node again and waits for consistency. */
  start(node: ClusterNode): Effect.Effect<void, TestkitError>
  pause(node: ClusterNode): Effect.Effect<void, InvalidStateError>
  resume(node: ClusterNode): Effect.Effect<void, InvalidStateError>
  /**
   * `CLUSTER FAILOVER` on `node` if it is a replica, or on the first running replica of
   * `node` if it is a primary; waits until it is promoted and the cluster is consistent.
   * Returns the promoted node.
   */
  failover(node: ClusterNode, options?: FailoverOptions): Effect.Effect<ClusterNode, TestkitError>
  /** The whole documented resharding procedure for one slot, then waits for consistency. */
  migrateSlot(
    slot: number,
    from: ClusterNode,
    to: ClusterNode,
    options?: MigrateOptions
  ): Effect.Effect<void, TestkitError>
  /** Step 1: `SETSLOT IMPORTING` on `to`, then `SETSLOT MIGRATING` on `from`. */
  beginSlotMigration(slot: number, from: ClusterNode, to: ClusterNode): Effect.Effect<void, TestkitError>
  /** Step 2: `GETKEYSINSLOT` + `MIGRATE ... KEYS` in batches until empty; returns keys moved. */
  moveSlotKeys(
    slot: number,
    from: ClusterNode,
    to: ClusterNode,
    options?: MigrateOptions
  ): Effect.Effect<number, TestkitError>
  /** Step 3: `SETSLOT NODE` on `to`, `from`, then every other primary; waits for consistency. */
  finishSlotMigration(slot: number, from: ClusterNode, to: ClusterNode): Effect.Effect<void, TestkitError>
  /**
   * Atomic slot migration (Valkey 9.0+): `CLUSTER MIGRATESLOTS` moves the slots of `ranges`
   * (inclusive, all owned by `from`) with their keys to `to` in one server-side operation;
   * waits until the source reports it done, the cluster is consistent and `to` owns them.
   */
  migrateSlotsAtomically(
    ranges: ReadonlyArray<readonly [start: number, end: number]>,
    from: ClusterNode,
    to: ClusterNode
  ): Effect.Effect<void, TestkitError>
  /** Starts a new node, joins it as an empty primary (or replica of `replicaOf`), waits. */
  addNode(options?: { readonly replicaOf?: ClusterNode }): Effect.Effect<ClusterNode, TestkitError>
  /** The primary owning `slot`, according to a running node. */
  slotOwner(slot: number): Effect.Effect<ClusterNode, TestkitError>
  /** `CLUSTER NODES` of a running node, parsed. */
  readonly topology: Effect.Effect<ReadonlyArray<ClusterNodeInfo>, TestkitError>
  /**
   * Waits until every running node reports `cluster_state:ok`, all agree on roles and
   * slots, every slot owner is running, and running replicas of running primaries have
   * `master_link_status:up`. After killing a primary this waits for its replica to take
   * over; a killed primary without replicas never settles (the wait fails with
   * `ConvergenceError`) until it is started again.
   */
  waitForConsistency(options?: { readonly timeout?: Duration.Input }): Effect.Effect<void, TestkitError>
}

const SLOTS = 16384

/**
 * Even split of the 16384 slots into `count` inclusive ranges.
 *
 * @since 0.1.0
 * @category constructors
 */
export const slotRanges = (count: number): ReadonlyArray<readonly [number, number]> =>
  Array.from(
    { length: count },
    (_, i) => [Math.floor((SLOTS * i) / count), Math.floor((SLOTS * (i + 1)) / count) - 1] as const
  )

const sharedTls = (options: ValkeyTestClusterOptions): Effect.Effect<TlsInfo | undefined, SetupError, Scope.Scope> =>
  options.tls !== true
    ? Effect.succeed(undefined)
    : Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.tryPromise({
            try: () => FsP.mkdtemp(Path.join(Os.tmpdir(), "effect-valkey-tls-")),
            catch: (cause) => new SetupError({ message: "could not create a temp directory", cause })
          }),
          (dir) => Effect.promise(() => FsP.rm(dir, { recursive: true, force: true }).catch(() => undefined))
        )
        const material = yield* generateTls(dir)
        return { ...material, authClients: options.tlsAuthClients ?? false }
      })

/**
 * Starts a cluster that lives as long as the current scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: ValkeyTestClusterOptions = {}
): Effect.Effect<ValkeyTestClusterHandle, TestkitError, Scope.Scope> =>
  Effect.gen(function* () {
    const primaryCount = options.primaries ?? 3
    const replicaCount = options.replicasPerPrimary ?? 1
    if (!Number.isInteger(primaryCount) || primaryCount < 1 || !Number.isInteger(replicaCount) || replicaCount < 0) {
      return yield* new InvalidStateError({
        message: `invalid cluster shape: ${primaryCount} primaries with ${replicaCount} replicas each`
      })
    }
    const timeoutMs = Duration.toMillis(options.convergenceTimeout ?? "30 seconds")
    const tls = yield* sharedTls(options)
    const serverOptions: ValkeyServerOptions = {
      ...options,
      cluster: true,
      tls: tls ?? false,
      config: [
        `cluster-node-timeout ${Duration.toMillis(options.nodeTimeout ?? "2 seconds")}`,
        `cluster-require-full-coverage ${options.requireFullCoverage === false ? "no" : "yes"}`,
        // Let a replica of a dead primary fail over no matter how long it was disconnected
        "cluster-replica-validity-factor 0",
        ...configLines(options.config)
      ]
    }
    // Nodes stop in parallel when the cluster scope closes; each node keeps its own
    // sequential scope so its process stops before its directory is removed
    const nodesScope = yield* Scope.fork(yield* Effect.scope, "parallel")
    const startServer = Effect.flatMap(Scope.fork(nodesScope, "sequential"), (scope) =>
      makeServer(serverOptions).pipe(Scope.provide(scope))
    )
    const toNode = (server: ValkeyServerHandle, role: ClusterNode["role"]) =>
      Effect.map(server.command(["CLUSTER", "MYID"]), (id) => new NodeImpl(server, String(id), role, undefined))

    const servers = yield* Effect.forEach(
      Array.from({ length: primaryCount * (1 + replicaCount) }),
      () => startServer,
      { concurrency: "unbounded" }
    )
    const nodes: Array<NodeImpl> = yield* Effect.forEach(servers, (server, i) =>
      toNode(server, i < primaryCount ? "primary" : "replica")
    )
    const current = () => nodes
    const ranges = slotRanges(primaryCount)
    yield* Effect.forEach(
      nodes.slice(0, primaryCount),
      (node, i) => node.command(["CLUSTER", "ADDSLOTSRANGE", String(ranges[i]![0]), String(ranges[i]![1])]),
      { concurrency: "unbounded", discard: true }
    )
    const meet = (from: NodeImpl, node: NodeImpl) =>
      from.command(["CLUSTER", "MEET", node.host, String(node.port), String(node.clusterPort)])
    yield* Effect.forEach(nodes.slice(1), (node) => meet(nodes[0]!, node), { concurrency: "unbounded", discard: true })
    yield* waitForMeet(current, timeoutMs)
    yield* Effect.forEach(
      nodes.slice(primaryCount),
      (node, i) => {
        const primary = nodes[Math.floor(i / replicaCount)]!
        node.primaryId = primary.id
        return node.command(["CLUSTER", "REPLICATE", primary.id])
      },
      { concurrency: "unbounded", discard: true }
    )
    yield* waitForConsistency(current, timeoutMs)

    const resolve = (node: ClusterNode): Effect.Effect<NodeImpl, InvalidStateError> => {
      const found = nodes.find((candidate) => candidate.id === node.id)
      return found === undefined
        ? Effect.fail(new InvalidStateError({ message: `node ${node.id} is not part of this cluster` }))
        : Effect.succeed(found)
    }
    const settle = (options?: { readonly timeout?: Duration.Input }) =>
      Effect.asVoid(
        waitForConsistency(current, options?.timeout === undefined ? timeoutMs : Duration.toMillis(options.timeout))
      )
    const replicasOf = (primary: ClusterNode) =>
      nodes.filter((node) => node.role === "replica" && node.primaryId === primary.id)

    const topology: Effect.Effect<ReadonlyArray<ClusterNodeInfo>, TestkitError> = Effect.suspend(
      (): Effect.Effect<ReadonlyArray<ClusterNodeInfo>, TestkitError> => {
        const running = nodes.filter((node) => node.status === "running")
        if (running.length === 0) return Effect.fail(new InvalidStateError({ message: "no running node to ask" }))
        return Effect.map(running[0]!.command(["CLUSTER", "NODES"]), (text) => parseClusterNodes(String(text)))
      }
    )

    const roleIs = (node: NodeImpl, expected: "master" | "slave") =>
      Effect.map(Effect.result(node.command(["ROLE"], { timeout: "2 seconds" })), (result) => {
        const role = result._tag === "Success" && Array.isArray(result.success) ? String(result.success[0]) : "unknown"
        return role === expected ? done(undefined) : notYet(`ROLE ${role}`)
      })

    const failover = (target: ClusterNode, failoverOptions: FailoverOptions = {}) =>
      Effect.gen(function* () {
        const node = yield* resolve(target)
        const replica =
          node.role === "replica" ? node : replicasOf(node).find((candidate) => candidate.status === "running")
        if (replica === undefined) {
          return yield* new InvalidStateError({
            message: `primary ${node.address} has no running replica to fail over to`
          })
        }
        const primary = nodes.find((candidate) => candidate.id === replica.primaryId)
        const mode = failoverOptions.mode ?? (primary?.status === "running" ? "default" : "force")
        yield* replica
          .command(mode === "default" ? ["CLUSTER", "FAILOVER"] : ["CLUSTER", "FAILOVER", mode.toUpperCase()])
          .pipe(
            // The cluster failed over on its own first (a killed primary past the node timeout):
            // the replica is the primary already, which is what was asked.
            Effect.catchIf(
              (error) => error._tag === "AdminReplyError" && error.message.includes("to a replica"),
              () => Effect.void
            )
          )
        yield* pollUntil({
          what: `replica ${replica.address} to be promoted by CLUSTER FAILOVER ${mode}`,
          timeoutMs,
          intervalMs: 50,
          check: roleIs(replica, "master")
        })
        // The old primary turns into a replica only after it learns the new epoch; until
        // then all nodes can briefly agree on a slot-less primary, so wait for the switch
        if (primary !== undefined && primary.status === "running") {
          yield* pollUntil({
            what: `old primary ${primary.address} to become a replica after CLUSTER FAILOVER ${mode}`,
            timeoutMs,
            intervalMs: 50,
            check: roleIs(primary, "slave")
          })
        }
        yield* settle()
        return replica as ClusterNode
      })

    const slotOwner = (slot: number) =>
      Effect.gen(function* () {
        const view = yield* topology
        const owner = view.find((info) => info.role === "primary" && ownsSlot(info, slot))
        const node = owner === undefined ? undefined : nodes.find((candidate) => candidate.id === owner.id)
        if (node === undefined) return yield* new InvalidStateError({ message: `no known node owns slot ${slot}` })
        return node as ClusterNode
      })

    const migrateOptions = (migrate: MigrateOptions = {}) => ({
      batchSize: migrate.batchSize ?? 100,
      timeout: migrate.timeout ?? "5 seconds"
    })
    const beginSlotMigration = (slot: number, from: ClusterNode, to: ClusterNode) =>
      Effect.gen(function* () {
        const source = yield* resolve(from)
        const destination = yield* resolve(to)
        const owner = yield* slotOwner(slot)
        if (owner.id !== source.id) {
          return yield* new InvalidStateError({
            message: `cannot migrate slot ${slot} from ${source.address}: it is owned by ${owner.address}`
          })
        }
        yield* Migration.begin(slot, source, destination)
      })
    const moveSlotKeys = (slot: number, from: ClusterNode, to: ClusterNode, migrate?: MigrateOptions) =>
      Effect.gen(function* () {
        return yield* Migration.moveKeys(slot, yield* resolve(from), yield* resolve(to), migrateOptions(migrate))
      })
    const finishSlotMigration = (slot: number, from: ClusterNode, to: ClusterNode) =>
      Effect.gen(function* () {
        const source = yield* resolve(from)
        const destination = yield* resolve(to)
        const others = nodes.filter(
          (node) =>
            node.role === "primary" && node.status === "running" && node.id !== source.id && node.id !== destination.id
        )
        yield* Migration.finish(slot, source, destination, others, timeoutMs)
        yield* settle()
        const owner = yield* slotOwner(slot)
        if (owner.id !== destination.id) {
          return yield* new ConvergenceError({
            message: `slot ${slot} is owned by ${owner.address}, not ${destination.address}, after migration`,
            what: `slot ${slot} to be owned by ${destination.address}`,
            observed: owner.address
          })
        }
      })

    const migrateSlotsAtomically = (
      ranges: ReadonlyArray<readonly [number, number]>,
      from: ClusterNode,
      to: ClusterNode
    ) =>
      Effect.gen(function* () {
        const source = yield* resolve(from)
        const destination = yield* resolve(to)
        const view = yield* topology
        const owner = view.find((info) => info.id === source.id)
        const foreign = ranges.find(
          ([start, end]) => owner === undefined || !ownsSlot(owner, start) || !ownsSlot(owner, end)
        )
        if (foreign !== undefined) {
          return yield* new InvalidStateError({
            message: `cannot migrate slots ${foreign[0]}-${foreign[1]} from ${source.address}: it does not own them`
          })
        }
        yield* Migration.atomic(ranges, source, destination, timeoutMs)
        yield* settle()
        const after = yield* topology
        const now = after.find((info) => info.id === destination.id)
        const missed = ranges.find(([start, end]) => now === undefined || !ownsSlot(now, start) || !ownsSlot(now, end))
        if (missed !== undefined) {
          return yield* new ConvergenceError({
            message: `slots ${missed[0]}-${missed[1]} are not owned by ${destination.address} after CLUSTER MIGRATESLOTS`,
            what: `slots ${missed[0]}-${missed[1]} to be owned by ${destination.address}`,
            observed: now === undefined ? "destination unknown" : JSON.stringify(now.slots)
          })
        }
      })

    const addNode = (addOptions: { readonly replicaOf?: ClusterNode } = {}) =>
      Effect.gen(function* () {
        const primary = addOptions.replicaOf === undefined ? undefined : yield* resolve(addOptions.replicaOf)
        const seed = nodes.find((node) => node.status === "running")
        if (seed === undefined) return yield* new InvalidStateError({ message: "no running node to join through" })
        const node = yield* Effect.flatMap(startServer, (server) =>
          toNode(server, primary === undefined ? "primary" : "replica")
        )
        nodes.push(node)
        yield* meet(seed, node)
        yield* waitForMeet(current, timeoutMs)
        if (primary !== undefined) {
          node.primaryId = primary.id
          yield* node.command(["CLUSTER", "REPLICATE", primary.id])
        }
        yield* settle()
        return node as ClusterNode
      })

    const handle: ValkeyTestClusterHandle = {
      get nodes() {
        return [...nodes]
      },
      get primaries() {
        return nodes.filter((node) => node.role === "primary")
      },
      get replicas() {
        return nodes.filter((node) => node.role === "replica")
      },
      get seeds() {
        return nodes.map((node) => node.address)
      },
      password: options.password,
      tls,
      replicasOf,
      restart: (node) =>
        Effect.andThen(
          Effect.flatMap(resolve(node), (n) => n.restart),
          settle()
        ),
      kill: (node) => Effect.flatMap(resolve(node), (n) => n.kill),
      start: (node) =>
        Effect.andThen(
          Effect.flatMap(resolve(node), (n) => n.start),
          settle()
        ),
      pause: (node) => Effect.flatMap(resolve(node), (n) => n.pause),
      resume: (node) => Effect.flatMap(resolve(node), (n) => n.resume),
      failover,
      migrateSlot: (slot, from, to, migrate) =>
        Effect.gen(function* () {
          yield* beginSlotMigration(slot, from, to)
          yield* moveSlotKeys(slot, from, to, migrate)
          yield* finishSlotMigration(slot, from, to)
        }),
      beginSlotMigration,
      moveSlotKeys,
      finishSlotMigration,
      migrateSlotsAtomically,
      addNode,
      slotOwner,
      topology,
      waitForConsistency: settle
    }
    return handle
  })

/**
 * The service tag of a cluster provided by `ValkeyTestCluster.layer`.
 *
 * @since 0.1.0
 * @category services
 */
export class ValkeyTestCluster extends Context.Service<ValkeyTestCluster, ValkeyTestClusterHandle>()(
  "@effect-valkey/testkit/ValkeyTestCluster"
) {
  /** See {@link make}. */
  static readonly make = make
  /** A layer owning one cluster for its lifetime. */
  static readonly layer = (options: ValkeyTestClusterOptions = {}): Layer.Layer<ValkeyTestCluster, TestkitError> =>
    Layer.effect(ValkeyTestCluster, make(options))
}
