/**
 * A real Sentinel topology for tests: one primary, N replicas and (by default) 3 sentinels
 * with quorum 2, each a process on a free loopback port, all stopped with the scope. The
 * sentinels run the same server binary with `--sentinel`, so every server line the testkit
 * can start (Debian's 8.0, the 9.1 build) can run them. Timeouts are small (down after 1 s)
 * so a failover takes seconds. Fault operations: kill or pause the primary (the sentinels
 * fail over), `SENTINEL FAILOVER`, kill a sentinel; `awaitPrimary` waits until every live
 * sentinel names the same primary and that node says it is one.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { AdminReply } from "./AdminClient.ts"
import { type AdminError, InvalidStateError, type TestkitError } from "./errors.ts"
import { configLines, type ExtraConfig } from "./internal/config.ts"
import { done, notYet, pollUntil } from "./internal/time.ts"
import { make as makeServer, type ValkeyServerHandle } from "./ValkeyServer.ts"

/**
 * How to start the topology. Everything is optional.
 *
 * @since 0.2.0
 * @category models
 */
export interface ValkeyTestSentinelOptions {
  /** The name the sentinels monitor the primary under. Default `"primary"`. */
  readonly name?: string
  /** Replicas of the primary. Default 2. */
  readonly replicas?: number
  /** Sentinels. Default 3. */
  readonly sentinels?: number
  /** Sentinels that must agree the primary is down. Default 2. */
  readonly quorum?: number
  /** `down-after-milliseconds`. Default 1 second. */
  readonly downAfter?: Duration.Input
  /** `failover-timeout`. Default 5 seconds. */
  readonly failoverTimeout?: Duration.Input
  /** Password of the `default` user of the data nodes (the sentinels get it as `auth-pass`). */
  readonly password?: string
  /** Password of the sentinels themselves (`requirepass` on each sentinel). */
  readonly sentinelPassword?: string
  /**
   * TLS everywhere: one CA for every process; data nodes and sentinels listen with TLS only,
   * and replication and the sentinels' own connections use it (`tls-replication yes`).
   * Default `false`.
   */
  readonly tls?: boolean
  /**
   * The loopback address every process binds, and the sentinels monitor and announce:
   * `"127.0.0.1"` (default) or `"::1"` for IPv6.
   */
  readonly host?: "127.0.0.1" | "::1"
  /** Extra config of the data nodes. */
  readonly config?: ExtraConfig
  /** Server binary for every process; default env `VALKEY_SERVER`, then `valkey-server`. */
  readonly binary?: string
  /** How long to wait for the topology to settle (replication up, sentinels see each other). Default 30 s. */
  readonly startTimeout?: Duration.Input
}

/**
 * `host:port` of a sentinel, in the shape clients take.
 *
 * @since 0.2.0
 * @category models
 */
export interface SentinelAddress {
  readonly host: string
  readonly port: number
}

/**
 * A running topology. `nodes[0]` is the first primary; who is primary now is what the
 * sentinels say (`primary`).
 *
 * @since 0.2.0
 * @category models
 */
export interface ValkeyTestSentinelHandle {
  readonly name: string
  /** The data nodes: the first primary, then its replicas. */
  readonly nodes: ReadonlyArray<ValkeyServerHandle>
  readonly sentinels: ReadonlyArray<ValkeyServerHandle>
  /** Where the sentinels listen, for a client's `sentinels` option. */
  readonly sentinelAddresses: ReadonlyArray<SentinelAddress>
  /** The node the first live sentinel names as primary. */
  readonly primary: Effect.Effect<ValkeyServerHandle, TestkitError>
  /**
   * Waits until every live sentinel names the same primary (other than `not`, when given:
   * `host:port`, IPv6 with or without brackets) and that node's `ROLE` says `master`.
   * Default timeout 30 s.
   */
  readonly awaitPrimary: (options?: {
    readonly not?: string
    readonly timeout?: Duration.Input
  }) => Effect.Effect<ValkeyServerHandle, TestkitError>
  /** SIGKILLs the current primary (the sentinels fail over after `downAfter`); returns it. */
  readonly killPrimary: Effect.Effect<ValkeyServerHandle, TestkitError>
  /** SIGSTOPs the current primary; `resume` it on the returned handle. */
  readonly pausePrimary: Effect.Effect<ValkeyServerHandle, TestkitError>
  /** `SENTINEL FAILOVER <name>` on a live sentinel: a failover without waiting for agreement. */
  readonly failover: Effect.Effect<void, TestkitError>
  /** SIGKILLs sentinel `index` (default: the first live one); returns it. */
  readonly killSentinel: (index?: number) => Effect.Effect<ValkeyServerHandle, TestkitError>
  /** Sends a command to a live sentinel (authenticated when `sentinelPassword` is set). */
  readonly sentinelCommand: (args: ReadonlyArray<string>) => Effect.Effect<AdminReply, TestkitError>
}

