/**
 * The client for a primary watched by Valkey Sentinel: the same `Valkey`, `Scan` and `Router`
 * services as `ValkeyStandalone`, on whichever node the sentinels name as primary now.
 *
 * It asks the sentinels for the primary (`SENTINEL GET-PRIMARY-ADDR-BY-NAME`, or
 * `GET-MASTER-ADDR-BY-NAME` on servers that only know that one), trying each sentinel in
 * turn, and checks the node with `ROLE` before using it. It then follows failovers: a
 * connection to one sentinel listens to `+switch-master` (moving to the next sentinel when
 * that one goes away), and the primary is asked for again every `checkInterval`. On a
 * change every connection of the client (the multiplexed one, the blocking pool, dedicated
 * ones) moves to the new primary with `Connection.moveTo`: commands already written fail
 * with `ConnectionError` and are never re-sent; the ones still queued go to the new
 * primary; none outlives its request timeout.
 *
 * With `cache`, the client-side cache tracks on the primary's connection (and the replica's,
 * with `readFrom: "preferReplica"`). A failover empties it: the connections move, and the
 * invalidations of the old primary may have been missed; tracking starts again on the new one.
 *
 * Sentinels and data nodes have separate credentials and TLS settings: `sentinel` holds the
 * former, the other fields (as in `ValkeyConfig`) the latter.
 *
 * @since 0.2.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { type Command, type Decoder, make as makeCommand } from "./Command.ts"
import * as ClientCache from "./cache/ClientCache.ts"
import * as Connection from "./connection/Connection.ts"
import type { ConnectionOptions, TlsOptions } from "./connection/ConnectionOptions.ts"
import { type AuthError, type CommandError, ConfigError, ConnectionError } from "./errors.ts"
import * as Observability from "./Observability.ts"
import * as Reply from "./Reply.ts"
import { Router, type RouterService } from "./Router.ts"
import * as RouterGuard from "./RouterGuard.ts"
import type { RespValue } from "./resp/types.ts"
import * as Scan from "./Scan.ts"
import * as StandaloneRouter from "./StandaloneRouter.ts"
import * as Valkey from "./Valkey.ts"
import * as ValkeyConfig from "./ValkeyConfig.ts"

/**
 * How to reach the sentinels themselves: their own ACL user, password and TLS, apart from
 * the data nodes'.
 *
 * @since 0.2.0
 * @category models
 */
export interface SentinelConnectionConfig {
  readonly username?: string
  readonly password?: string | Redacted.Redacted<string>
  readonly tls?: boolean | TlsOptions
}

/**
 * The configuration of a Sentinel client. The fields of `ValkeyConfig` but the address apply
 * to the data nodes; `cache` is the client-side cache of the client (see the module
 * documentation).
 *
 * @since 0.2.0
 * @category models
 */
export interface SentinelConfig extends Omit<ValkeyConfig.ValkeyConfig, "url" | "host" | "port"> {
  /** The sentinels, as `"host:port"` or `{ host, port }`; asked in this order. */
  readonly sentinels: ReadonlyArray<string | { readonly host: string; readonly port: number }>
  /** The name the sentinels monitor the primary under (`sentinel monitor <name> …`). */
  readonly name: string
  /** Credentials and TLS of the sentinels (none by default). */
  readonly sentinel?: SentinelConnectionConfig
  /** How often the sentinels are asked again, besides listening to `+switch-master`. Default 2 s. */
  readonly checkInterval?: Duration.Input
  /**
   * `"primary"` (default): every command goes to the primary. `"preferReplica"`: read-only
   * commands go to a healthy replica the sentinels list (moving to another when it goes
   * away or is promoted), to the primary while there is none. Replicas lag: a read there
   * may not see a write just made.
   */
  readonly readFrom?: "primary" | "preferReplica"
}

/**
 * The documented defaults.
 *
 * @since 0.2.0
 * @category defaults
 */
export const defaults = {
  checkInterval: Duration.seconds(2)
} as const

/**
 * No sentinel answered: every one was unreachable, refused the credentials or timed out.
 * `sentinels` lists what each one did.
 *
 * @since 0.2.0
 * @category errors
 */
export class SentinelUnavailableError extends Schema.TaggedError<SentinelUnavailableError>()(
  "SentinelUnavailableError",
  {
    message: Schema.String,
    name: Schema.String,
    sentinels: Schema.Array(Schema.String)
  }
) {}

