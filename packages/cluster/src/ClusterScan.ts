/**
 * A SCAN over the whole cluster that misses no key through failovers and slot migrations.
 *
 * The state is which of the 16384 slots are done. One node is scanned at a time, with its own
 * cursor, from start to end. Before and after that pass the node is asked for its own view
 * (`CLUSTER NODES`): a slot counts as done only if the node served it in both views, with the
 * same config epoch (so it did not lose and regain it in between) and no migration marker on
 * it. Every other slot of the pass stays to do, and is scanned again on whoever serves it
 * then. Keys present for the whole scan are therefore returned at least once; some may come
 * more than once. Passes that count nothing (a migration marker that stays) are bounded.
 *
 * The state is a plain value (`ClusterScanCursor`): the Stream pulls one page per step, and
 * users who page by hand keep the cursor, and can drop it at any time.
 *
 * @since 0.1.0
 */
import { type CommandError, Commands, type KeysOptions, UncoveredSlotsError } from "@effect-valkey/core"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ClusterRouterService } from "./ClusterRouter.ts"
import * as NodeView from "./NodeView.ts"
import { SLOTS } from "./Slot.ts"

/**
 * Options of a cluster scan: the SCAN filters, and whether slots without an owner are skipped
 * (`allowUncoveredSlots`) instead of failing the scan with `UncoveredSlotsError`; the `Scan`
 * service's `keys` options, so pipelines do not care about the mode.
 *
 * @since 0.1.0
 * @category models
 */
export type ClusterScanOptions = KeysOptions

/**
 * Where a scan is: the slots done, and the pass in progress (a node, its SCAN cursor, and its
 * view when the pass began). Immutable: each step returns a new cursor.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterScanCursor {
  readonly done: Uint8Array
  readonly pass: Pass | undefined
  /** Passes in a row that ended in an error or counted no slot; the scan gives up past a limit. */
  readonly failures: number
}

interface Pass {
  readonly host: string
  readonly port: number
  readonly cursor: string
  readonly before: NodeView.NodeView
}

/**
 * The cursor of a scan that has not begun: no slot done yet.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start: ClusterScanCursor = { done: new Uint8Array(SLOTS), pass: undefined, failures: 0 }

/**
 * How many of the 16384 slots a cursor has covered.
 *
 * @since 0.1.0
 * @category getters
 */
export const slotsDone = (cursor: ClusterScanCursor): number => cursor.done.reduce((n, d) => n + d, 0)

const MAX_FAILURES = 20

/**
 * One step: the keys of one SCAN page (possibly none, at a pass boundary) and the next
 * cursor, or `undefined` when every slot is done.
 *
 * @since 0.1.0
 * @category constructors
 */
export const step = (
  router: ClusterRouterService,
  cursor: ClusterScanCursor,
  options: ClusterScanOptions = {}
): Effect.Effect<readonly [ReadonlyArray<string>, ClusterScanCursor | undefined], CommandError> =>
  cursor.pass === undefined ? beginPass(router, cursor, options) : continuePass(router, cursor, cursor.pass, options)

type Step = Effect.Effect<readonly [ReadonlyArray<string>, ClusterScanCursor | undefined], CommandError>

const beginPass = (router: ClusterRouterService, cursor: ClusterScanCursor, options: ClusterScanOptions): Step =>
  Effect.gen(function* () {
    const slot = cursor.done.indexOf(0)
    if (slot === -1) return [[], undefined] as const
    let shard = router.topology().shardOfSlot(slot)
    if (shard === undefined) {
      yield* Effect.ignore(router.refreshTopology)
      shard = router.topology().shardOfSlot(slot)
    }
    if (shard === undefined) {
      const uncovered = Array.from({ length: SLOTS }, (_, s) => s).filter(
        (s) => cursor.done[s] === 0 && router.topology().shardOfSlot(s) === undefined
      )
      if (options.allowUncoveredSlots !== true) {
        return yield* new UncoveredSlotsError({
          message: `${uncovered.length} slots have no owner, so a cluster scan cannot cover them`,
          slots: uncovered.length
        })
      }
      const done = cursor.done.slice()
      for (const s of uncovered) done[s] = 1
      return [[], { ...cursor, done }] as const
    }
    const node = shard.primary
    const before = yield* Effect.exit(
      router.runOn(NodeView.command, { type: "address", host: node.host, port: node.port })
    )
    if (before._tag === "Failure") return yield* failedPass(router, cursor, before)
    // The router's map is behind the node (a slot moved, a failover): a pass here would count
    // nothing for this slot, and the next would come back to the same node. Learn the map first.
    if (!before.value.primary || before.value.owned[slot] !== 1) {
      return yield* stale(router, cursor, slot, `${node.host}:${node.port}`)
    }
    return [[], { ...cursor, pass: { host: node.host, port: node.port, cursor: "0", before: before.value } }] as const
  })

