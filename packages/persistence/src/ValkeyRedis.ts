/**
 * Effect's own `Redis` service (`effect/persistence/Redis`) on this client, so every Redis-backed
 * module of Effect (`RateLimiter.layerStoreRedis`, `Persistence.layerRedis` under
 * `PersistedCache`, `PersistedQueue`, `CircuitBreaker`, …) runs on Valkey, standalone or cluster:
 *
 * - `send` runs the command line through `Valkey.run` as a server-routed command (a cluster
 *   routes it by the server's COMMAND table: keyed commands to their slot's owner, MGET/DEL
 *   split over slots, KEYS over every primary). Blocking commands (BLPOP, XREAD BLOCK, WAIT, …)
 *   get their block time, so they go to the blocking pool and are not cut by `requestTimeout`.
 * - `eval` runs a script with `Script` of the core package: EVALSHA, and one EVAL when the server
 *   answers NOSCRIPT (on the node the keys route to), so a script is sent whole once per server.
 * - `subscribe` holds a subscription of the `PubSub` service (`@effect-valkey/pubsub`): it is
 *   confirmed by the server before `subscribe` returns, and re-established after reconnects and
 *   failovers (messages published meanwhile are missed).
 * - `reserve` hands out connections of their own (`Valkey.dedicated`), pooled by Effect's
 *   `Redis.make` (`PoolOptions`). In a cluster, a reserved connection opens one dedicated
 *   connection per node on demand, to the primary serving each command's first key.
 *
 * Replies are plain JavaScript values as a RESP2 client gives them: strings, numbers, `null`,
 * arrays; RESP3 maps become flat `[field, value, …]` arrays, sets arrays, verbatim strings
 * strings, booleans `1`/`0`. Failures are `RedisError`s whose `cause` is this client's error
 * (`ReplyError`, `ConnectionError`, `TimeoutError`, `CrossSlotError`, `SubscribeError`, …).
 *
 * @since 0.1.0
 */
import { type ClusterConfig, ClusterRouter, Slot, type TopologyError, ValkeyCluster } from "@effect-valkey/cluster"
import {
  type AuthError,
  Command,
  Commands,
  type ConfigError,
  type ConnectionError,
  type DedicatedService,
  Reply,
  type RespValue,
  Script,
  Valkey,
  type ValkeyConfig,
  type ValkeyService,
  ValkeyStandalone,
  VerbatimString
} from "@effect-valkey/core"
import { PubSub, type PubSubOptions, type SubscribeError } from "@effect-valkey/pubsub"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Redis } from "effect/persistence"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/**
 * Options of the layers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The pool behind `reserve` (Effect's `Redis.PoolOptions`: at most 10 connections by default). */
  readonly pool?: Redis.PoolOptions | undefined
}

// --- replies and errors ---------------------------------------------------------------------

/** Commands whose RESP2 reply is an array of `[key, value]` pairs where RESP3 has a map. */
const PAIRS = new Set(["XREAD", "XREADGROUP"])

/**
 * A reply as a RESP2 client gives it: maps as flat `[field, value, …]` arrays (as
 * `[key, value]` pairs for XREAD / XREADGROUP), sets as arrays, verbatim strings as strings,
 * `true` as `1` and `false` as `null` (a Lua script's booleans under RESP2); other values as they
 * are. RESP3 doubles stay numbers, and the RESP3 pair arrays of `WITHSCORES` replies stay pairs:
 * connect with `protocol: 2` for exactly the RESP2 shapes.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toReply = (value: RespValue, command?: string): unknown => {
  if (value === null || typeof value === "string" || typeof value === "number") return value
  if (Array.isArray(value)) return value.map((item) => toReply(item))
  if (value instanceof Map) {
    const pairs = command !== undefined && PAIRS.has(command.toUpperCase())
    const out: Array<unknown> = []
    for (const [field, entry] of value) {
      if (pairs) out.push([toReply(field), toReply(entry)])
      else out.push(toReply(field), toReply(entry))
    }
    return out
  }
  if (value instanceof Set) return [...value].map((item) => toReply(item))
  if (value instanceof VerbatimString) return value.text
  if (typeof value === "boolean") return value ? 1 : null
  return value
}

/**
 * This client's error as the `RedisError` Effect's Redis interface requires, keeping it as the
 * cause. A `RespError` inside a reply is left in place, as RESP2 clients do.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toRedisError = (cause: unknown): Redis.RedisError => new Redis.RedisError({ cause })

const isNoScript = (error: Redis.RedisError): boolean => {
  const cause = error.cause as { readonly _tag?: unknown; readonly code?: unknown } | undefined
  return cause?._tag === "ReplyError" && cause.code === "NOSCRIPT"
}

// --- commands -------------------------------------------------------------------------------

/**
 * The command value of a command line: raw reply, routed in a cluster by the server's COMMAND
 * table, with its blocking facts (block time; WAIT on the connection of the writes).
 *
 * @since 0.1.0
 * @category commands
 */
