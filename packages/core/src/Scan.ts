/**
 * The `Scan` service: SCAN, HSCAN, SSCAN and ZSCAN as pull-based Streams. A page is fetched
 * only when the consumer pulls, so `Stream.take(10)` makes one or two calls, and dropping the
 * stream leaves nothing behind. Keys changed during a scan follow SCAN's own guarantee: every
 * key present for the whole scan is returned at least once, and duplicates are possible.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Key } from "./Args.ts"
import type { Command } from "./Command.ts"
import * as ScanCommands from "./commands/scan.ts"
import type { CommandError } from "./errors.ts"
import type { RouterService } from "./Router.ts"

export type {
  /**
   * The SCAN filters: `match`, `count` and `type`.
   *
   * @since 0.1.0
   * @category models
   */
  ScanOptions
} from "./commands/scan.ts"

/**
 * Options of `keys`: the SCAN filters, and for a cluster whether slots that no node serves are
 * skipped (`allowUncoveredSlots`) instead of failing the stream with `UncoveredSlotsError`. A
 * standalone server serves every slot, so there the flag changes nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeysOptions extends ScanCommands.ScanOptions {
  readonly allowUncoveredSlots?: boolean
}

/**
 * Pull-based Streams over SCAN, HSCAN, SSCAN and ZSCAN: a page is fetched only when the
 * consumer pulls.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScanService {
  /** Every key of the database (of the whole cluster, in cluster mode) matching the filters. */
  keys(options?: KeysOptions): Stream.Stream<string, CommandError>
  /** The fields and values of a hash. */
  hscan(
    key: Key,
    options?: Omit<ScanCommands.ScanOptions, "type">
  ): Stream.Stream<readonly [string, string], CommandError>
  /** The members of a set. */
  sscan(key: Key, options?: Omit<ScanCommands.ScanOptions, "type">): Stream.Stream<string, CommandError>
  /** The members of a sorted set with their scores. */
  zscan(
    key: Key,
    options?: Omit<ScanCommands.ScanOptions, "type">
  ): Stream.Stream<{ readonly member: string; readonly score: number }, CommandError>
}

/**
 * A cursor loop as a Stream: starts at "0", ends when the server hands "0" back.
 *
 * @since 0.1.0
 * @category constructors
 */
export const paginate = <A>(
  run: <X>(command: Command<X>) => Effect.Effect<X, CommandError>,
  page: (cursor: string) => Command<ScanCommands.ScanPage<A>>
): Stream.Stream<A, CommandError> =>
  Stream.paginate("0", (cursor: string) =>
    Effect.map(
      run(page(cursor)),
      ({ cursor: next, items }) => [items, next === "0" ? Option.none<string>() : Option.some(next)] as const
    )
  )

/**
 * The scan streams of one node (standalone mode).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (router: RouterService): ScanService => {
  const run = <X>(command: Command<X>) => router.run(command)
  return {
    keys: (options) => paginate(run, (cursor) => ScanCommands.scanPage(cursor, options)),
    hscan: (key, options) => paginate(run, (cursor) => ScanCommands.hscanPage(key, cursor, options)),
    sscan: (key, options) => paginate(run, (cursor) => ScanCommands.sscanPage(key, cursor, options)),
    zscan: (key, options) => paginate(run, (cursor) => ScanCommands.zscanPage(key, cursor, options))
  }
}

/**
 * The scan Streams as a service, provided by the standalone and cluster layers.
 *
 * @since 0.1.0
 * @category services
 */
export class Scan extends Context.Service<Scan, ScanService>()("@effect-valkey/core/Scan") {
  /** The scan streams of one node; see {@link make}. */
  static readonly make = (router: RouterService): ScanService => make(router)
}