const continuePass = (
  router: ClusterRouterService,
  cursor: ClusterScanCursor,
  pass: Pass,
  options: ClusterScanOptions
): Step =>
  Effect.gen(function* () {
    const route = { type: "address", host: pass.host, port: pass.port } as const
    const page = yield* Effect.exit(router.runOn(Commands.scan.scanPage(pass.cursor, options), route))
    if (page._tag === "Failure") return yield* failedPass(router, cursor, page)
    const { cursor: next, items } = page.value
    if (next !== "0") return [items, { ...cursor, pass: { ...pass, cursor: next } }] as const
    const after = yield* Effect.exit(router.runOn(NodeView.command, route))
    if (after._tag === "Failure") return yield* failedPass(router, cursor, after)
    const done = cursor.done.slice()
    const before = pass.before
    const steady = before.primary && after.value.primary && before.epoch === after.value.epoch
    let counted = 0
    if (steady) {
      for (let slot = 0; slot < SLOTS; slot++) {
        if (
          done[slot] === 0 &&
          before.owned[slot] === 1 &&
          after.value.owned[slot] === 1 &&
          !before.moving.has(slot) &&
          !after.value.moving.has(slot)
        ) {
          done[slot] = 1
          counted++
        }
      }
    }
    const moving = before.moving.size > 0 || after.value.moving.size > 0
    // A pass that could not count its slots (a migration on them, a change of epoch or role)
    // is followed by a topology refresh, so the next pass goes to the current owner.
    if (!steady || moving) yield* Effect.ignore(router.refreshTopology)
    if (counted > 0) {
      if (moving) yield* Effect.sleep("50 millis")
      return [items, { done, pass: undefined, failures: 0 }] as const
    }
    // Nothing counted: its slots stay in migration (or keep changing hands). Each such pass
    // scans the node again, so they are bounded like failed ones, with a growing pause.
    const left = Array.from({ length: SLOTS }, (_, s) => s).filter((s) => done[s] === 0 && before.owned[s] === 1)
    if (cursor.failures + 1 >= MAX_FAILURES) {
      if (options.allowUncoveredSlots === true) {
        for (const s of left) done[s] = 1
        return [items, { done, pass: undefined, failures: 0 }] as const
      }
      return yield* new UncoveredSlotsError({
        message: `${left.length} slots of ${pass.host}:${pass.port} stayed in migration or changed hands through ${MAX_FAILURES} passes, so a cluster scan cannot count them`,
        slots: left.length
      })
    }
    yield* Effect.sleep(Math.min(50 * 2 ** cursor.failures, 500))
    return [items, { done, pass: undefined, failures: cursor.failures + 1 }] as const
  })

/** The slot's owner per the router does not serve it: refresh the map and back off. */
const stale = (router: ClusterRouterService, cursor: ClusterScanCursor, slot: number, address: string): Step =>
  Effect.gen(function* () {
    if (cursor.failures + 1 >= MAX_FAILURES) {
      return yield* new UncoveredSlotsError({
        message: `slot ${slot}: ${address} does not serve it, and ${MAX_FAILURES} topology refreshes found no other owner`,
        slots: 1
      })
    }
    yield* Effect.ignore(router.refreshTopology)
    yield* Effect.sleep(Math.min(20 * 2 ** cursor.failures, 1000))
    return [[], { ...cursor, pass: undefined, failures: cursor.failures + 1 }] as const
  })

/** A node failed mid-pass: learn the new topology, and scan its slots again from scratch. */
const failedPass = (
  router: ClusterRouterService,
  cursor: ClusterScanCursor,
  exit: Exit.Failure<unknown, CommandError>
): Step =>
  Effect.gen(function* () {
    if (cursor.failures + 1 >= MAX_FAILURES) return yield* exit as Exit.Exit<never, CommandError>
    yield* Effect.ignore(router.refreshTopology)
    yield* Effect.sleep(Math.min(50 * 2 ** cursor.failures, 1000))
    return [[], { ...cursor, pass: undefined, failures: cursor.failures + 1 }] as const
  })

/**
 * Every key of the cluster (matching the filters) as a pull-based Stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keys = (
  router: ClusterRouterService,
  options: ClusterScanOptions = {}
): Stream.Stream<string, CommandError> =>
  Stream.paginate(start as ClusterScanCursor, (cursor: ClusterScanCursor) =>
    Effect.map(step(router, cursor, options), ([items, next]) => [items, Option.fromNullishOr(next)] as const)
  )
