/**
 * What a user configures, validated with Schema, and its defaults. A bad field fails with a
 * `ConfigError` naming it, before any socket is opened. `fromUrl` reads `valkey://`,
 * `valkeys://`, `redis://` and `rediss://` URLs; `config` reads the whole thing from Effect
 * `Config` (environment variables by default).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { type CacheOptions, CacheOptionsSchema } from "./cache/ClientCache.ts"
import type { ConnectionOptions, TlsOptions } from "./connection/ConnectionOptions.ts"
import { Credentials, type CredentialsProvider } from "./connection/Credentials.ts"
import { ConfigError } from "./errors.ts"
import * as Observability from "./Observability.ts"

/**
 * The documented defaults.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaults = {
  host: "127.0.0.1",
  port: 6379,
  database: 0,
  protocol: 3 as 2 | 3,
  connectTimeout: Duration.seconds(5),
  /** Per request; blocking commands get their own block time plus `blockingMargin`. */
  requestTimeout: Duration.seconds(5),
  blockingMargin: Duration.millis(500),
  inflightLimit: 1000,
  /** Dedicated connections for blocking commands (BLPOP, XREAD BLOCK, …), opened on demand. */
  blockingPoolSize: 8,
  /** Exponential from 100 ms, doubling, capped at 5 s, with jitter; retries forever. */
  reconnect: Schedule.min([Schedule.exponential("100 millis", 2), Schedule.spaced("5 seconds")]).pipe(
    Schedule.jittered
  ) as Schedule.Schedule<unknown, unknown>,
  /** A span per command (see `Observability`): off. */
  tracing: false,
  /** `valkey.*` metrics (see `Observability`): off. */
  metrics: false
} as const

const Millis = Schema.Union([Schema.Number, Schema.String, Schema.Duration])
const Positive = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

const Pem = Schema.Union([Schema.String, Schema.Uint8Array])

const TracingSchema = Schema.Union([
  Schema.Boolean,
  Schema.Struct({
    attributes: Schema.optional(
      Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Number, Schema.Boolean]))
    )
  })
])

const MetricsSchema = Schema.Union([
  Schema.Boolean,
  Schema.Struct({ attributes: Schema.optional(Schema.Record(Schema.String, Schema.String)) })
])

/** TLS options, checked field by field so a wrong one is a ConfigError naming it. */
const TlsSchema = Schema.Struct({
  ca: Schema.optional(Schema.Union([Pem, Schema.Array(Pem)])),
  cert: Schema.optional(Pem),
  key: Schema.optional(Schema.Union([Pem, Schema.Redacted(Schema.String)])),
  servername: Schema.optional(Schema.NonEmptyString),
  rejectUnauthorized: Schema.optional(Schema.Boolean)
})

/**
 * The fields a user may set. All are optional.
 *
 * @since 0.1.0
 * @category models
 */
export const ValkeyConfigSchema = Schema.Struct({
  url: Schema.optional(Schema.String),
  host: Schema.optional(Schema.NonEmptyString),
  port: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 65535 }))),
  username: Schema.optional(Schema.NonEmptyString),
  password: Schema.optional(Schema.Union([Schema.String, Schema.Redacted(Schema.String)])),
  credentials: Schema.optional(
    Schema.Unknown.check(Schema.makeFilter((u) => Effect.isEffect(u) || "an Effect yielding the credentials"))
  ),
  credentialsRefresh: Schema.optional(Schema.Unknown),
  database: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  clientName: Schema.optional(Schema.String.check(Schema.isPattern(/^[^\s]+$/))),
  protocol: Schema.optional(Schema.Literals([2, 3])),
  tls: Schema.optional(Schema.Union([Schema.Boolean, TlsSchema])),
  connectTimeout: Schema.optional(Millis),
  requestTimeout: Schema.optional(Millis),
  blockingMargin: Schema.optional(Millis),
  inflightLimit: Schema.optional(Positive),
  blockingPoolSize: Schema.optional(Positive),
  lazyConnect: Schema.optional(Schema.Boolean),
  reconnect: Schema.optional(Schema.Unknown),
  maxBulkLength: Schema.optional(Positive),
  maxDepth: Schema.optional(Positive),
  tracing: Schema.optional(TracingSchema),
  metrics: Schema.optional(MetricsSchema),
  cache: Schema.optional(CacheOptionsSchema)
})

