/**
 * Server-assisted client-side caching: reads of cacheable commands (`CommandOptions.cacheable`:
 * GET, MGET, HGET, HGETALL, SMEMBERS, ZRANGE, …) are answered from memory, and the server
 * says when to forget them (`CLIENT TRACKING`). Under RESP3 its invalidations arrive as push
 * frames on the connection that read the key; under RESP2 a dedicated connection per node
 * subscribes to `__redis__:invalidate` and the tracking connections `REDIRECT` there.
 *
 * What keeps it correct: tracking is turned on in every (re)connect's handshake, before any
 * queued command; a read whose key is invalidated (or the cache flushed) while it is in flight
 * is answered but not kept; this client's own writes drop their keys before they are sent
 * (read-your-writes without waiting for the server's invalidation); a lost connection, or a
 * lost invalidation connection, drops what depended on it (invalidations may have been
 * missed): everything, or in a cluster the keys of that node's slots; a cluster slot that
 * moves drops its keys; `FLUSHALL`/`FLUSHDB` empty it (the server sends a
 * null invalidation).
 *
 * @since 0.3.0
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import type { Key } from "../Args.ts"
import * as Command from "../Command.ts"
import { clientId } from "../commands/connection.ts"
import * as Session from "../commands/session.ts"
import * as Connection from "../connection/Connection.ts"
import type { ConnectionOptions, Tracking } from "../connection/ConnectionOptions.ts"
import { type AuthError, type CommandError, ConfigError, type ConnectionError } from "../errors.ts"
import type { MetricsOptions } from "../Observability.ts"
import type { RouterService } from "../Router.ts"
import type { RespArg, RespPush, RespValue } from "../resp/types.ts"
import { CacheStore, type Flight } from "./CacheStore.ts"

/**
 * The `cache` field of a client's configuration.
 *
 * - `maxEntries` (default 10,000) and `maxBytes` (optional, an estimate of the decoded
 *   values' size) bound the memory; the least recently used entry goes first.
 * - `ttl`: an entry is dropped this long after it was filled, even without an invalidation
 *   (default: none; the server's invalidations keep entries fresh).
 * - `mode`: `"default"` (the server tracks the keys this client read and invalidates only
 *   those; costs server memory per key) or `"broadcast"` (`BCAST`: the server sends an
 *   invalidation for every change to a key under `prefixes`, read or not; no server memory).
 * - `prefixes`: only keys starting with one of them are cached (and, in broadcast mode, the
 *   server only reports those).
 * - `commands`: only these cacheable commands are cached (names like `"GET"`).
 *
 * @since 0.3.0
 * @category models
 */
export interface CacheOptions {
  readonly maxEntries?: number
  readonly maxBytes?: number
  readonly ttl?: Duration.Input
  readonly mode?: "default" | "broadcast"
  readonly prefixes?: ReadonlyArray<string>
  readonly commands?: ReadonlyArray<string>
}

/**
 * The Schema that checks `CacheOptions` (part of `ValkeyConfigSchema`).
 *
 * @since 0.3.0
 * @category models
 */
export const CacheOptionsSchema = Schema.Struct({
  maxEntries: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  maxBytes: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  ttl: Schema.optional(Schema.Union([Schema.Number, Schema.String, Schema.Duration])),
  mode: Schema.optional(Schema.Literals(["default", "broadcast"])),
  prefixes: Schema.optional(Schema.Array(Schema.String)),
  commands: Schema.optional(Schema.Array(Schema.NonEmptyString))
})

/**
 * What the cache did since the client started, and what it holds now.
 *
 * @since 0.3.0
 * @category models
 */
export interface CacheStats {
  readonly hits: number
  /** Reads sent to the server (concurrent misses of one line count once). */
  readonly misses: number
  /** Entries dropped by the `maxEntries`/`maxBytes` bounds. */
  readonly evictions: number
  /** Entries dropped because the server, a write of this client or a flush said so. */
  readonly invalidations: number
  readonly entries: number
  /** The estimated size of the entries (0 unless `maxBytes` is set). */
  readonly bytes: number
}

/**
 * The cache of a client, as its `ClientCache` service: what it did (`stats`) and a way to
 * drop keys by hand. A client without `cache` in its configuration has one that is never
 * used (`enabled` false).
 *
 * @since 0.3.0
 * @category models
 */