export const commandOf = (command: string, args: ReadonlyArray<string>): Command.Command<RespValue> =>
  Command.make([command, ...args], Reply.raw, { serverRouted: true, ...Command.blockingOf(command, args) })

type Send = Redis.Redis["Service"]["send"]
type Eval = Redis.Redis["Service"]["eval"]
type AnyScript = Redis.Script<{ readonly params: ReadonlyArray<unknown>; readonly result: unknown }>

const sendWith =
  (run: (command: Command.Command<RespValue>) => Effect.Effect<RespValue, unknown>): Send =>
  <A = unknown>(command: string, ...args: ReadonlyArray<string>) =>
    Effect.suspend(() => run(commandOf(command, args))).pipe(
      Effect.map((reply) => toReply(reply, command) as A),
      Effect.mapError(toRedisError)
    )

// --- scripts --------------------------------------------------------------------------------

/** One core `Script` (source and SHA1, computed once) per Effect script descriptor. */
const scripts = new WeakMap<object, Script.Script<RespValue>>()

const coreScript = (script: AnyScript): Script.Script<RespValue> => {
  let found = scripts.get(script)
  if (found === undefined) {
    found = Script.make(script.lua)
    scripts.set(script, found)
  }
  return found
}

/** Keys and arguments of a call, stringified as Effect's own implementation does. */
const callOf = (script: AnyScript, params: ReadonlyArray<unknown>) => {
  const all = script.params(...params).map((param) => String(param))
  const keys = script.numberOfKeys(...params)
  return { keys: all.slice(0, keys), args: all.slice(keys) }
}

/** `eval` on the shared client: `Script.run` (EVALSHA, then one EVAL on NOSCRIPT), keyed routing. */
const evalOn =
  (runner: Script.Runner): Eval =>
  (script) =>
  (...params) =>
    Effect.suspend(() => {
      const { args, keys } = callOf(script as AnyScript, params)
      return Script.run(runner, coreScript(script as AnyScript), keys, args)
    }).pipe(
      Effect.map((reply) => toReply(reply) as never),
      Effect.mapError(toRedisError)
    )

/**
 * `eval` on a reserved connection, through its `send` (which tracks the connection's health for
 * the pool): the EVALSHA of `Script.command`, then on NOSCRIPT the EVAL of `Script.evalCommand`.
 */
const evalOnSend =
  (send: Send): Eval =>
  (script) =>
  (...params) =>
    Effect.suspend(() => {
      const { args, keys } = callOf(script as AnyScript, params)
      const core = coreScript(script as AnyScript)
      const line = (command: Command.Command<unknown>) => {
        const [name, ...rest] = command.args.map((arg) => String(arg))
        return send(name!, ...rest)
      }
      return line(Script.command(core, keys, args)).pipe(
        Effect.catchIf(isNoScript, () => line(Script.evalCommand(core, keys, args)))
      )
    }) as Effect.Effect<never, Redis.RedisError>

// --- reserved connections -------------------------------------------------------------------

interface Reserved {
  readonly send: Send
  readonly close: Effect.Effect<void>
}

/**
 * A connection for `Redis.make`'s pool: dedicated connections opened on demand in a scope of
 * its own (one in standalone, one per node used in a cluster), all closed by `close`, which
 * fails the commands still in flight with `ClosedError`.
 */