/**
 * The configuration of a client. Durations are `Duration.Input` (`"2 seconds"`, a number of
 * milliseconds, a `Duration`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ValkeyConfig {
  /** `valkey://[user[:password]@]host[:port][/db]` (`valkeys://` or `rediss://` for TLS). */
  readonly url?: string
  readonly host?: string
  readonly port?: number
  readonly username?: string
  readonly password?: string | Redacted.Redacted<string>
  /**
   * An Effect yielding `{ username?, password }`, run before every connect and reconnect of
   * every connection (an IAM token, a secret from a vault). Replaces `password`; a `username`
   * given beside it is used when the provider yields none. Fixed `username`/`password` are
   * the same as a provider that always yields them.
   */
  readonly credentials?: CredentialsProvider
  /**
   * With `credentials`: run the provider on this schedule too and, when it yields new
   * credentials, send AUTH with them on every open connection (pub/sub subscribers included).
   */
  readonly credentialsRefresh?: Schedule.Schedule<unknown, unknown>
  readonly database?: number
  readonly clientName?: string
  /** 3 (default) asks for RESP3 and falls back to RESP2 on servers without HELLO. */
  readonly protocol?: 2 | 3
  /** `true` for TLS with the system CAs, or options (CA, client cert/key, servername). */
  readonly tls?: boolean | TlsOptions
  readonly connectTimeout?: Duration.Input
  /** 0 turns request timeouts off. */
  readonly requestTimeout?: Duration.Input
  readonly blockingMargin?: Duration.Input
  /** Requests waiting for replies per connection before new ones are rejected (default 1000). */
  readonly inflightLimit?: number
  /** How many blocking commands may wait at once, each on a connection of its own (default 8). */
  readonly blockingPoolSize?: number
  /** Connect on the first command instead of when the layer is built. */
  readonly lazyConnect?: boolean
  /** The backoff between reconnect attempts (default: exponential, capped at 5 s, jittered). */
  readonly reconnect?: Schedule.Schedule<unknown, unknown>
  /** Decoder limits: the largest bulk string and the deepest nesting accepted from the server. */
  readonly maxBulkLength?: number
  readonly maxDepth?: number
  /**
   * A span per command, OpenTelemetry database conventions (default off). `true`, or
   * `{ attributes }` added to every span. See `Observability`.
   */
  readonly tracing?: boolean | Observability.TracingOptions
  /**
   * The `valkey.*` Effect metrics (default off). `true`, or `{ attributes }` added to every
   * series of this client. See `Observability`.
   */
  readonly metrics?: boolean | Observability.MetricsOptions
  /**
   * Server-assisted client-side caching of reads (default off): see `ClientCache` and
   * docs/client-side-caching.md.
   */
  readonly cache?: CacheOptions
}

/**
 * A validated configuration: what a connection needs, plus client-level settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedConfig {
  readonly connection: ConnectionOptions
  readonly lazyConnect: boolean
  readonly blockingPoolSize: number
  /** What of tracing and metrics is on. */
  readonly observability: Observability.Settings
}

