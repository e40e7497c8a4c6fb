/**
 * A pipeline or transaction on a cluster: a batch whose keys share a slot (or that has none)
 * goes to one node back to back, as a transaction must; a pipeline over several slots is split
 * per node and put back in order, and a command of it that was redirected runs again alone.
 *
 * @since 0.2.0
 * @internal
 */
import {
  type Batch,
  type Command,
  type CommandError,
  CrossSlotError,
  RedirectError,
  type ReplyError
} from "@effect-valkey/core"
import type { Connection } from "@effect-valkey/core/internal"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Slot from "./Slot.ts"

/** What sending a batch needs of the router. */
export interface BatchRouter {
  readonly slotPrimary: ReadonlyArray<Connection.Connection | undefined>
  randomPrimary(): Connection.Connection
  run<A>(command: Command.Command<A>): Effect.Effect<A, CommandError>
  requestRefresh(): void
}

/** MOVED, ASK, TRYAGAIN, CLUSTERDOWN: the command may succeed elsewhere or later. */
export const isRedirect = (error: ReplyError): boolean =>
  error.code === "MOVED" || error.code === "ASK" || error.code === "TRYAGAIN" || error.code === "CLUSTERDOWN"

/** Whether a keyless command goes to more than one node when run alone. */
export const fansOut = (command: Command.Command<unknown>): boolean =>
  command.shards !== undefined || command.request === "all_shards" || command.request === "all_nodes"

/**
 * A batch whose keys share a slot (or has none) goes to one node back to back: transactions
 * must. A pipeline over several slots is split per node and put back in order; a command of
 * it that was redirected is run again on its own.
 */
export const sendBatch = (
  router: BatchRouter,
  batch: Batch.Sequence
): Effect.Effect<Array<Exit.Exit<unknown, CommandError>>, CommandError> => {
  const commands = batch.commands
  // A command for every primary (or node) runs on its own, as it would outside a batch, like a
  // command split by slot. WAIT and WAITAOF count the writes of the connection they run on:
  // with the batch's keys in one slot they stay in line with its writes on that node, else they
  // run on every primary once the writes are answered.
  const slots = commands.map((c) =>
    c.firstKey >= 0 ? Slot.keySlot(c) : fansOut(c) ? (c.ownWrites === true ? "after" : "multi") : undefined
  )
  const distinct = new Set(slots.filter((s) => s !== undefined && s !== "after"))
  const atomic = batch._tag === "Transaction"
  const inLine = distinct.size === 1 && !distinct.has("multi")
  const after = inLine ? [] : slots.flatMap((s, i) => (s === "after" ? [i] : []))
  if (distinct.size <= 1 && !distinct.has("multi") && after.length === 0) {
    const slot = [...distinct][0] as number | undefined
    const connection = slot === undefined ? router.randomPrimary() : router.slotPrimary[slot]
    if (connection === undefined)
      return Effect.fail(new RedirectError({ message: `slot ${slot} has no owner`, command: "batch", redirects: 0 }))
    const sent = Effect.tapError(connection.sendBatch(commands), (error) =>
      Effect.sync(() => refreshOnLoss(router, error))
    )
    return atomic ? sent : Effect.flatMap(sent, (exits) => fixRedirects(router, commands, exits))
  }
  if (atomic) {
    return Effect.fail(
      new CrossSlotError({ message: "an atomic batch needs all its keys in one slot", command: "MULTI" })
    )
  }
  const groups = new Map<Connection.Connection | undefined, Array<number>>()
  slots.forEach((slot, i) => {
    if (slot === "after") return
    const connection =
      slot === "multi" ? undefined : slot === undefined ? router.randomPrimary() : router.slotPrimary[slot]
    const group = groups.get(connection) ?? []
    group.push(i)
    groups.set(connection, group)
  })
  const results = new Array<Exit.Exit<unknown, CommandError>>(commands.length)
  return Effect.forEach(
    groups,
    ([connection, indexes]) =>
      connection === undefined
        ? Effect.forEach(
            indexes,
            (i) =>
              Effect.map(Effect.exit(router.run(commands[i]!)), (exit) => {
                results[i] = exit
              }),
            { concurrency: "unbounded", discard: true }
          )
        : Effect.map(Effect.exit(connection.sendBatch(indexes.map((i) => commands[i]!))), (share) => {
            // A node's share refused or lost as a whole (inflight limit, connection loss) is
            // each of its commands' failure: the other nodes' results are kept.
            if (Exit.isFailure(share)) for (const i of indexes) results[i] = share
            else
              share.value.forEach((exit, j) => {
                results[indexes[j]!] = exit
              })
          }),
    { concurrency: "unbounded", discard: true }
  ).pipe(
    Effect.flatMap(() => fixRedirects(router, commands, results)),
    Effect.tap(() =>
      Effect.forEach(
        after,
        (i) =>
          Effect.map(Effect.exit(router.run(commands[i]!)), (exit) => {
            results[i] = exit
          }),
        { discard: true }
      )
    )
  )
}

/** A lost or silent node: its slots may have moved, as `run` assumes on the same errors. */
const refreshOnLoss = (router: BatchRouter, error: CommandError): void => {
  if (error._tag === "ConnectionError" || error._tag === "TimeoutError") router.requestRefresh()
}

const fixRedirects = (
  router: BatchRouter,
  commands: ReadonlyArray<Command.Command<unknown>>,
  exits: Array<Exit.Exit<unknown, CommandError>>
): Effect.Effect<Array<Exit.Exit<unknown, CommandError>>> => {
  return Effect.as(
    Effect.forEach(
      exits,
      (exit, i) => {
        // (A WAIT run after the others has no outcome yet.)
        const error = exit !== undefined && Exit.isFailure(exit) ? Exit.findErrorOption(exit) : undefined
        if (error?._tag !== "Some") return Effect.void
        refreshOnLoss(router, error.value)
        if (error.value._tag !== "ReplyError" || !isRedirect(error.value)) return Effect.void
        return Effect.map(Effect.exit(router.run(commands[i]!)), (again) => {
          exits[i] = again
        })
      },
      { concurrency: "unbounded", discard: true }
    ),
    exits
  )
}