export interface ClientCacheService {
  readonly enabled: boolean
  readonly stats: Effect.Effect<CacheStats>
  /** Drops the entries that read any of `keys`; reads of them in flight are not kept. */
  readonly invalidate: (keys: ReadonlyArray<Key>) => Effect.Effect<void>
  /** Drops every entry. */
  readonly clear: Effect.Effect<void>
}

/**
 * The client-side cache of the client in context (`ValkeyStandalone.layer`,
 * `ValkeyCluster.layer`).
 *
 * @since 0.3.0
 * @category services
 */
export class ClientCache extends Context.Service<ClientCache, ClientCacheService>()(
  "@effect-valkey/core/ClientCache"
) {}

const zeroStats: CacheStats = { hits: 0, misses: 0, evictions: 0, invalidations: 0, entries: 0, bytes: 0 }

/**
 * The service of a client without a cache.
 *
 * @since 0.3.0
 * @category constructors
 */
export const disabled: ClientCacheService = {
  enabled: false,
  stats: Effect.succeed(zeroStats),
  invalidate: () => Effect.void,
  clear: Effect.void
}

/** Options with defaults applied. */
interface Resolved {
  readonly maxEntries: number
  readonly maxBytes: number
  readonly ttlMillis: number
  readonly broadcast: boolean
  readonly prefixes: ReadonlyArray<string>
  readonly commands: ReadonlySet<string> | undefined
}

const resolve = (options: CacheOptions): Effect.Effect<Resolved, ConfigError> => {
  const checked = Schema.decodeUnknownExit(CacheOptionsSchema)(options)
  if (Exit.isFailure(checked)) {
    return Effect.fail(new ConfigError({ message: `invalid configuration (cache): ${checked.cause}`, field: "cache" }))
  }
  let ttlMillis = 0
  if (options.ttl !== undefined) {
    const ttl = Duration.fromInput(options.ttl)
    if (Option.isNone(ttl) || Duration.toMillis(ttl.value) < 0) {
      return Effect.fail(new ConfigError({ message: "cache.ttl: not a duration", field: "cache" }))
    }
    ttlMillis = Duration.toMillis(ttl.value)
  }
  return Effect.succeed({
    maxEntries: options.maxEntries ?? 10_000,
    maxBytes: options.maxBytes ?? 0,
    ttlMillis,
    broadcast: options.mode === "broadcast",
    prefixes: options.prefixes ?? [],
    commands: options.commands === undefined ? undefined : new Set(options.commands.map((c) => c.toUpperCase()))
  })
}

const CHANNEL = "__redis__:invalidate"
/** A UTF-16 surrogate without its pair (what `String.prototype.isWellFormed`, ES2024, finds). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

// ignoreBOM: a key that starts with U+FEFF keeps it, as the entry's key does.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true })
const text = (value: RespValue): string | undefined =>
  typeof value === "string" ? value : value instanceof Uint8Array ? utf8.decode(value) : undefined

/** A node's invalidation connection (RESP2): subscribed to `__redis__:invalidate`. */
interface Channel {
  readonly connection: Connection.Connection
  /** Closes the connection (the node left the cluster). */
  readonly scope: Scope.Closeable
  /** Its client id once subscribed: what the node's tracking connections REDIRECT to. */
  subscribed: Deferred.Deferred<number>
  pendingId: number | undefined
  /**
   * `lost` since subscribed, then `redirecting` its users to the new id: until `ok` again, an
   * invalidation for a user that is ready may go to a dead id.
   */
  state: "ok" | "lost" | "redirecting"
  /** The tracking connections that redirect here. */
  readonly users: Set<Connection.Connection>
}

/**
 * A client's cache as the layers use it: its service, the `Tracking` its connections are made
 * with, the router wrapper that answers reads from it, and (for a cluster) a way to drop the
 * keys of moved slots.
 *
 * @since 0.3.0
 * @category models
 */