/** The path a schema message names (`at ["cache"]["maxEntries"]`), as `cache.maxEntries`. */
const pathOf = (message: string): string | undefined => {
  const at = /at ((?:\["[^"]+"\])+)/.exec(message)?.[1]
  return at === undefined ? undefined : Array.from(at.matchAll(/\["([^"]+)"\]/g), (m) => m[1]).join(".")
}

const toMillis = (input: Duration.Input | undefined, fallback: Duration.Duration, field: string) => {
  if (input === undefined) return Effect.succeed(Duration.toMillis(fallback))
  const decoded = Duration.fromInput(input)
  return Option.isSome(decoded) && Duration.toMillis(decoded.value) >= 0
    ? Effect.succeed(Duration.toMillis(decoded.value))
    : Effect.fail(new ConfigError({ message: `${field}: not a duration`, field }))
}

/**
 * Reads a `valkey://`, `valkeys://`, `redis://` or `rediss://` URL into config fields.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromUrl = (url: string): Effect.Effect<ValkeyConfig, ConfigError> =>
  Effect.suspend(() => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return Effect.fail(new ConfigError({ message: "url: not a URL", field: "url" }))
    }
    const scheme = parsed.protocol.replace(/:$/, "")
    if (!["valkey", "valkeys", "redis", "rediss"].includes(scheme)) {
      return Effect.fail(new ConfigError({ message: `url: unknown scheme "${scheme}"`, field: "url" }))
    }
    const path = parsed.pathname.replace(/^\//, "")
    const database = path === "" ? undefined : Number(path)
    if (database !== undefined && !(Number.isInteger(database) && database >= 0)) {
      return Effect.fail(new ConfigError({ message: "url: the database must be a number", field: "url" }))
    }
    const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1")
    const config: ValkeyConfig = {
      ...(host !== "" ? { host } : {}),
      ...(parsed.port !== "" ? { port: Number(parsed.port) } : {}),
      ...(parsed.username !== "" ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password !== "" ? { password: Redacted.make(decodeURIComponent(parsed.password)) } : {}),
      ...(database !== undefined ? { database } : {}),
      ...(scheme.endsWith("s") ? { tls: true } : {})
    }
    return Effect.succeed(config)
  })

/**
 * Validates a configuration and applies the defaults. Fields given explicitly win over the
 * same fields in `url`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (input: ValkeyConfig): Effect.Effect<ResolvedConfig, ConfigError> =>
  Effect.gen(function* () {
    const checked = Schema.decodeUnknownExit(ValkeyConfigSchema)(input)
    if (Exit.isFailure(checked)) {
      const message = String((Cause.squash(checked.cause) as Error).message)
      const path = pathOf(message)
      const field = path?.split(".")[0]
      return yield* new ConfigError({
        message: `invalid configuration${path !== undefined ? ` (${path})` : ""}: ${message.split("\n")[0]}`,
        ...(field !== undefined ? { field } : {})
      })
    }
    const fromUrlFields = input.url === undefined ? {} : yield* fromUrl(input.url)
    const config: ValkeyConfig = { ...fromUrlFields, ...stripUndefined(input) }
    const password = config.password
    if (config.credentials !== undefined && password !== undefined) {
      return yield* new ConfigError({
        message: "credentials: give either a credentials provider or a password, not both",
        field: "credentials"
      })
    }
    if (config.credentialsRefresh !== undefined && config.credentials === undefined) {
      return yield* new ConfigError({
        message: "credentialsRefresh: refreshing needs a credentials provider",
        field: "credentialsRefresh"
      })
    }
    const tls = config.tls === true ? {} : config.tls === false ? undefined : config.tls
    const observability = Observability.settings(config)
    const onReconnect = yield* Observability.reconnectHook(observability)
    const onRetry = yield* Observability.retryHook(observability)
    const connectTimeoutMillis = yield* toMillis(config.connectTimeout, defaults.connectTimeout, "connectTimeout")
    return {
      connection: {
        host: config.host ?? defaults.host,
        port: config.port ?? defaults.port,
        tls,
        credentials: new Credentials(
          config.username,
          password === undefined ? undefined : typeof password === "string" ? Redacted.make(password) : password,
          config.credentials,
          config.credentialsRefresh,
          connectTimeoutMillis
        ),
        database: config.database ?? defaults.database,
        clientName: config.clientName,
        protocol: config.protocol ?? defaults.protocol,
        connectTimeoutMillis,
        requestTimeoutMillis: yield* toMillis(config.requestTimeout, defaults.requestTimeout, "requestTimeout"),
        blockingMarginMillis: yield* toMillis(config.blockingMargin, defaults.blockingMargin, "blockingMargin"),
        inflightLimit: config.inflightLimit ?? defaults.inflightLimit,
        reconnect: config.reconnect ?? defaults.reconnect,
        decoder: {
          ...(config.maxBulkLength !== undefined ? { maxBulkLength: config.maxBulkLength } : {}),
          ...(config.maxDepth !== undefined ? { maxDepth: config.maxDepth } : {})
        },
        ...(onReconnect !== undefined ? { onReconnect } : {}),
        ...(onRetry !== undefined ? { onRetry } : {})
      },
      lazyConnect: config.lazyConnect ?? false,
      blockingPoolSize: config.blockingPoolSize ?? defaults.blockingPoolSize,
      observability
    }
  })

const stripUndefined = <A extends object>(a: A): A =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as A

/**
 * The configuration from Effect `Config`: `URL`, `HOST`, `PORT`, `USERNAME`, `PASSWORD`
 * (redacted), `DATABASE`, `CLIENT_NAME`, `TLS`, `PROTOCOL`, `REQUEST_TIMEOUT`,
 * `CONNECT_TIMEOUT`, `INFLIGHT_LIMIT`, `LAZY_CONNECT`, `TRACING`, `METRICS`, and the
 * client-side cache's `CACHE_MAX_ENTRIES`, `CACHE_MAX_BYTES`, `CACHE_TTL`, `CACHE_MODE`,
 * `CACHE_PREFIXES` and `CACHE_COMMANDS` (lists comma-separated; any of them turns the cache
 * on); nest it (`Config.nested("VALKEY")`) to read `VALKEY_URL`, `VALKEY_HOST`, ….
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<ValkeyConfig> = Config.all({
  url: Config.option(Config.String("URL")),
  host: Config.option(Config.String("HOST")),
  port: Config.option(Config.Port("PORT")),
  username: Config.option(Config.String("USERNAME")),
  password: Config.option(Config.Redacted("PASSWORD")),
  database: Config.option(Config.Int("DATABASE")),
  clientName: Config.option(Config.String("CLIENT_NAME")),
  tls: Config.option(Config.Boolean("TLS")),
  protocol: Config.option(Config.Literals([2, 3], "PROTOCOL")),
  requestTimeout: Config.option(Config.Duration("REQUEST_TIMEOUT")),
  connectTimeout: Config.option(Config.Duration("CONNECT_TIMEOUT")),
  inflightLimit: Config.option(Config.Int("INFLIGHT_LIMIT")),
  lazyConnect: Config.option(Config.Boolean("LAZY_CONNECT")),
  tracing: Config.option(Config.Boolean("TRACING")),
  metrics: Config.option(Config.Boolean("METRICS")),
  cache: Config.all({
    maxEntries: Config.option(Config.Int("CACHE_MAX_ENTRIES")),
    maxBytes: Config.option(Config.Int("CACHE_MAX_BYTES")),
    ttl: Config.option(Config.Duration("CACHE_TTL")),
    mode: Config.option(Config.Literals(["default", "broadcast"], "CACHE_MODE")),
    prefixes: Config.option(Config.Array(Schema.String, "CACHE_PREFIXES")),
    commands: Config.option(Config.Array(Schema.NonEmptyString, "CACHE_COMMANDS"))
  })
}).pipe(
  Config.map(({ cache, ...fields }) => {
    const out: Record<string, unknown> = present(fields)
    // Any CACHE_* field turns the cache on; the others keep their defaults.
    const options = present(cache)
    if (Object.keys(options).length > 0) out.cache = options
    return out as ValkeyConfig
  })
)

/** The fields that are set, unwrapped. */
const present = (fields: Record<string, Option.Option<unknown>>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) if (Option.isSome(value)) out[key] = value.value
  return out
}