/** A flat `[k1, v1, k2, v2, …]` reply (RESP2 maps) as a record. */
const fields = (reply: AdminReply): Record<string, string> => {
  const out: Record<string, string> = {}
  if (!Array.isArray(reply)) return out
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1])
  return out
}

/**
 * Starts the topology and stops every process with the scope.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  options: ValkeyTestSentinelOptions = {}
): Effect.Effect<ValkeyTestSentinelHandle, TestkitError, Scope.Scope> =>
  Effect.gen(function* () {
    const name = options.name ?? "primary"
    const replicaCount = options.replicas ?? 2
    const sentinelCount = options.sentinels ?? 3
    const quorum = options.quorum ?? 2
    const downAfter = Duration.toMillis(Duration.fromInputUnsafe(options.downAfter ?? "1 second"))
    const failoverTimeout = Duration.toMillis(Duration.fromInputUnsafe(options.failoverTimeout ?? "5 seconds"))
    const settle = Duration.toMillis(Duration.fromInputUnsafe(options.startTimeout ?? "30 seconds"))
    const host = options.host ?? "127.0.0.1"
    // Every process: where it binds, and which server binary runs it.
    const common = { host, ...(options.binary === undefined ? {} : { binary: options.binary }) }
    const password = options.password === undefined ? {} : { password: options.password }
    const extra = configLines(options.config)

    const first = yield* makeServer({
      ...common,
      ...password,
      ...(options.tls === true ? { tls: true } : {}),
      config: extra
    })
    // The first node's material is shared: every process trusts the same CA.
    const tls = first.tls === undefined ? {} : { tls: first.tls }
    const replicas = yield* Effect.forEach(
      Array.from({ length: replicaCount }, (_, i) => i),
      () => makeServer({ ...common, ...password, ...tls, config: [`replicaof ${host} ${first.port}`, ...extra] }),
      { concurrency: "unbounded" }
    )
    const nodes = [first, ...replicas]
    yield* pollUntil({
      what: `${replicaCount} replicas in sync with ${first.address}`,
      timeoutMs: settle,
      intervalMs: 50,
      check: Effect.map(
        Effect.forEach(replicas, (replica) => replica.command(["INFO", "replication"])),
        (infos) => {
          const down = infos.filter((info) => !String(info).includes("master_link_status:up")).length
          return down === 0 ? done(undefined) : notYet(`${down} replicas not linked`)
        }
      )
    })

    const sentinelConfig = [
      `sentinel monitor ${name} ${host} ${first.port} ${quorum}`,
      `sentinel down-after-milliseconds ${name} ${downAfter}`,
      `sentinel failover-timeout ${name} ${failoverTimeout}`,
      `sentinel parallel-syncs ${name} 1`,
      ...(options.password === undefined ? [] : [`sentinel auth-pass ${name} ${options.password}`]),
      // Sentinels with a password must give it to each other (votes, is-master-down-by-addr).
      ...(options.sentinelPassword === undefined ? [] : [`sentinel sentinel-pass ${options.sentinelPassword}`])
    ]
    const sentinels = yield* Effect.forEach(
      Array.from({ length: sentinelCount }, (_, i) => i),
      () =>
        makeServer({
          ...common,
          ...tls,
          sentinel: true,
          config: sentinelConfig,
          ...(options.sentinelPassword === undefined ? {} : { password: options.sentinelPassword })
        }),
      { concurrency: "unbounded" }
    )

    const live = () => sentinels.filter((sentinel) => sentinel.status === "running")
    const firstLive = Effect.suspend(() => {
      const sentinel = live()[0]
      return sentinel === undefined
        ? Effect.fail(new InvalidStateError({ message: "no sentinel of the topology is running" }))
        : Effect.succeed(sentinel)
    })
    const sentinelCommand = (args: ReadonlyArray<string>) =>
      Effect.flatMap(firstLive, (sentinel) => sentinel.command(args))
    const named = (sentinel: ValkeyServerHandle): Effect.Effect<string, AdminError> =>
      Effect.map(sentinel.command(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name]), (reply) =>
        Array.isArray(reply) ? `${reply[0]}:${reply[1]}` : "none"
      )
    const byAddress = (address: string) => nodes.find((node) => node.address === address)

    // Every sentinel sees the others and every replica: a failover can then get its quorum.
    yield* pollUntil({
      what: `${sentinelCount} sentinels that see each other and ${replicaCount} replicas`,
      timeoutMs: settle,
      intervalMs: 100,
      check: Effect.map(
        Effect.forEach(sentinels, (sentinel) => sentinel.command(["SENTINEL", "MASTER", name])),
        (replies) => {
          const views = replies.map(fields)
          const ready = views.every(
            (view) =>
              Number(view["num-other-sentinels"]) === sentinelCount - 1 && Number(view["num-slaves"]) === replicaCount
          )
          return ready
            ? done(undefined)
            : notYet(views.map((v) => `sentinels ${v["num-other-sentinels"]}, replicas ${v["num-slaves"]}`).join("; "))
        }
      )
    })

    const primary = Effect.flatMap(firstLive, (sentinel) =>
      Effect.flatMap(named(sentinel), (address) => {
        const node = byAddress(address)
        return node === undefined
          ? Effect.fail(new InvalidStateError({ message: `the sentinels name ${address}, not a node of the topology` }))
          : Effect.succeed(node)
      })
    )

    const awaitPrimary = (wait: { readonly not?: string; readonly timeout?: Duration.Input } = {}) => {
      // A client's address may bracket IPv6 ([::1]:port); the sentinels and the nodes do not.
      const not = wait.not?.replace(/^\[(.*)\]:(\d+)$/, "$1:$2")
      return pollUntil({
        what: `the sentinels to agree on a primary${wait.not === undefined ? "" : ` other than ${wait.not}`}`,
        timeoutMs: Duration.toMillis(Duration.fromInputUnsafe(wait.timeout ?? "30 seconds")),
        intervalMs: 50,
        check: Effect.gen(function* () {
          // SENTINEL MASTER names the monitored primary, which changes only once a failover
          // is over (+switch-master); GET-MASTER-ADDR-BY-NAME already names the promoted
          // replica while the others are still being reconfigured.
          const views = yield* Effect.forEach(live(), (sentinel) =>
            sentinel.command(["SENTINEL", "MASTER", name]).pipe(
              Effect.map((reply) => {
                const view = fields(reply)
                return { address: `${view.ip}:${view.port}`, flags: view.flags ?? "" }
              }),
              Effect.catch((error) => Effect.succeed({ address: `error: ${error.message}`, flags: "" }))
            )
          )
          const agreed = views[0]?.address
          if (agreed === undefined) return notYet("no sentinel is running")
          const seen = views.map((view) => `${view.address} (${view.flags})`).join(", ")
          if (views.some((view) => view.address !== agreed || view.flags !== "master")) return notYet(seen)
          if (agreed === not) return notYet(`sentinels still name ${agreed}`)
          const node = byAddress(agreed)
          if (node === undefined || node.status !== "running") return notYet(`${agreed} is not a running node`)
          const role = yield* node.command(["ROLE"]).pipe(Effect.catch(() => Effect.succeed(["unreachable"])))
          const said = Array.isArray(role) ? String(role[0]) : String(role)
          return said === "master" ? done(node) : notYet(`${agreed} says it is ${said}`)
        })
      })
    }

    const handle: ValkeyTestSentinelHandle = {
      name,
      nodes,
      sentinels,
      sentinelAddresses: sentinels.map((sentinel) => ({ host: sentinel.host, port: sentinel.port })),
      primary,
      awaitPrimary,
      killPrimary: Effect.tap(primary, (node) => node.kill),
      pausePrimary: Effect.tap(primary, (node) => node.pause),
      failover: Effect.asVoid(sentinelCommand(["SENTINEL", "FAILOVER", name])),
      killSentinel: (index) =>
        Effect.suspend(() => {
          const sentinel = index === undefined ? live()[0] : sentinels[index]
          return sentinel === undefined
            ? Effect.fail(new InvalidStateError({ message: `no sentinel ${index ?? "is running"}` }))
            : Effect.as(sentinel.kill, sentinel)
        }),
      sentinelCommand
    }
    return handle
  })

/**
 * The service tag of a topology provided by `ValkeyTestSentinel.layer`.
 *
 * @since 0.2.0
 * @category services
 */
export class ValkeyTestSentinel extends Context.Service<ValkeyTestSentinel, ValkeyTestSentinelHandle>()(
  "@effect-valkey/testkit/ValkeyTestSentinel"
) {
  /** See {@link make}. */
  static readonly make = make
  /** A layer owning one topology for its lifetime. */
  static readonly layer = (options: ValkeyTestSentinelOptions = {}): Layer.Layer<ValkeyTestSentinel, TestkitError> =>
    Layer.effect(ValkeyTestSentinel, make(options))
}
