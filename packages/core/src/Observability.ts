/**
 * Tracing and metrics, both off by default.
 *
 * - `tracing`: one span per command (and one per batch), named by the operation (`GET`,
 *   `CONFIG GET`, `MULTI`, `BATCH SET`), of kind `client`, with the OpenTelemetry database
 *   attributes `db.system.name` (`valkey`), `db.operation.name`, `db.namespace` (the database
 *   index), `server.address` and `server.port`; on failure `error.type` (the error's tag) and,
 *   for a server error, `db.response.status_code` (`WRONGTYPE`, `NOSCRIPT`, …). Arguments,
 *   keys, values and credentials never go into a span.
 * - `metrics`: Effect `Metric`s named `valkey.*` (see `commands`, `commandErrors`,
 *   `commandDuration`, `inflight`, `reconnects`, `retries`, `pubsubDropped`), updated in the
 *   `MetricRegistry` of the context the client's layer is built in.
 *
 * What is on is decided once, when the client is built: with both off the client's command
 * path is the same code as if this module did not exist.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"
import type * as Batch from "./Batch.ts"
import * as Command from "./Command.ts"
import type { CommandError } from "./errors.ts"
import type { RouterService } from "./Router.ts"

/**
 * `tracing: true`, or options: constant attributes added to every span (e.g.
 * `{ "peer.service": "sessions" }`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TracingOptions {
  readonly attributes?: Readonly<Record<string, string | number | boolean>>
}

/**
 * `metrics: true`, or options: constant attributes added to every series of this client
 * (e.g. `{ client: "cache" }`), to tell clients apart in one registry.
 *
 * @since 0.1.0
 * @category models
 */
export interface MetricsOptions {
  readonly attributes?: Readonly<Record<string, string>>
}

/**
 * What is on, resolved from a configuration (`undefined`: off).
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly tracing: TracingOptions | undefined
  readonly metrics: MetricsOptions | undefined
}

/**
 * The settings of a (validated) configuration's `tracing` and `metrics` fields.
 *
 * @since 0.1.0
 * @category constructors
 */
export const settings = (config: {
  readonly tracing?: boolean | TracingOptions | undefined
  readonly metrics?: boolean | MetricsOptions | undefined
}): Settings => ({
  tracing: config.tracing === true ? {} : typeof config.tracing === "object" ? config.tracing : undefined,
  metrics: config.metrics === true ? {} : typeof config.metrics === "object" ? config.metrics : undefined
})

// -------------------------------------------------------------------------------------------
// The metrics. Each series of a client carries the client's `metrics.attributes` and the
// attributes named below; read one with `Metric.value(Metric.withAttributes(metric, attrs))`
// or all of them with `Metric.snapshot`.
// -------------------------------------------------------------------------------------------

const COMMANDS = "Commands issued, by db.operation.name"
const ERRORS = "Commands that failed, by error.type (the error's tag)"
const DURATION = "Command latency in milliseconds, from issue to reply, by db.operation.name"
const INFLIGHT = "Commands issued and not yet answered"
const RECONNECTS = "Connections re-established after a loss, by server.address and server.port"
const RETRIES = "Commands sent again after a -LOADING reply, by error.type, server.address and server.port"
const DROPPED = "Pub/sub messages dropped by a full subscription buffer (dropping or sliding)"

/**
 * Latency buckets (milliseconds): 50 µs to 10 s.
 *
 * @since 0.1.0
 * @category metrics
 */
export const durationBoundaries: ReadonlyArray<number> = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000
]

/**
 * `valkey.commands`: a counter of commands issued, attribute `db.operation.name` (`GET`,
 * `CONFIG GET`; a batch counts once, as `MULTI`, `BATCH` or `BATCH <NAME>`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const commands: Metric.Counter<number> = Metric.counter("valkey.commands", {
  description: COMMANDS,
  incremental: true
})

/**
 * `valkey.command.errors`: a counter of failed commands, attribute `error.type` (the error's
 * tag: `ReplyError`, `TimeoutError`, `ConnectionError`, …; `Defect` for a defect). A command
 * of a batch that fails counts here too. Interruptions are not errors.
 *
 * @since 0.1.0
 * @category metrics
 */
export const commandErrors: Metric.Counter<number> = Metric.counter("valkey.command.errors", {
  description: ERRORS,
  incremental: true
})