/**
 * Sentinels answered, but none knows a primary by that name, or the node they name is not a
 * primary (`ROLE` says otherwise, or it cannot be reached).
 *
 * @since 0.2.0
 * @category errors
 */
export class PrimaryNotFoundError extends Schema.TaggedError<PrimaryNotFoundError>()("PrimaryNotFoundError", {
  message: Schema.String,
  name: Schema.String,
  sentinels: Schema.Array(Schema.String)
}) {}

/**
 * The errors of asking the sentinels for the primary.
 *
 * @since 0.2.0
 * @category errors
 */
export type SentinelError = SentinelUnavailableError | PrimaryNotFoundError

/**
 * A data node's address.
 *
 * @since 0.2.0
 * @category models
 */
export interface NodeAddress {
  readonly host: string
  readonly port: number
  /** `host:port` */
  readonly address: string
}

/**
 * A move of the client to a new primary: from where, to where, when (`Date.now()`), and what
 * told the client (`+switch-master` from a sentinel, or a periodic `check`).
 *
 * @since 0.2.0
 * @category models
 */
export interface Switch {
  readonly from: NodeAddress
  readonly to: NodeAddress
  readonly at: number
  readonly via: "+switch-master" | "check"
  /** For `+switch-master`: when the sentinel's message arrived (before `ROLE` was checked). */
  readonly announcedAt?: number
}

/**
 * What the Sentinel client knows of the topology, for code that must follow the primary
 * (`PubSub.layer()` on a Sentinel client) and for diagnostics.
 *
 * @since 0.2.0
 * @category models
 */
export interface SentinelService {
  readonly name: string
  /** The primary the client uses now. */
  readonly primary: () => NodeAddress
  /** Every move to a new primary so far, oldest first. */
  readonly switches: () => ReadonlyArray<Switch>
  /** Calls `listener` on every later move; unregistered when the scope closes. */
  readonly onSwitch: (listener: (change: Switch) => void) => Effect.Effect<void, never, Scope.Scope>
  /** Asks the sentinels now (and moves if they name another primary). */
  readonly refresh: Effect.Effect<void>
}

/**
 * The service tag of `SentinelService`, provided by `ValkeySentinel.layer`.
 *
 * @since 0.2.0
 * @category services
 */
export class ValkeySentinel extends Context.Service<ValkeySentinel, SentinelService>()(
  "@effect-valkey/core/ValkeySentinel"
) {}