const reservedConnection = (
  valkey: ValkeyService,
  cluster: Option.Option<ClusterRouter.ClusterRouter["Service"]>
): Effect.Effect<Reserved, Redis.RedisError> =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const opened = new Map<string, Deferred.Deferred<DedicatedService, Redis.RedisError>>()

    const connectionTo = (
      address: string,
      open: Effect.Effect<DedicatedService, ConnectionError | AuthError, Scope.Scope>
    ): Effect.Effect<DedicatedService, Redis.RedisError> =>
      Effect.suspend(() => {
        const existing = opened.get(address)
        if (existing !== undefined) return Deferred.await(existing)
        const deferred = Deferred.makeUnsafe<DedicatedService, Redis.RedisError>()
        opened.set(address, deferred)
        return open.pipe(
          Scope.provide(scope),
          Effect.mapError(toRedisError),
          Effect.exit,
          Effect.flatMap((exit) => {
            if (Exit.isFailure(exit)) opened.delete(address)
            return Effect.andThen(Deferred.done(deferred, exit), exit)
          }),
          Effect.uninterruptible
        )
      })

    const route = (line: ReadonlyArray<string>): Effect.Effect<DedicatedService, Redis.RedisError> => {
      if (Option.isNone(cluster)) return connectionTo("standalone", valkey.dedicated)
      const router = cluster.value
      const topology = router.topology()
      // The node of the line's first key, by the router's own COMMAND table.
      return Effect.flatMap(Effect.mapError(router.firstKeyOf(line), toRedisError), (key) => {
        const owner = key === undefined ? undefined : topology.shardOfSlot(Slot.slotOf(key))?.primary
        return key === undefined || owner === undefined
          ? connectionTo(topology.primaries()[0]!.address, valkey.dedicated)
          : connectionTo(owner.address, valkey.dedicatedFor(key))
      })
    }

    // Standalone: open the one connection now, so `reserve` fails when the server is down.
    if (Option.isNone(cluster)) {
      yield* connectionTo("standalone", valkey.dedicated).pipe(Effect.onError(() => Scope.close(scope, Exit.void)))
    }

    const runOn = <A>(connection: DedicatedService, command: string, args: ReadonlyArray<string>) =>
      sendWith((c) => connection.run(c))<A>(command, ...args)

    if (Option.isNone(cluster)) {
      return {
        send: <A = unknown>(command: string, ...args: ReadonlyArray<string>) =>
          Effect.flatMap(route([command, ...args]), (connection) => runOn<A>(connection, command, args)),
        close: Scope.close(scope, Exit.void)
      }
    }

    // Cluster: WATCH and MULTI state lives on one node's connection. WATCH pins the node of its
    // keys; a MULTI without WATCH is answered here and sent, just before the first queued
    // command, to that command's node; the rest of the transaction, EXEC and DISCARD follow.
    let watching: DedicatedService | undefined
    let multi: "none" | "pending" | "open" = "none"
    let transaction: DedicatedService | undefined
    const reset = () => {
      multi = "none"
      transaction = undefined
      watching = undefined
    }
    const send = <A = unknown>(command: string, ...args: ReadonlyArray<string>): Effect.Effect<A, Redis.RedisError> =>
      Effect.suspend(() => {
        const name = command.toUpperCase()
        switch (name) {
          case "MULTI": {
            if (multi !== "none") {
              return Effect.fail(toRedisError(new Error("ERR MULTI calls can not be nested")))
            }
            if (watching !== undefined) {
              multi = "open"
              transaction = watching
              return runOn<A>(watching, command, args)
            }
            multi = "pending"
            return Effect.succeed("OK" as A)
          }
          case "EXEC":
          case "DISCARD": {
            if (multi === "pending") {
              reset()
              return Effect.succeed((name === "EXEC" ? [] : "OK") as A)
            }
            if (multi === "open") {
              const connection = transaction!
              reset()
              return runOn<A>(connection, command, args)
            }
            break
          }
          case "UNWATCH": {
            const connection = watching
            watching = undefined
            if (connection !== undefined) return runOn<A>(connection, command, args)
            break
          }
        }
        if (multi === "open") return runOn<A>(transaction!, command, args)
        return Effect.flatMap(route([command, ...args]), (connection) => {
          if (multi === "pending") {
            multi = "open"
            transaction = connection
            // The MULTI the caller asked for before its first command: the client's own definition.
            const begin = Effect.mapError(connection.run(Commands.session.multi), toRedisError)
            return Effect.andThen(begin, runOn<A>(connection, command, args))
          }
          if (name === "WATCH") watching = connection
          return runOn<A>(connection, command, args)
        })
      })
    return { send, close: Scope.close(scope, Exit.void) }
  })