/**
 * `valkey.command.duration`: a histogram of command latency in milliseconds (issue to reply
 * or failure), attribute `db.operation.name`; buckets `durationBoundaries`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const commandDuration: Metric.Histogram<number> = Metric.histogram("valkey.command.duration", {
  description: DURATION,
  boundaries: durationBoundaries
})

/**
 * `valkey.commands.inflight`: a gauge of commands issued and not yet answered (or failed),
 * per client (clients with the same attributes in one registry add up).
 *
 * @since 0.1.0
 * @category metrics
 */
export const inflight: Metric.Gauge<number> = Metric.gauge("valkey.commands.inflight", { description: INFLIGHT })

/**
 * `valkey.reconnects`: a counter of connections re-established after a loss (not first
 * connects), attributes `server.address` and `server.port`. Every connection of the client
 * counts: shared, blocking, dedicated and pub/sub.
 *
 * @since 0.1.0
 * @category metrics
 */
export const reconnects: Metric.Counter<number> = Metric.counter("valkey.reconnects", {
  description: RECONNECTS,
  incremental: true
})

/**
 * `valkey.command.retries`: a counter of commands sent again because the server answered
 * `-LOADING` (still loading its dataset), attributes `error.type` (`LOADING`),
 * `server.address` and `server.port`. The caller sees one command; this counts the extra sends.
 *
 * @since 0.3.0
 * @category metrics
 */
export const retries: Metric.Counter<number> = Metric.counter("valkey.command.retries", {
  description: RETRIES,
  incremental: true
})

/**
 * `valkey.pubsub.dropped`: a counter of pub/sub messages dropped because a subscription's
 * buffer was full (strategies `"dropping"` and `"sliding"`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const pubsubDropped: Metric.Counter<number> = Metric.counter("valkey.pubsub.dropped", {
  description: DROPPED,
  incremental: true
})

/** A series of one of the metrics above, with its attributes fixed once (no per-update merge). */
const counterSeries = (base: Metric.Counter<number>, description: string, attributes: Record<string, string>) =>
  Metric.counter(base.id, { description, incremental: true, attributes })

// -------------------------------------------------------------------------------------------
// Instrumentation
// -------------------------------------------------------------------------------------------

/**
 * Where a command goes: its node.
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoint {
  readonly host: string
  readonly port: number
}

/**
 * Wraps routers' `run` and `sendBatch` with spans and metric updates. Built once per client,
 * only when tracing or metrics are on.
 *
 * @since 0.1.0
 * @category models
 */
export interface Instrumentation {
  /**
   * The router with spans and metrics around `run` and `sendBatch`. `endpoint` is where
   * every command goes (one node), or a function telling, when the command starts, where a
   * command (`batch`: a batch, by its first command) goes (a cluster, `undefined` when it
   * spans nodes; a Sentinel client, which follows the primary and may read from a replica).
   */
  readonly instrument: <R extends RouterService>(
    router: R,
    endpoint: Endpoint | ((command: Command.Command<unknown>, batch: boolean) => Endpoint | undefined)
  ) => R
}

/**
 * The instrumentation for a client, or `undefined` when tracing and metrics are both off.
 * Metrics go to the `MetricRegistry` (and carry the `Metric.CurrentMetricAttributes`) of the
 * context this runs in: the context the client's layer is built in.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (settings: Settings, database: number): Effect.Effect<Instrumentation | undefined> =>
  settings.tracing === undefined && settings.metrics === undefined
    ? Effect.succeed(undefined)
    : Effect.map(Effect.context<never>(), (context) => new InstrumentationImpl(settings, String(database), context))

/**
 * The reconnect hook of a client's connections (see `ConnectionOptions.onReconnect`), or
 * `undefined` with metrics off.
 *
 * @since 0.1.0
 * @category constructors
 */
export const reconnectHook = (settings: Settings): Effect.Effect<((address: string) => void) | undefined> =>
  perServerHook(settings, reconnects, RECONNECTS)

/**
 * The retry hook of a client's connections (see `ConnectionOptions.onRetry`), or `undefined`
 * with metrics off.
 *
 * @since 0.3.0
 * @category constructors
 */
export const retryHook = (settings: Settings): Effect.Effect<((address: string, reason: string) => void) | undefined> =>
  perServerHook(settings, retries, RETRIES)