export interface Cache {
  readonly service: ClientCacheService
  readonly tracking: Tracking
  /** The router with cacheable reads answered from memory and writes dropping their keys. */
  readonly wrap: <R extends RouterService>(router: R) => R
  /** Drops the entries of keys `pick` picks (a cluster's moved slots). */
  readonly dropWhere: (pick: (key: string) => boolean) => void
  /** A node left the cluster: its invalidation connection (RESP2), if any, is closed. */
  readonly forget: (host: string, port: number) => Effect.Effect<void>
  /**
   * A tracking connection is closed for good (a Sentinel client's replica connection, when it
   * picks another): the entries it may have read go, since no invalidation for them comes any
   * more, and so does its invalidation connection (RESP2) once no other connection uses it.
   */
  readonly release: (connection: Connection.Connection) => Effect.Effect<void>
  /**
   * From now on, a lost tracking or invalidation connection to `address` drops only the
   * entries of the keys `keysOf(address)` picks (a cluster: the keys of the slots that node
   * serves); without it, or when it gives undefined, a loss empties the cache.
   */
  readonly lossesPerNode: (keysOf: (address: string) => ((key: string) => boolean) | undefined) => void
}

class CacheImpl implements Cache {
  private readonly store: CacheStore
  private keysOf: ((address: string) => ((key: string) => boolean) | undefined) | undefined = undefined
  readonly service: ClientCacheService
  readonly tracking: Tracking
  private readonly options: Resolved
  private readonly scope: Scope.Scope
  private readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>
  private readonly channels = new Map<string, Channel>()
  /** Invalidation connections not `ok`. */
  private degraded = 0
  /** `commands` or `prefixes` restrict what is cached. */
  private readonly filtered: boolean

  constructor(
    options: Resolved,
    store: CacheStore,
    scope: Scope.Scope,
    runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>
  ) {
    this.options = options
    this.filtered = options.commands !== undefined || options.prefixes.length > 0
    this.store = store
    this.scope = scope
    this.runFork = runFork
    this.tracking = {
      prepare: (connection, connectionOptions, protocol) => this.prepare(connection, connectionOptions, protocol),
      onPush: (push) => this.onPush(push),
      onLost: (address) => this.lost(address)
    }
    this.service = {
      enabled: true,
      stats: Effect.sync(() => ({
        ...this.store.counters,
        entries: this.store.size,
        bytes: this.store.bytes
      })),
      invalidate: (keys) =>
        Effect.sync(() => {
          for (const key of keys) this.store.invalidate(typeof key === "string" ? key : utf8.decode(key))
        }),
      clear: Effect.sync(() => this.store.flush())
    }
  }

  // --- reads and writes through the router ----------------------------------------------------

  wrap<R extends RouterService>(router: R): R {
    return {
      ...router,
      run: <A>(command: Command.Command<A>): Effect.Effect<A, CommandError> => {
        if (command.cacheable === true) return this.read(router, command)
        if (command.readonly) return router.run(command)
        return Effect.suspend(() => {
          this.written(command)
          return router.run(command)
        })
      },
      sendBatch: (batch) =>
        Effect.suspend(() => {
          for (const command of batch.commands) if (!command.readonly) this.written(command)
          return router.sendBatch(batch)
        })
    }
  }

  /**
   * Read-your-writes: the keys a write of this client touches (all of them for FLUSHALL and
   * the like) are dropped before it is sent; the server's invalidation for this client's own
   * write comes only after the write's reply.
   */
  private written(command: Command.Command<unknown>): void {
    if (command.writesAllKeys === true) {
      this.store.flush()
      return
    }
    for (const key of Command.keyNames(command)) this.store.invalidate(key)
  }

  private read<A>(router: RouterService, command: Command.Command<A>): Effect.Effect<A, CommandError> {
    return new Read(this, router, command)
  }

  /** What a cacheable read does when it runs: its entry's value, the read in flight, or a new one. */
  answer<A>(router: RouterService, command: Command.Command<A>): Effect.Effect<A, CommandError> {
    const key = this.firstKeyOf(command)
    if (key === undefined) return router.run(command)
    const at = command.firstKey
    const hit = this.store.lookup(key, at, command)
    if (hit !== undefined) return Exit.succeed(hit.value as A)
    const waiting = this.store.inFlight(key, at, command)
    if (waiting !== undefined) {
      return Effect.callback<A, CommandError>((resume) => {
        waiting.waiters.push(resume as (exit: unknown) => void)
      })
    }
    // The first miss sends the read in its own fiber (no fork per miss); the others wait.
    const keys = command.lastKey > at ? Command.keyNames(command) : undefined
    // A lone surrogate goes out (and its invalidation comes back) as U+FFFD: an entry kept
    // under the caller's string would never be invalidated.
    if (LONE_SURROGATE.test(key) || keys?.some((k) => LONE_SURROGATE.test(k)) === true) {
      return router.run(command)
    }
    const flight = this.store.begin(command, key, keys, this.degraded > 0 && this.gated())
    return Effect.onExit(router.run(command), (exit) => Effect.sync(() => this.settle(router, command, flight, exit)))
  }

