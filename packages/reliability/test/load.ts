/**
 * A write load for fault tests: `callers` fibers, each writing keys of its own (`prefix:w:i`,
 * value = key) until stopped. Every call is recorded: acknowledged keys, failures by tag, the
 * slowest call, and the times of acknowledgements (to measure when throughput returns).
 */
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"

export interface LoadResult {
  readonly calls: number
  readonly acked: ReadonlyArray<string>
  /** Failures by error tag; "defect" for anything not in the error channel. */
  readonly failures: Readonly<Record<string, number>>
  /** Keys whose call failed: may or may not have been written. */
  readonly unconfirmed: ReadonlyArray<string>
  readonly slowestMs: number
  /** `Date.now()` of every acknowledgement, in order. */
  readonly ackTimes: ReadonlyArray<number>
  /** `Date.now()` of every failure. */
  readonly failTimes: ReadonlyArray<number>
  /** The first few defects, pretty-printed (there should be none). */
  readonly defects: ReadonlyArray<string>
}

/**
 * Starts the load; `stop` ends it after the calls in progress settle. `write(key)` is one
 * acknowledged write (a SET, or a SET confirmed by WAIT).
 */
export const startLoad = <E extends { readonly _tag: string }>(options: {
  readonly callers: number
  readonly prefix: string
  /** Key of caller `w`'s `i`th write (default `prefix:w:i`). */
  readonly key?: (w: number, i: number) => string
  readonly write: (key: string) => Effect.Effect<unknown, E>
  /** Pause between one caller's calls (default none). */
  readonly pauseMillis?: number
  /** Stop by itself after this many calls per caller (a bound for every loop). */
  readonly maxCallsPerCaller?: number
}) =>
  Effect.gen(function* () {
    const stop = yield* Deferred.make<void>()
    const acked: Array<string> = []
    const unconfirmed: Array<string> = []
    const ackTimes: Array<number> = []
    const failTimes: Array<number> = []
    const failures: Record<string, number> = {}
    const defects: Array<string> = []
    let calls = 0
    let slowestMs = 0
    const max = options.maxCallsPerCaller ?? 1_000_000
    const caller = (w: number) =>
      Effect.gen(function* () {
        for (let i = 0; i < max && !(yield* Deferred.isDone(stop)); i++) {
          const key = options.key?.(w, i) ?? `${options.prefix}:${w}:${i}`
          const started = Date.now()
          const exit = yield* Effect.exit(options.write(key))
          const now = Date.now()
          calls++
          slowestMs = Math.max(slowestMs, now - started)
          if (Exit.isSuccess(exit)) {
            acked.push(key)
            ackTimes.push(now)
          } else {
            const error = Exit.findErrorOption(exit)
            const e =
              error._tag === "Some" ? (error.value as { readonly _tag: string; readonly code?: string }) : undefined
            const tag = e === undefined ? "defect" : e.code !== undefined ? `${e._tag}:${e.code}` : e._tag
            failures[tag] = (failures[tag] ?? 0) + 1
            if (e === undefined && defects.length < 3) defects.push(Cause.pretty(exit.cause).slice(0, 2000))
            unconfirmed.push(key)
            failTimes.push(now)
            // A caller facing errors does not spin: a short pause before its next call.
            yield* Effect.sleep("10 millis")
          }
          if (options.pauseMillis !== undefined) yield* Effect.sleep(options.pauseMillis)
        }
      })
    const fiber = yield* Effect.forkChild(
      Effect.forEach(
        Array.from({ length: options.callers }, (_, w) => w),
        caller,
        { concurrency: "unbounded", discard: true }
      )
    )
    const acks = () => ackTimes.length
    const finish = (bound: Parameters<typeof Effect.timeout>[1]) =>
      Effect.gen(function* () {
        yield* Deferred.succeed(stop, undefined)
        // Every caller ends: no call hangs past its timeout.
        yield* Fiber.join(fiber).pipe(Effect.timeout(bound))
        return { calls, acked, failures, unconfirmed, slowestMs, ackTimes, failTimes, defects } satisfies LoadResult
      })
    return { finish, acks }
  })

/** Acknowledgements in [from, to). */
export const acksBetween = (result: LoadResult, from: number, to: number): number =>
  result.ackTimes.filter((t) => t >= from && t < to).length

/** The first acknowledgement at or after `from`, as milliseconds after `from`. */
export const firstAckAfter = (result: LoadResult, from: number): number | undefined => {
  const t = result.ackTimes.find((at) => at >= from)
  return t === undefined ? undefined : t - from
}

/** In chunks of `size`, the keys for which `exists` said no. */
/**
 * For loads whose writes are named `key|i` (one key overwritten by a caller's writes): the key
 * of every acknowledged write, and the last acknowledged write of each key that the key does
 * not hold now.
 */
export const lostLastWrites = <E>(
  acked: ReadonlyArray<string>,
  mget: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string | null>, E>
) =>
  Effect.gen(function* () {
    const last = new Map<string, string>()
    for (const name of acked) last.set(name.split("|")[0]!, name)
    const keys = [...last.keys()]
    const lost = yield* missing(
      keys.map((k) => last.get(k)!),
      (names) => mget(names.map((n) => n.split("|")[0]!))
    )
    return { keys: keys.length, lost }
  })

export const missing = <E>(
  keys: ReadonlyArray<string>,
  values: (chunk: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string | null>, E>,
  size = 500
) =>
  Effect.gen(function* () {
    const lost: Array<string> = []
    for (let i = 0; i < keys.length; i += size) {
      const chunk = keys.slice(i, i + size)
      const got = yield* values(chunk)
      chunk.forEach((key, j) => {
        if (got[j] !== key) lost.push(key)
      })
    }
    return lost
  })

/** Collects, in a background fiber, the numbers a subscription's messages carry as payload. */
export const receiveNumbers = (subscription: { readonly take: Effect.Effect<{ readonly payload: string }, unknown> }) =>
  Effect.gen(function* () {
    const received: Array<number> = []
    yield* subscription.take.pipe(
      Effect.tap((m) => Effect.sync(() => received.push(Number(m.payload)))),
      Effect.forever,
      Effect.forkChild
    )
    return received
  })