/** A counter hook with one series per server (and per `error.type`, when given one). */
const perServerHook = (settings: Settings, base: Metric.Counter<number>, description: string) => {
  const metrics = settings.metrics
  if (metrics === undefined) return Effect.succeed(undefined)
  return Effect.map(Effect.context<never>(), (context) => {
    const series = new Map<string, Metric.Counter<number>>()
    return (address: string, errorType?: string) => {
      const id = errorType === undefined ? address : `${errorType} ${address}`
      let counter = series.get(id)
      if (counter === undefined) {
        const colon = address.lastIndexOf(":")
        counter = counterSeries(base, description, {
          ...metrics.attributes,
          ...(errorType === undefined ? {} : { "error.type": errorType }),
          "server.address": address.slice(0, colon).replace(/^\[(.*)\]$/, "$1"),
          "server.port": address.slice(colon + 1)
        })
        series.set(id, counter)
      }
      counter.updateUnsafe(1, context)
    }
  })
}

/**
 * What counts a dropped pub/sub message, or `undefined` with metrics off.
 *
 * @since 0.1.0
 * @category constructors
 */
export const dropHook = (settings: Settings): Effect.Effect<(() => void) | undefined> => {
  const metrics = settings.metrics
  if (metrics === undefined) return Effect.succeed(undefined)
  return Effect.map(Effect.context<never>(), (context) => {
    const counter = counterSeries(pubsubDropped, DROPPED, { ...metrics.attributes })
    return () => counter.updateUnsafe(1, context)
  })
}

interface Series {
  readonly commands: Metric.Counter<number>
  readonly duration: Metric.Histogram<number>
}

const errorTag = (cause: Cause.Cause<CommandError>): string | undefined => {
  const error = Cause.findErrorOption(cause)
  if (Option.isSome(error)) return error.value._tag
  return Cause.hasInterruptsOnly(cause) ? undefined : "Defect"
}

/** `MULTI` for a transaction, `BATCH GET` when every command is a GET, else `BATCH`. */
const batchName = (batch: Batch.Sequence): string => {
  if (batch._tag === "Transaction") return "MULTI"
  const commands = batch.commands
  if (commands.length === 0) return "BATCH"
  const first = Command.name(commands[0]!)
  for (let i = 1; i < commands.length; i++) if (Command.name(commands[i]!) !== first) return "BATCH"
  return `BATCH ${first}`
}

class InstrumentationImpl implements Instrumentation {
  private readonly tracing: TracingOptions | undefined
  private readonly metrics: MetricsOptions | undefined
  private readonly database: string
  private readonly context: Context.Context<never>
  private readonly series = new Map<string, Series>()
  private readonly errors = new Map<string, Metric.Counter<number>>()
  private readonly inflight: Metric.Gauge<number> | undefined

  constructor(settings: Settings, database: string, context: Context.Context<never>) {
    this.tracing = settings.tracing
    this.metrics = settings.metrics
    this.database = database
    this.context = context
    this.inflight =
      settings.metrics === undefined
        ? undefined
        : Metric.gauge(inflight.id, { description: INFLIGHT, attributes: { ...settings.metrics.attributes } })
  }

  readonly instrument = <R extends RouterService>(
    router: R,
    endpoint: Endpoint | ((command: Command.Command<unknown>, batch: boolean) => Endpoint | undefined)
  ): R => {
    const observe = this.observe(endpoint)
    return {
      ...router,
      run: <A>(command: Command.Command<A>) =>
        observe(Command.name(command), command, 0, () => router.run(command)) as Effect.Effect<A, CommandError>,
      sendBatch: ((batch) => {
        const commands = batch.commands
        // A transaction's size leaves out its MULTI and EXEC; it goes where its keys are.
        const size = batch._tag === "Transaction" ? commands.length - 2 : commands.length
        const keyed = commands.find((c) => c.firstKey >= 0) ?? commands[0]
        return observe(batchName(batch), keyed, size, () => router.sendBatch(batch))
      }) as Batch.SendBatch
    }
  }

