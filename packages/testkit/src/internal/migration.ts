/**
 * Legacy (Valkey 8) live resharding of one slot, split into the three documented steps so
 * tests can observe clients while a slot is half-migrated (ASK redirects, TRYAGAIN):
 * 1. `SETSLOT IMPORTING` on the destination, then `SETSLOT MIGRATING` on the source
 *    (in this order, so the destination accepts ASK-ed commands before the source sends any);
 * 2. `GETKEYSINSLOT` + `MIGRATE ... KEYS` in batches until the slot is empty;
 * 3. `SETSLOT NODE` on the destination, the source, then every other primary, once the
 *    destination knows every primary's epoch (see `finish`).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as AdminClient from "../AdminClient.ts"
import { parseClusterNodes } from "../ClusterNodes.ts"
import { AdminReplyError, type TestkitError } from "../errors.ts"
import type { NodeImpl } from "./clusterNode.ts"
import { RawErrorReply } from "./resp.ts"
import { done, notYet, pollUntil } from "./time.ts"

/**
 * @since 0.1.0
 * @category migration
 */
export const begin = (slot: number, from: NodeImpl, to: NodeImpl): Effect.Effect<void, TestkitError> =>
  Effect.gen(function* () {
    yield* to.command(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", from.id])
    yield* from.command(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", to.id])
  })

/**
 * Moves every key of `slot` from `from` to `to`; keys travel as raw bytes, so binary key
 * names survive. Returns the number of keys moved.
 *
 * @since 0.1.0
 * @category migration
 */
export const moveKeys = (
  slot: number,
  from: NodeImpl,
  to: NodeImpl,
  options: { readonly batchSize: number; readonly timeout: Duration.Input }
): Effect.Effect<number, TestkitError> =>
  Effect.gen(function* () {
    const password = from.password
    const auth = password === undefined ? [] : ["AUTH", password]
    const timeoutMs = Duration.toMillis(options.timeout)
    let moved = 0
    while (true) {
      const [keys] = yield* AdminClient.sendRaw(from.target, [
        ["CLUSTER", "GETKEYSINSLOT", String(slot), String(options.batchSize)]
      ])
      if (keys instanceof RawErrorReply) {
        return yield* new AdminReplyError({
          message: keys.message,
          address: from.address,
          command: "CLUSTER GETKEYSINSLOT"
        })
      }
      const batch = (Array.isArray(keys) ? keys : []) as ReadonlyArray<Uint8Array>
      if (batch.length === 0) return moved
      const [reply] = yield* AdminClient.sendRaw(
        from.target,
        [["MIGRATE", to.host, String(to.port), "", "0", String(timeoutMs), ...auth, "KEYS", ...batch]],
        // MIGRATE blocks the source for up to its own timeout; allow for it
        { timeout: timeoutMs + 5_000 }
      )
      if (reply instanceof RawErrorReply) {
        return yield* new AdminReplyError({ message: reply.message, address: from.address, command: "MIGRATE" })
      }
      moved += batch.length
    }
  })

/**
 * Step 3. `SETSLOT NODE` makes the destination claim the slot under a config epoch bumped
 * above the highest *it knows of*. Were a newer epoch of the source still on its way to it
 * (epochs travel with pings), the source's next ping would take the slot back, Valkey would
 * delete the slot's keys on the destination, and once the source let go nobody would serve
 * the slot. In back-to-back migrations a destination with an old epoch came up a few times per
 * 200, and about one run in three lost a slot. So the step first waits until no two primaries
 * share an epoch and the destination knows every primary's current one: its bump then
 * outranks them all.
 *
 * @since 0.1.0
 * @category migration
 */
export const finish = (
  slot: number,
  from: NodeImpl,
  to: NodeImpl,
  otherPrimaries: ReadonlyArray<NodeImpl>,
  timeoutMs: number
): Effect.Effect<void, TestkitError> =>
  Effect.gen(function* () {
    const primaries = [from, to, ...otherPrimaries]
    yield* pollUntil({
      what: `${to.address} to know the config epoch of every primary`,
      timeoutMs,
      check: epochsKnown(to, primaries)
    })
    const setNode = (node: NodeImpl) => node.command(["CLUSTER", "SETSLOT", String(slot), "NODE", to.id])
    yield* setNode(to)
    yield* setNode(from)
    yield* Effect.forEach(otherPrimaries, setNode, { concurrency: "unbounded", discard: true })
  })

/**
 * Whether the primaries' epochs are distinct, and `node` (one of them) knows each as the
 * primary itself states it. One `CLUSTER NODES` per primary.
 */
const epochsKnown = (node: NodeImpl, primaries: ReadonlyArray<NodeImpl>) =>
  Effect.gen(function* () {
    const views = yield* Effect.forEach(
      primaries,
      (primary) => Effect.map(primary.command(["CLUSTER", "NODES"]), (text) => parseClusterNodes(String(text))),
      { concurrency: "unbounded" }
    )
    const own = views.map((view) => view.find((info) => info.myself)?.configEpoch)
    if (new Set(own).size < own.length) return notYet(`primaries share a config epoch: ${own.join(", ")}`)
    const view = views[primaries.indexOf(node)]!
    const stale = primaries.filter((primary, i) => view.find((info) => info.id === primary.id)?.configEpoch !== own[i])
    return stale.length === 0
      ? done(undefined)
      : notYet(`${node.address} has an old epoch of ${stale.map((primary) => primary.address).join(", ")}`)
  })

/**
 * The state of the newest `CLUSTER GETSLOTMIGRATIONS` export job of `from` towards `to` for
 * exactly `ranges` (`slot_ranges` as the server writes them, `a-b` joined by spaces), or
 * undefined when there is none yet. The reply is RESP2 here: a list of flat name/value lists.
 */
const exportState = (from: NodeImpl, to: NodeImpl, ranges: string) =>
  Effect.map(from.command(["CLUSTER", "GETSLOTMIGRATIONS"]), (reply) => {
    const jobs = (Array.isArray(reply) ? reply : []).map((job) => {
      const fields = new Map<string, string>()
      const list = Array.isArray(job) ? job : []
      for (let i = 0; i + 1 < list.length; i += 2) fields.set(String(list[i]), String(list[i + 1]))
      return fields
    })
    const mine = jobs.filter(
      (job) =>
        job.get("operation") === "EXPORT" && job.get("target_node") === to.id && job.get("slot_ranges") === ranges
    )
    const newest = mine.sort((a, b) => Number(b.get("create_time")) - Number(a.get("create_time")))[0]
    return newest === undefined ? undefined : { state: newest.get("state") ?? "", message: newest.get("message") ?? "" }
  })

/**
 * Atomic slot migration (Valkey 9.0+): `CLUSTER MIGRATESLOTS SLOTSRANGE … NODE to` on the
 * source, which moves the slots' keys and hands their ownership over by itself; then waits
 * until the source's `CLUSTER GETSLOTMIGRATIONS` reports the job a `success` (a `failed` or
 * `cancelled` job fails with its message).
 *
 * @since 0.2.0
 * @category migration
 */
export const atomic = (
  ranges: ReadonlyArray<readonly [number, number]>,
  from: NodeImpl,
  to: NodeImpl,
  timeoutMs: number
): Effect.Effect<void, TestkitError> =>
  Effect.gen(function* () {
    yield* from.command([
      "CLUSTER",
      "MIGRATESLOTS",
      "SLOTSRANGE",
      ...ranges.flatMap(([start, end]) => [String(start), String(end)]),
      "NODE",
      to.id
    ])
    const written = ranges.map(([start, end]) => `${start}-${end}`).join(" ")
    yield* pollUntil({
      what: `CLUSTER MIGRATESLOTS ${written} from ${from.address} to ${to.address} to succeed`,
      timeoutMs,
      intervalMs: 20,
      check: Effect.flatMap(exportState(from, to, written), (job) => {
        if (job === undefined) return Effect.succeed(notYet("no export job listed yet"))
        if (job.state === "success") return Effect.succeed(done(undefined))
        if (job.state === "failed" || job.state === "cancelled") {
          return Effect.fail(
            new AdminReplyError({
              message: `slot migration ${written} ${job.state}: ${job.message}`,
              address: from.address,
              command: "CLUSTER MIGRATESLOTS"
            })
          )
        }
        return Effect.succeed(notYet(`job ${job.state}`))
      })
    })
  })