  /**
   * A read now may not be kept: a ready connection still redirects to a lost invalidation
   * connection (RESP2). One that is reconnecting is not counted: its handshake waits for the
   * new id and its queued reads are written after it. Nor one of a node that is gone.
   */
  private gated(): boolean {
    for (const channel of this.channels.values()) {
      if (channel.state === "ok") continue
      for (const user of channel.users) if (user.status() === "ready") return true
    }
    return false
  }

  private settle<A>(
    router: RouterService,
    command: Command.Command<A>,
    flight: Flight,
    exit: Exit.Exit<A, CommandError>
  ): void {
    this.store.end(flight, Exit.isSuccess(exit) ? exit : undefined)
    if (flight.waiters.length === 0) return
    // The caller that sent it was interrupted: those waiting read again, in a fiber of their own.
    if (Exit.hasInterrupts(exit)) {
      for (const waiter of flight.waiters) this.runFork(this.read(router, command)).addObserver(waiter)
      return
    }
    for (const waiter of flight.waiters) waiter(exit)
  }

  /**
   * The first key of a read to cache here, or `undefined` when it is not to be cached: binary
   * arguments (entries compare arguments with ===), a key outside `prefixes`, a command
   * outside `commands`.
   */
  private firstKeyOf(command: Command.Command<unknown>): string | undefined {
    const args = command.args
    for (let i = 0; i < args.length; i++) {
      const type = typeof args[i]
      if (type !== "string" && type !== "number") return undefined
    }
    if (this.filtered && !this.admits(command)) return undefined
    const key = args[command.firstKey]!
    return typeof key === "string" ? key : String(key)
  }

  /** `commands` and `prefixes`, when given. */
  private admits(command: Command.Command<unknown>): boolean {
    const args = command.args
    const { commands, prefixes } = this.options
    if (commands !== undefined && !commands.has(String(args[0]).toUpperCase())) return false
    if (prefixes.length > 0) {
      for (let i = command.firstKey; i <= command.lastKey; i += command.keyStep) {
        const key = String(args[i])
        if (!prefixes.some((p) => key.startsWith(p))) return false
      }
    }
    return true
  }

  // --- invalidations --------------------------------------------------------------------------

  /** RESP3: `invalidate` push frames on the tracking connection itself. */
  private onPush(push: RespPush): void {
    const data = push.data
    if (data.length >= 2 && text(data[0]!) === "invalidate") this.onInvalidate(data[1]!)
  }

  /** The keys of an invalidation, or null: the server flushed (FLUSHALL, FLUSHDB). */
  private onInvalidate(keys: RespValue): void {
    if (keys === null) {
      this.store.flush()
      return
    }
    if (!Array.isArray(keys)) return
    for (const key of keys as ReadonlyArray<RespValue>) {
      const name = text(key)
      if (name !== undefined) this.store.invalidate(name)
    }
  }

  /** Invalidations from `address` may have been missed: what depended on them goes. */
  private lost(address: string): void {
    const pick = this.keysOf?.(address)
    if (pick === undefined) this.store.flush()
    else this.store.invalidateWhere(pick)
  }

  lossesPerNode(keysOf: (address: string) => ((key: string) => boolean) | undefined): void {
    this.keysOf = keysOf
  }

  dropWhere(pick: (key: string) => boolean): void {
    this.store.invalidateWhere(pick)
  }

  forget(host: string, port: number): Effect.Effect<void> {
    return Effect.suspend(() => this.closeChannel(`${host}:${port}`))
  }