// --- the service ----------------------------------------------------------------------------

/**
 * Builds Effect's `Redis` service on the `Valkey` and `PubSub` services in context (standalone
 * or cluster: in a cluster, `ClusterRouter` is in context too and reserved connections route
 * by key). Reserved connections close with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Redis.Redis["Service"], never, Valkey | PubSub.PubSub | Scope.Scope> =>
  Effect.gen(function* () {
    const valkey = yield* Valkey
    const pubsub = yield* PubSub.PubSub
    const cluster = yield* Effect.serviceOption(ClusterRouter.ClusterRouter)
    // On a cluster the router routes raw commands by the server's COMMAND table (KEYS goes to
    // every primary and the arrays are concatenated, the documented default).
    const send: Send = sendWith((command) => valkey.run(command))

    const base = yield* Redis.make({
      send,
      subscribe: (channel, onMessage) =>
        Effect.gen(function* () {
          const subscription = yield* pubsub.subscription("channel", channel)
          return subscription.messages.pipe(
            Stream.runForEach((message) =>
              Effect.sync(() => onMessage({ channel: message.channel, message: message.payload }))
            ),
            Effect.mapError(toRedisError)
          )
        }).pipe(Effect.mapError((error: SubscribeError) => toRedisError(error))),
      connect: reservedConnection(valkey, cluster),
      ...(options.pool !== undefined ? { pool: options.pool } : {})
    })

    return Redis.Redis.of({
      send,
      subscribe: base.subscribe,
      eval: evalOn(valkey),
      reserve: Effect.map(base.reserve, (connection) => ({
        send: connection.send,
        eval: evalOnSend(connection.send)
      }))
    })
  })

/**
 * Effect's `Redis` service on the `Valkey` and `PubSub` services of either mode.
 *
 * ```ts
 * import { ValkeyStandalone } from "@effect-valkey/core"
 * import { ValkeyRedis } from "@effect-valkey/persistence"
 * import { PubSub } from "@effect-valkey/pubsub"
 * import { Layer } from "effect"
 *
 * const config = { url: "valkey://127.0.0.1:6379" }
 * const Live = ValkeyRedis.layer().pipe(
 *   Layer.provide(PubSub.layer()),
 *   Layer.provideMerge(ValkeyStandalone.layer(config))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Redis.Redis, never, Valkey | PubSub.PubSub> =>
  Layer.effect(Redis.Redis, make(options))

/**
 * Everything for one server: Effect's `Redis`, and the `Valkey` and `PubSub` services under it
 * (same `config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStandalone = (
  config: ValkeyConfig.ValkeyConfig = {},
  options: Options & { readonly pubsub?: PubSubOptions.PubSubOptions } = {}
): Layer.Layer<Redis.Redis | Valkey | PubSub.PubSub, ConfigError | ConnectionError | AuthError | SubscribeError> => {
  const client = ValkeyStandalone.layer(config)
  const pubsub = PubSub.layer(options.pubsub).pipe(Layer.provide(client))
  return layer(options).pipe(Layer.provideMerge(Layer.merge(client, pubsub)))
}

/**
 * Everything for a cluster: Effect's `Redis`, and the `Valkey`, `ClusterRouter` and `PubSub`
 * services under it (same `config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerCluster = (
  config: ClusterConfig.ClusterConfig,
  options: Options & { readonly pubsub?: PubSubOptions.PubSubOptions } = {}
): Layer.Layer<
  Redis.Redis | Valkey | ClusterRouter.ClusterRouter | PubSub.PubSub,
  ConfigError | ConnectionError | AuthError | SubscribeError | TopologyError
> => {
  const client = ValkeyCluster.layer(config)
  const pubsub = PubSub.layer(options.pubsub).pipe(Layer.provide(client))
  return layer(options).pipe(Layer.provideMerge(Layer.merge(client, pubsub)))
}