  /**
   * The wrapper, chosen once: spans and metrics, spans only, or metrics only. `run` is called
   * when the command starts (in the span), not when its effect is built. `size` is 0 for one
   * command, the number of commands for a batch.
   */
  private observe(
    endpoint: Endpoint | ((command: Command.Command<unknown>, batch: boolean) => Endpoint | undefined)
  ): (
    name: string,
    first: Command.Command<unknown> | undefined,
    size: number,
    run: () => Effect.Effect<unknown, CommandError>
  ) => Effect.Effect<unknown, CommandError> {
    const tracing = this.tracing
    const metrics = this.metrics
    if (tracing === undefined) {
      return (name, _first, size, run) =>
        Effect.suspend(() => {
          const started = this.started(name)
          return Effect.onExit(run(), (exit) => this.ended(name, started, size, exit, undefined))
        })
    }
    const database = this.database
    const extra = tracing.attributes
    const fixed = typeof endpoint === "function" ? undefined : endpoint
    const locate = typeof endpoint === "function" ? endpoint : undefined
    const makeOptions = (name: string, size: number): Tracer.SpanOptionsNoTrace => ({
      kind: "client",
      attributes: {
        ...extra,
        "db.system.name": "valkey",
        "db.operation.name": name,
        "db.namespace": database,
        ...(fixed !== undefined ? { "server.address": fixed.host, "server.port": fixed.port } : {}),
        ...(size > 0 ? { "db.operation.batch.size": size } : {})
      }
    })
    // A single command's span options depend on its name only: built once per name.
    const cached = new Map<string, Tracer.SpanOptionsNoTrace>()
    const spanOptions = (name: string, size: number): Tracer.SpanOptionsNoTrace => {
      if (size > 0) return makeOptions(name, size)
      let options = cached.get(name)
      if (options === undefined) {
        options = makeOptions(name, 0)
        cached.set(name, options)
      }
      return options
    }
    return (name, first, size, run) =>
      Effect.useSpan(name, spanOptions(name, size), (span) => {
        if (locate !== undefined && first !== undefined) {
          const where = locate(first, size > 0)
          if (where !== undefined) {
            span.attribute("server.address", where.host)
            span.attribute("server.port", where.port)
          }
        }
        const started = metrics === undefined ? 0 : this.started(name)
        return Effect.onExit(run(), (exit) =>
          metrics === undefined ? annotate(span, exit) : this.ended(name, started, size, exit, span)
        )
      })
  }

  private seriesOf(name: string): Series {
    let series = this.series.get(name)
    if (series === undefined) {
      const attributes = { ...this.metrics!.attributes, "db.operation.name": name }
      series = {
        commands: counterSeries(commands, COMMANDS, attributes),
        duration: Metric.histogram(commandDuration.id, {
          description: DURATION,
          boundaries: durationBoundaries,
          attributes
        })
      }
      this.series.set(name, series)
    }
    return series
  }

  private started(name: string): number {
    this.seriesOf(name).commands.updateUnsafe(1, this.context)
    this.inflight!.modifyUnsafe(1, this.context)
    return performance.now()
  }

  private ended(
    name: string,
    started: number,
    size: number,
    exit: Exit.Exit<unknown, CommandError>,
    span: Tracer.Span | undefined
  ): Effect.Effect<void> {
    const context = this.context
    this.inflight!.modifyUnsafe(-1, context)
    this.seriesOf(name).duration.updateUnsafe(performance.now() - started, context)
    if (Exit.isFailure(exit)) {
      const tag = errorTag(exit.cause)
      if (tag !== undefined) this.errorOf(tag).updateUnsafe(1, context)
    } else if (size > 0) {
      // A batch's commands fail one by one (a transaction's, as failures to queue).
      for (const one of exit.value as ReadonlyArray<Exit.Exit<unknown, CommandError>>) {
        if (Exit.isFailure(one)) {
          const tag = errorTag(one.cause)
          if (tag !== undefined) this.errorOf(tag).updateUnsafe(1, context)
        }
      }
    }
    return span === undefined ? Effect.void : annotate(span, exit)
  }

  private errorOf(tag: string): Metric.Counter<number> {
    let counter = this.errors.get(tag)
    if (counter === undefined) {
      counter = counterSeries(commandErrors, ERRORS, { ...this.metrics!.attributes, "error.type": tag })
      this.errors.set(tag, counter)
    }
    return counter
  }
}

/** On failure: `error.type` (the tag) and, for a server error, its code. */
const annotate = (span: Tracer.Span, exit: Exit.Exit<unknown, CommandError>): Effect.Effect<void> => {
  if (Exit.isFailure(exit)) {
    const error = Cause.findErrorOption(exit.cause)
    if (Option.isSome(error)) {
      span.attribute("error.type", error.value._tag)
      if (error.value._tag === "ReplyError") span.attribute("db.response.status_code", error.value.code)
    } else if (!Cause.hasInterruptsOnly(exit.cause)) {
      span.attribute("error.type", "Defect")
    }
  }
  return Effect.void
}