const node = (host: string, port: number): NodeAddress => ({
  host,
  port,
  address: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`
})

const parseAddress = (
  entry: string | { readonly host: string; readonly port: number }
): Effect.Effect<NodeAddress, ConfigError> => {
  if (typeof entry !== "string") return Effect.succeed(node(entry.host, entry.port))
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(entry)
  const port = match === null ? Number.NaN : Number(match[2])
  return match === null || !(port >= 1 && port <= 65535)
    ? Effect.fail(new ConfigError({ message: `sentinels: "${entry}" is not host:port`, field: "sentinels" }))
    : Effect.succeed(node(match[1]!, port))
}

const isLoading = (error: CommandError): boolean => error._tag === "ReplyError" && error.code === "LOADING"

const addressReply = (reply: RespValue): NodeAddress | null => {
  if (!Array.isArray(reply) || reply.length < 2) return null
  return node(Reply.text(reply[0]!), Number(Reply.text(reply[1]!)))
}

/** `SENTINEL REPLICAS`: the replicas that are up and linked to their primary. */
const replicasReply = (reply: RespValue): Array<NodeAddress> => {
  if (!Array.isArray(reply)) return []
  const out: Array<NodeAddress> = []
  for (const entry of reply) {
    const fields = new Map<string, string>()
    if (entry instanceof Map) for (const [k, v] of entry) fields.set(Reply.text(k), Reply.text(v))
    else if (Array.isArray(entry)) {
      for (let i = 0; i + 1 < entry.length; i += 2) fields.set(Reply.text(entry[i]!), Reply.text(entry[i + 1]!))
    }
    const flags = fields.get("flags") ?? ""
    if (/s_down|o_down|disconnected/.test(flags) || fields.get("master-link-status") !== "ok") continue
    const host = fields.get("ip")
    const port = Number(fields.get("port"))
    if (host !== undefined && port > 0) out.push(node(host, port))
  }
  return out
}

/** ROLE's first word; `primary` reads as `master`, a spelling a newer server may use. */
const roleReply = (reply: RespValue): string => {
  const role = Array.isArray(reply) ? Reply.text(reply[0]!) : "unknown"
  return role === "primary" ? "master" : role
}

/** What one sentinel said of the name. */
type Answer =
  | { readonly _tag: "Named"; readonly sentinel: string; readonly primary: NodeAddress }
  | { readonly _tag: "Unknown"; readonly sentinel: string }
  | { readonly _tag: "Failed"; readonly sentinel: string; readonly reason: string }

/**
 * Connects and returns the services; every connection (to the sentinels and to the data
 * nodes) closes with the scope. Fails with `SentinelUnavailableError` when no sentinel
 * answers and `PrimaryNotFoundError` when none names a reachable primary.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  config: SentinelConfig
): Effect.Effect<
  {
    readonly router: RouterService
    readonly valkey: Valkey.ValkeyService
    readonly scan: Scan.ScanService
    readonly sentinel: SentinelService
    readonly cache: ClientCache.ClientCacheService
  },
  ConfigError | ConnectionError | AuthError | SentinelError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const { sentinels: entries, name, sentinel: sentinelAuth, checkInterval, readFrom, ...dataFields } = config
    if (readFrom !== undefined && readFrom !== "primary" && readFrom !== "preferReplica") {
      return yield* new ConfigError({ message: "readFrom: primary or preferReplica", field: "readFrom" })
    }
    const scope = yield* Scope.Scope
    if (typeof name !== "string" || name === "") {
      return yield* new ConfigError({ message: "name: the monitored primary's name is required", field: "name" })
    }
    if (!Array.isArray(entries) || entries.length === 0) {
      return yield* new ConfigError({ message: "sentinels: at least one sentinel is required", field: "sentinels" })
    }
    const sentinels = yield* Effect.forEach(entries, parseAddress)
    const interval = Option.getOrUndefined(Duration.fromInput(checkInterval ?? defaults.checkInterval))
    if (interval === undefined || Duration.toMillis(interval) <= 0) {
      return yield* new ConfigError({ message: "checkInterval: must be a positive duration", field: "checkInterval" })
    }
    const resolved = yield* ValkeyConfig.resolve(dataFields)
    const cache =
      config.cache === undefined ? undefined : yield* ClientCache.make(config.cache, resolved.observability.metrics)
    // Sentinels: their own credentials and TLS, no database, and one attempt per question
    // (the next sentinel is asked instead of waiting for this one to come back).
    const sentinelResolved = yield* ValkeyConfig.resolve({
      ...(sentinelAuth?.username !== undefined ? { username: sentinelAuth.username } : {}),
      ...(sentinelAuth?.password !== undefined ? { password: sentinelAuth.password } : {}),
      ...(sentinelAuth?.tls !== undefined ? { tls: sentinelAuth.tls } : {}),
      ...(dataFields.protocol !== undefined ? { protocol: dataFields.protocol } : {}),
      ...(dataFields.connectTimeout !== undefined ? { connectTimeout: dataFields.connectTimeout } : {})
    })
    const sentinelOptions = (at: NodeAddress): ConnectionOptions => ({
      ...sentinelResolved.connection,
      host: at.host,
      port: at.port,
      requestTimeoutMillis: sentinelResolved.connection.connectTimeoutMillis
    })
    const dataOptions = (at: NodeAddress): ConnectionOptions => ({
      ...resolved.connection,
      host: at.host,
      port: at.port
    })
    const questionTimeout = resolved.connection.connectTimeoutMillis

    /** One short-lived connection, one command, closed after; bounded by the connect timeout. */
    const ask = <A>(options: ConnectionOptions, args: ReadonlyArray<string>, decode: Decoder<A>) =>
      Effect.scoped(
        Effect.flatMap(Connection.make(options), (connection) => connection.send(makeCommand(args, decode)))
      ).pipe(
        Effect.timeoutOrElse({
          duration: questionTimeout * 2,
          orElse: () =>
            Effect.fail(
              new ConnectionError({
                message: `${options.host}:${options.port} gave no answer within ${questionTimeout * 2} ms`
              })
            )
        })
      )

    // Servers older than Valkey 8 know only the MASTER spelling; remember which one works.
    let primaryVerb = "GET-PRIMARY-ADDR-BY-NAME"
    const askSentinel = (at: NodeAddress): Effect.Effect<Answer> =>
      ask(sentinelOptions(at), ["SENTINEL", primaryVerb, name], addressReply).pipe(
        Effect.catchIf(
          (error) =>
            error._tag === "ReplyError" &&
            primaryVerb === "GET-PRIMARY-ADDR-BY-NAME" &&
            /unknown|subcommand/i.test(error.message),
          () => {
            primaryVerb = "GET-MASTER-ADDR-BY-NAME"
            return ask(sentinelOptions(at), ["SENTINEL", primaryVerb, name], addressReply)
          }
        ),
        Effect.map(
          (primary): Answer =>
            primary === null
              ? { _tag: "Unknown", sentinel: at.address }
              : { _tag: "Named", sentinel: at.address, primary }
        ),
        Effect.catch((error) => Effect.succeed<Answer>({ _tag: "Failed", sentinel: at.address, reason: error.message }))
      )

    const isPrimary = (at: NodeAddress): Effect.Effect<string> =>
      ask(dataOptions(at), ["ROLE"], roleReply).pipe(
        Effect.catch((error) => Effect.succeed(`unreachable (${error.message})`))
      )

    // The sentinel that answered last is asked first next time.
    let preferred = 0
    let inUse: string | undefined
    /** Asks the sentinels in turn; the first primary named whose ROLE says so wins. */
    const discover: Effect.Effect<NodeAddress, SentinelError> = Effect.gen(function* () {
      const notes: Array<string> = []
      let answered = false
      for (let k = 0; k < sentinels.length; k++) {
        const i = (preferred + k) % sentinels.length
        const answer = yield* askSentinel(sentinels[i]!)
        if (answer._tag === "Failed") {
          notes.push(`${answer.sentinel}: ${answer.reason}`)
          continue
        }
        answered = true
        if (answer._tag === "Unknown") {
          notes.push(`${answer.sentinel}: does not know "${name}"`)
          continue
        }
        // The node in use already passed ROLE, and commands would show if it stopped being
        // the primary; only a new one is checked (a connection per check saved).
        const role = answer.primary.address === inUse ? "master" : yield* isPrimary(answer.primary)
        if (role === "master") {
          preferred = i
          return answer.primary
        }
        notes.push(`${answer.sentinel}: names ${answer.primary.address}, whose ROLE is ${role}`)
      }
      return yield* answered
        ? new PrimaryNotFoundError({
            message: `no sentinel names a reachable primary for "${name}": ${notes.join("; ")}`,
            name,
            sentinels: notes
          })
        : new SentinelUnavailableError({
            message: `no sentinel answered for "${name}": ${notes.join("; ")}`,
            name,
            sentinels: notes
          })
    })

    const first = yield* discover
    let current = first
    inUse = first.address
    const history: Array<Switch> = []
    const listeners = new Set<(change: Switch) => void>()

    // The standalone router on the primary of the moment: new connections go there, and
    // `moveAll` brings the open ones along.
    const primaryRouter = yield* StandaloneRouter.make(resolved, () => dataOptions(current), cache?.tracking)
    const moveAll = () => {
      for (const c of primaryRouter.connections()) c.moveTo(current.host, current.port)
    }
    const switchTo = (to: NodeAddress, via: Switch["via"], announcedAt?: number) => {
      moveAll()
      if (to.address === current.address) return
      const change: Switch = {
        from: current,
        to,
        at: Date.now(),
        via,
        ...(announcedAt !== undefined ? { announcedAt } : {})
      }
      current = to
      inUse = to.address
      moveAll()
      history.push(change)
      for (const listener of listeners) listener(change)
    }

    // Reads from a replica (readFrom: preferReplica): one connection to a healthy replica the
    // sentinels list, replaced when it leaves that list or becomes the primary.
    let replica:
      | { readonly at: NodeAddress; readonly connection: Connection.Connection; readonly scope: Scope.Closeable }
      | undefined
    const healthyReplicas: Effect.Effect<ReadonlyArray<NodeAddress>> = Effect.gen(function* () {
      for (let k = 0; k < sentinels.length; k++) {
        const at = sentinels[(preferred + k) % sentinels.length]!
        const listed = yield* Effect.exit(ask(sentinelOptions(at), ["SENTINEL", "REPLICAS", name], replicasReply))
        if (Exit.isSuccess(listed)) return listed.value
      }
      return []
    })
    const refreshReplica: Effect.Effect<void> = Effect.gen(function* () {
      if (readFrom !== "preferReplica") return
      const healthy = yield* healthyReplicas
      const held = replica
      if (
        held !== undefined &&
        held.at.address !== current.address &&
        healthy.some((r) => r.address === held.at.address)
      ) {
        return
      }
      replica = undefined
      if (held !== undefined) {
        if (cache !== undefined) yield* cache.release(held.connection)
        yield* Scope.close(held.scope, Exit.void)
      }
      for (const candidate of healthy) {
        if (candidate.address === current.address) continue
        const own = yield* Scope.fork(scope, "sequential")
        // Reads cached from the replica are tracked there: it sends the invalidations of the
        // writes it replicates.
        const options = dataOptions(candidate)
        const opened = yield* Effect.exit(
          Connection.make(cache === undefined ? options : { ...options, tracking: cache.tracking }).pipe(
            Scope.provide(own)
          )
        )
        if (Exit.isSuccess(opened)) {
          replica = { at: candidate, connection: opened.value, scope: own }
          return
        }
        yield* Scope.close(own, Exit.void)
      }
    })

    // The periodic check, woken early by +switch-master (with the announced address).
    let wake: Deferred.Deferred<{ readonly to: NodeAddress; readonly at: number } | undefined> = Deferred.makeUnsafe()
    const check = (hint: { readonly to: NodeAddress; readonly at: number } | undefined) =>
      Effect.gen(function* () {
        const announced =
          hint !== undefined && hint.to.address !== current.address && (yield* isPrimary(hint.to)) === "master"
        if (announced) switchTo(hint.to, "+switch-master", hint.at)
        else {
          const found = yield* Effect.exit(discover)
          if (Exit.isSuccess(found)) switchTo(found.value, "check")
        }
        yield* refreshReplica
      })
    const checker = Effect.forever(
      Effect.gen(function* () {
        const hint = yield* Deferred.await(wake).pipe(
          Effect.timeoutOrElse({ duration: interval, orElse: () => Effect.succeed(undefined) })
        )
        wake = Deferred.makeUnsafe()
        yield* check(hint)
      })
    )

    const decoder = new TextDecoder()
    const asText = (value: RespValue | undefined) =>
      value instanceof Uint8Array ? decoder.decode(value) : value === undefined || value === null ? "" : String(value)
    /** Listens to +switch-master on one sentinel until that connection is lost, then the next. */
    const listenOn = (at: NodeAddress) =>
      Effect.scoped(
        Effect.gen(function* () {
          const lost = yield* Deferred.make<void>()
          const watch = yield* Connection.make(sentinelOptions(at))
          watch.setSubscriber({
            onFrame: (frame) => {
              if (!Array.isArray(frame) || asText(frame[0]) !== "message") return
              // "<name> <old-ip> <old-port> <new-ip> <new-port>"
              const parts = asText(frame[2]).split(" ")
              if (parts[0] !== name || parts.length < 5) return
              Deferred.doneUnsafe(wake, Exit.succeed({ to: node(parts[3]!, Number(parts[4])), at: Date.now() }))
            },
            onDisconnect: () => Deferred.doneUnsafe(lost, Exit.void)
          })
          if (!watch.writeUnanswered([["SUBSCRIBE", "+switch-master"]])) return
          // A sentinel may have switched while nobody listened: look now.
          Deferred.doneUnsafe(wake, Exit.succeed(undefined))
          yield* Deferred.await(lost)
        })
      ).pipe(Effect.ignore)
    let listening = 0
    const listener = Effect.forever(
      Effect.suspend(() => {
        const at = sentinels[listening++ % sentinels.length]!
        return Effect.andThen(listenOn(at), Effect.sleep("100 millis"))
      })
    )
    yield* refreshReplica
    yield* Effect.forkScoped(checker)
    yield* Effect.forkScoped(listener)

    yield* primaryRouter.credentials.keepFresh(() =>
      replica === undefined ? primaryRouter.connections() : [...primaryRouter.connections(), replica.connection]
    )
    /**
     * The replica a lone command goes to now (`readFrom: "preferReplica"`): a read-only, not
     * blocking one, while the replica is connected; else the primary takes it. Chosen when the
     * call runs, not when its Effect is built: the replica may change between the two.
     */
    const readerFor = (command: Command<unknown>) => {
      if (readFrom !== "preferReplica" || command.blockMillis !== undefined || !command.readonly) return undefined
      const reader = replica
      return reader !== undefined && reader.connection.status() === "ready" ? reader : undefined
    }
    const instrumentation = yield* Observability.make(resolved.observability, resolved.connection.database)
    // The guard stays outside: replica reads, tracing and the cache wrap the router underneath
    // it, the cache outermost (a hit costs no span and no command metric).
    const router = RouterGuard.mapUnguarded(primaryRouter, (primary) => {
      const plain: RouterService =
        readFrom !== "preferReplica"
          ? primary
          : Router.of({
              ...primary,
              run: (command) => {
                if (command.blockMillis !== undefined || !command.readonly) return primary.run(command)
                return Effect.suspend(() => {
                  const reader = readerFor(command)
                  // A replica loading a full sync answers LOADING (it ran nothing): the primary
                  // answers instead, as in a cluster.
                  return reader === undefined
                    ? primary.run(command)
                    : Effect.catchIf(reader.connection.send(command), isLoading, () => primary.run(command))
                })
              },
              connections: () =>
                replica === undefined ? primary.connections() : [...primary.connections(), replica.connection]
            })
      // Spans name the node a command goes to: the primary of the moment, or the replica.
      const instrumented =
        instrumentation === undefined
          ? plain
          : instrumentation.instrument(
              plain,
              (command, batch) => (batch ? undefined : readerFor(command)?.at) ?? current
            )
      return cache === undefined ? instrumented : cache.wrap(instrumented)
    })
    const sentinel: SentinelService = {
      name,
      primary: () => current,
      switches: () => history,
      onSwitch: (listener) =>
        Effect.acquireRelease(
          Effect.sync(() => listeners.add(listener)),
          () => Effect.sync(() => listeners.delete(listener))
        ).pipe(Effect.asVoid),
      refresh: check(undefined)
    }
    return {
      router,
      valkey: Valkey.make(router, instrumentation),
      scan: Scan.make(router),
      sentinel,
      cache: cache?.service ?? ClientCache.disabled
    }
  })

/**
 * A layer providing `Valkey`, `Scan`, `Router`, `ValkeySentinel` and `ClientCache` (disabled
 * without `cache`) for the primary the sentinels name, following failovers.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  config: SentinelConfig
): Layer.Layer<
  Valkey.Valkey | Scan.Scan | Router | ValkeySentinel | ClientCache.ClientCache,
  ConfigError | ConnectionError | AuthError | SentinelError
> =>
  Layer.effectContext(
    Effect.map(make(config), ({ cache, router, scan, sentinel, valkey }) =>
      Context.make(Router, router).pipe(
        Context.add(Valkey.Valkey, valkey),
        Context.add(Scan.Scan, scan),
        Context.add(ValkeySentinel, sentinel),
        Context.add(ClientCache.ClientCache, cache)
      )
    )
  )

/**
 * `SENTINELS` (comma-separated `host:port`), `SENTINEL_NAME`, `SENTINEL_USERNAME`,
 * `SENTINEL_PASSWORD` (redacted) and `SENTINEL_TLS`, with the data nodes' fields of
 * `ValkeyConfig.config` (`PASSWORD`, `DATABASE`, `TLS`, …); nest it (`Config.nested("VALKEY")`)
 * to read `VALKEY_SENTINELS`, ….
 *
 * @since 0.2.0
 * @category constructors
 */
export const config: Config.Config<SentinelConfig> = Config.all({
  data: ValkeyConfig.config,
  sentinels: Config.String("SENTINELS"),
  name: Config.String("SENTINEL_NAME"),
  username: Config.option(Config.String("SENTINEL_USERNAME")),
  password: Config.option(Config.Redacted("SENTINEL_PASSWORD")),
  tls: Config.option(Config.Boolean("SENTINEL_TLS"))
}).pipe(
  Config.map(({ data, name, password, sentinels, tls, username }): SentinelConfig => {
    const { host: _host, port: _port, url: _url, ...rest } = data
    const sentinel: SentinelConnectionConfig = {
      ...(Option.isSome(username) ? { username: username.value } : {}),
      ...(Option.isSome(password) ? { password: password.value } : {}),
      ...(Option.isSome(tls) ? { tls: tls.value } : {})
    }
    return {
      ...rest,
      name,
      sentinels: sentinels
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
      sentinel
    }
  })
)

/**
 * The same layer, with its configuration read from Effect `Config` (see `config`); fields
 * given in `overrides` win.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  from: Config.Config<SentinelConfig> = config,
  overrides: Partial<SentinelConfig> = {}
): Layer.Layer<
  Valkey.Valkey | Scan.Scan | Router | ValkeySentinel | ClientCache.ClientCache,
  ConfigError | ConnectionError | AuthError | SentinelError | Config.ConfigError
> => Layer.unwrap(Effect.map(from, (fields) => layer({ ...fields, ...overrides })))
