/**
 * The configuration of a cluster client: the seed nodes, where reads go, how often the
 * topology is checked, and every connection setting of a standalone client (applied to each
 * node's connection).
 *
 * @since 0.1.0
 */
import { ConfigError, ValkeyConfig } from "@effect-valkey/core"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type NodeAddress, parseAddress } from "./Topology.ts"

/**
 * Where read-only commands go. Writes always go to primaries.
 *
 * @since 0.1.0
 * @category models
 */
export type ReadFrom =
  | "primary"
  | "preferReplica"
  /** Replicas in this availability zone first, then other replicas, then the primary. */
  | { readonly azAffinity: string }

/**
 * How to reach a cluster: seed nodes, where reads go, topology refresh and redirect limits, plus
 * the connection settings of `ValkeyConfig` (credentials, TLS, timeouts) for every node.
 *
 * The standalone options apply to every node's connection. `database` (default 0) is selected
 * in the handshake of every connection to every node, after each reconnect too; numbered
 * databases in a cluster need Valkey 9.0+ with `cluster-databases` above the number, and a
 * cluster that refuses it fails the client with a `ConfigError` on `database`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterConfig extends Omit<ValkeyConfig.ValkeyConfig, "host" | "port" | "lazyConnect"> {
  /** `host:port` of one or more nodes; the rest of the cluster is discovered from them. */
  readonly seeds: ReadonlyArray<string>
  /** Default `"primary"`. */
  readonly readFrom?: ReadFrom
  /** How often the topology is checked in the background (default 60 s); `false` for never. */
  readonly topologyRefresh?: Duration.Input | false
  /** MOVED/ASK/TRYAGAIN/CLUSTERDOWN retries before a `RedirectError` (default 5). */
  readonly maxRedirects?: number
}

/**
 * A `ClusterConfig` with every default applied and the seeds parsed, as the router uses it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedClusterConfig {
  readonly seeds: ReadonlyArray<NodeAddress>
  readonly base: ValkeyConfig.ResolvedConfig
  readonly readFrom: ReadFrom
  readonly refreshMillis: number | undefined
  readonly maxRedirects: number
}

/**
 * The defaults of `topologyRefresh` (60 seconds) and `maxRedirects` (5).
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaults = { topologyRefresh: Duration.seconds(60), maxRedirects: 5 } as const

/**
 * Validates a cluster configuration; a bad field fails with a `ConfigError` naming it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (config: ClusterConfig): Effect.Effect<ResolvedClusterConfig, ConfigError> =>
  Effect.gen(function* () {
    const { seeds: seedTexts, readFrom, topologyRefresh, maxRedirects, ...connection } = config
    if (!Array.isArray(seedTexts) || seedTexts.length === 0) {
      return yield* new ConfigError({ message: "seeds: at least one host:port is needed", field: "seeds" })
    }
    const seeds: Array<NodeAddress> = []
    for (const text of seedTexts) {
      const address = parseAddress(
        text
          .replace(/^[a-z]+:\/\//, "")
          .replace(/\/.*$/, "")
          .replace(/^.*@/, "")
      )
      if (address === undefined)
        return yield* new ConfigError({
          // A seed may be a URL with credentials: they never go into the message.
          message: `seeds: "${String(text).replace(/^([a-z]+:\/\/)?[^@/]*@/, "$1<credentials>@")}" is not host:port`,
          field: "seeds"
        })
      seeds.push(address)
    }
    if (maxRedirects !== undefined && !(Number.isInteger(maxRedirects) && maxRedirects >= 0)) {
      return yield* new ConfigError({ message: "maxRedirects: must be a whole number ≥ 0", field: "maxRedirects" })
    }
    if (
      readFrom !== undefined &&
      readFrom !== "primary" &&
      readFrom !== "preferReplica" &&
      !(typeof readFrom === "object" && typeof readFrom.azAffinity === "string" && readFrom.azAffinity !== "")
    ) {
      return yield* new ConfigError({
        message: "readFrom: primary, preferReplica or { azAffinity }",
        field: "readFrom"
      })
    }
    let refreshMillis: number | undefined = Duration.toMillis(defaults.topologyRefresh)
    if (topologyRefresh === false) refreshMillis = undefined
    else if (topologyRefresh !== undefined) {
      const decoded = Duration.fromInput(topologyRefresh)
      if (Option.isNone(decoded) || Duration.toMillis(decoded.value) <= 0) {
        return yield* new ConfigError({
          message: "topologyRefresh: a positive duration or false",
          field: "topologyRefresh"
        })
      }
      refreshMillis = Duration.toMillis(decoded.value)
    }
    const base = yield* ValkeyConfig.resolve({ ...connection, host: seeds[0]!.host, port: seeds[0]!.port })
    return {
      seeds,
      base,
      readFrom: readFrom ?? "primary",
      refreshMillis,
      maxRedirects: maxRedirects ?? defaults.maxRedirects
    }
  })

/**
 * The configuration from Effect `Config`: `SEEDS` (comma-separated `host:port`), `READ_FROM`
 * (`primary` or `preferReplica`), `TOPOLOGY_REFRESH` (a duration), `MAX_REDIRECTS`, and every
 * field of `ValkeyConfig.config` but `HOST`, `PORT` and `LAZY_CONNECT` (`USERNAME`, `PASSWORD`,
 * `TLS`, …); nest it (`Config.nested("VALKEY")`) to read `VALKEY_SEEDS`, ….
 *
 * @since 0.2.0
 * @category constructors
 */
export const config: Config.Config<ClusterConfig> = Config.all({
  base: ValkeyConfig.config,
  seeds: Config.String("SEEDS"),
  readFrom: Config.option(Config.Literals(["primary", "preferReplica"], "READ_FROM")),
  topologyRefresh: Config.option(Config.Duration("TOPOLOGY_REFRESH")),
  maxRedirects: Config.option(Config.Int("MAX_REDIRECTS"))
}).pipe(
  Config.map(({ base, seeds, readFrom, topologyRefresh, maxRedirects }): ClusterConfig => {
    const { host: _host, port: _port, lazyConnect: _lazy, ...connection } = base
    return {
      ...connection,
      seeds: seeds
        .split(",")
        .map((seed) => seed.trim())
        .filter((seed) => seed.length > 0),
      ...(Option.isSome(readFrom) ? { readFrom: readFrom.value } : {}),
      ...(Option.isSome(topologyRefresh) ? { topologyRefresh: topologyRefresh.value } : {}),
      ...(Option.isSome(maxRedirects) ? { maxRedirects: maxRedirects.value } : {})
    }
  })
)