  release(connection: Connection.Connection): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.lost(connection.address)
      return this.leave(connection, undefined)
    })
  }

  /** Takes `connection` off every channel but `kept`; a channel it leaves without users closes. */
  private leave(connection: Connection.Connection, kept: Channel | undefined): Effect.Effect<void> {
    const emptied: Array<string> = []
    for (const [address, channel] of this.channels) {
      if (channel !== kept && channel.users.delete(connection) && channel.users.size === 0) emptied.push(address)
    }
    return Effect.forEach(emptied, (address) => this.closeChannel(address), { discard: true })
  }

  private closeChannel(address: string): Effect.Effect<void> {
    const channel = this.channels.get(address)
    if (channel === undefined) return Effect.void
    this.channels.delete(address)
    if (channel.state !== "ok") this.degraded--
    channel.state = "ok"
    return Scope.close(channel.scope, Exit.void)
  }

  // --- tracking on each connection's handshake ---------------------------------------------

  private prepare(
    connection: Connection.Connection,
    options: ConnectionOptions,
    protocol: 2 | 3
  ): Effect.Effect<ReadonlyArray<RespArg>, ConnectionError | AuthError> {
    const { broadcast, prefixes } = this.options
    if (protocol === 3) return Effect.succeed(Session.clientTracking({ broadcast, prefixes }).args)
    return Effect.flatMap(this.channel(options), (channel) => {
      channel.users.add(connection)
      // A connection that moved (a Sentinel client's, after a failover) no longer redirects to
      // the old node's channel: an id there means nothing here.
      return Effect.andThen(
        this.leave(connection, channel),
        Effect.map(
          Deferred.await(channel.subscribed),
          (redirect) => Session.clientTracking({ redirect, broadcast, prefixes }).args
        )
      )
    })
  }

  /** The node's invalidation connection, opened (and subscribed) the first time. */
  private channel(options: ConnectionOptions): Effect.Effect<Channel, ConnectionError | AuthError> {
    return Effect.suspend(() => {
      const address = `${options.host}:${options.port}`
      const existing = this.channels.get(address)
      if (existing !== undefined) return Effect.succeed(existing)
      const channelOptions: ConnectionOptions = {
        ...options,
        protocol: 2,
        readOnly: false,
        tracking: undefined,
        onReconnect: undefined
      }
      return Effect.flatMap(Scope.fork(this.scope, "sequential"), (scope) =>
        Connection.make(channelOptions).pipe(
          Scope.provide(scope),
          Effect.tapError(() => Scope.close(scope, Exit.void)),
          Effect.flatMap((connection) => {
            const again = this.channels.get(address)
            if (again !== undefined) return Effect.as(Scope.close(scope, Exit.void), again)
            const channel: Channel = {
              connection,
              scope,
              subscribed: Deferred.makeUnsafe<number>(),
              pendingId: undefined,
              state: "ok",
              users: new Set()
            }
            this.channels.set(address, channel)
            connection.setSubscriber({
              onFrame: (frame) => this.onChannelFrame(channel, frame),
              onDisconnect: () => this.onChannelLost(channel, address)
            })
            connection.setReconnectHandler(() => this.runFork(this.subscribe(channel)))
            this.runFork(this.subscribe(channel))
            return Effect.succeed(channel)
          })
        )
      )
    })
  }

  /** Learns the connection's client id, then subscribes; the confirmation completes it. */
  private subscribe(channel: Channel): Effect.Effect<void> {
    return Effect.match(channel.connection.send(clientId()), {
      onFailure: () => channel.connection.destroySocket(),
      onSuccess: (id) => {
        channel.pendingId = id
        channel.connection.writeUnanswered([["SUBSCRIBE", CHANNEL]])
      }
    })
  }

  private onChannelFrame(channel: Channel, frame: RespValue): void {
    if (!Array.isArray(frame) || frame.length < 3) return
    const kind = text(frame[0] as RespValue)
    if (kind === "message" && text(frame[1] as RespValue) === CHANNEL) this.onInvalidate(frame[2] as RespValue)
    else if (kind === "subscribe" && channel.pendingId !== undefined) {
      const id = channel.pendingId
      channel.pendingId = undefined
      Deferred.doneUnsafe(channel.subscribed, Exit.succeed(id))
      if (channel.state === "lost") {
        channel.state = "redirecting"
        this.runFork(this.redirect(channel, id))
      }
    }
  }

  /**
   * The tracking connections that redirected to the lost invalidation connection are told the
   * new one; until they all answered, reads are not kept (an invalidation meanwhile is lost).
   * One that is reconnecting gets the new id in its handshake and this command after it. Lost
   * again meanwhile: the next subscription redirects again.
   */
  private redirect(channel: Channel, id: number): Effect.Effect<void> {
    const { broadcast, prefixes } = this.options
    const command = Session.clientTracking({ redirect: id, broadcast, prefixes })
    return Effect.forEach(
      [...channel.users],
      (connection) =>
        Effect.catchTag(Effect.asVoid(connection.send(command)), "ClosedError", () =>
          Effect.sync(() => channel.users.delete(connection))
        ),
      { concurrency: "unbounded", discard: true }
    ).pipe(
      Effect.ignore,
      Effect.ensuring(
        Effect.sync(() => {
          if (channel.state !== "redirecting") return
          channel.state = "ok"
          this.degraded--
        })
      )
    )
  }

  private onChannelLost(channel: Channel, address: string): void {
    if (channel.state === "ok") this.degraded++
    if (channel.state !== "lost") {
      channel.state = "lost"
      channel.subscribed = Deferred.makeUnsafe<number>()
    }
    channel.pendingId = undefined
    this.lost(address)
  }
}

/**
 * A cacheable read as an Effect of its own, answered when it runs: one object per call where
 * `Effect.suspend` made three (the thunk, its captured scope, the Effect), on the path of
 * every hit.
 */
class Read<A> extends Effectable.Class<A, CommandError> {
  private readonly cache: CacheImpl
  private readonly router: RouterService
  private readonly command: Command.Command<A>

  constructor(cache: CacheImpl, router: RouterService, command: Command.Command<A>) {
    super()
    this.cache = cache
    this.router = router
    this.command = command
  }

  asEffect(): Effect.Effect<A, CommandError> {
    return this.cache.answer(this.router, this.command)
  }
}

/**
 * The cache of a client configured with `cache`: its store, its metrics when `metrics` is on
 * (`valkey.cache.hits`, `.misses`, `.evictions`, `.invalidations`, `.entries`), and the fibers
 * of its reads, closed with the scope.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (
  options: CacheOptions,
  metrics: MetricsOptions | undefined
): Effect.Effect<Cache, ConfigError, Scope.Scope> =>
  Effect.gen(function* () {
    const resolved = yield* resolve(options)
    const scope = yield* Scope.fork(yield* Scope.Scope, "sequential")
    const fibers = yield* FiberSet.make().pipe(Scope.provide(scope))
    const runFork = yield* FiberSet.runtime(fibers)()
    const context = yield* Effect.context<never>()
    const meter = metrics === undefined ? undefined : makeMeter(metrics, context)
    const store = new CacheStore(
      { maxEntries: resolved.maxEntries, maxBytes: resolved.maxBytes, ttlMillis: resolved.ttlMillis },
      meter
    )
    return new CacheImpl(resolved, store, scope, runFork) as Cache
  })

/**
 * The cache metrics.
 *
 * @since 0.3.0
 * @category metrics
 */
export const metrics = {
  hits: Metric.counter("valkey.cache.hits", { description: "Reads answered from the client-side cache" }),
  misses: Metric.counter("valkey.cache.misses", { description: "Cacheable reads sent to the server" }),
  evictions: Metric.counter("valkey.cache.evictions", { description: "Entries dropped by the cache's bounds" }),
  invalidations: Metric.counter("valkey.cache.invalidations", {
    description: "Entries dropped by an invalidation, a write of this client or a flush"
  }),
  entries: Metric.gauge("valkey.cache.entries", { description: "Entries in the client-side cache" })
} as const

const makeMeter = (options: MetricsOptions, context: Context.Context<never>) => {
  const attributes = { ...options.attributes }
  const counter = (base: Metric.Counter<number>) =>
    Metric.counter(base.id, { description: base.description ?? "", incremental: true, attributes })
  const hits = counter(metrics.hits)
  const misses = counter(metrics.misses)
  const evictions = counter(metrics.evictions)
  const invalidations = counter(metrics.invalidations)
  const entries = Metric.gauge(metrics.entries.id, { description: metrics.entries.description ?? "", attributes })
  return {
    hit: () => hits.updateUnsafe(1, context),
    miss: () => misses.updateUnsafe(1, context),
    evicted: (n: number) => evictions.updateUnsafe(n, context),
    invalidated: (n: number) => invalidations.updateUnsafe(n, context),
    entries: (n: number) => entries.updateUnsafe(n, context)
  }
}
