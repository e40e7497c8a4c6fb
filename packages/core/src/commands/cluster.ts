/**
 * Cluster introspection a user may want typed: CLUSTER SLOT-STATS. (The cluster client reads
 * the topology itself, from CLUSTER SHARDS.)
 *
 * @since 0.2.0
 */
import { badInteger } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

/**
 * Which slots CLUSTER SLOT-STATS describes: a range (inclusive), or the top `limit` (default
 * 16384) by a metric: `key-count`, and with `cluster-slot-stats-enabled` `cpu-usec`,
 * `network-bytes-in`, `network-bytes-out`.
 *
 * @since 0.2.0
 * @category models
 */
export type SlotStatsFilter =
  | { readonly range: readonly [start: number, end: number] }
  | { readonly orderBy: string; readonly limit?: number; readonly order?: "ASC" | "DESC" }

/**
 * A slot's counters, by metric name (`key-count`, `cpu-usec`, …: the server decides which).
 *
 * @since 0.2.0
 * @category models
 */
export interface SlotStats {
  readonly slot: number
  readonly stats: Record<string, number>
}

const slotStats = Reply.array((reply): SlotStats => {
  const [slot, stats] = Reply.leading(Reply.integer, Reply.record(Reply.integer))(reply)
  return { slot, stats }
})

/**
 * CLUSTER SLOT-STATS SLOTSRANGE start end | ORDERBY metric [LIMIT n] [ASC|DESC] (Valkey 8.0+):
 * per-slot counters. Every primary answers for the slots it serves and the answers are
 * concatenated, so a range gives each served slot once and ORDERBY gives each primary's top
 * `limit` (not re-sorted across primaries).
 *
 * @since 0.2.0
 * @category cluster
 */
export const clusterSlotStats = (filter: SlotStatsFilter): Command.Command<Array<SlotStats>> => {
  const args: Array<string | number> = ["CLUSTER", "SLOT-STATS"]
  if ("range" in filter) {
    const [start, end] = filter.range
    const bad = badInteger(start, "start", 0) ?? badInteger(end, "end", start)
    if (bad !== undefined || end > 16383)
      return Command.invalid("CLUSTER", `CLUSTER SLOT-STATS: ${bad ?? "end must be at most 16383"}`)
    args.push("SLOTSRANGE", start, end)
  } else {
    args.push("ORDERBY", filter.orderBy)
    if (filter.limit !== undefined) {
      const bad = badInteger(filter.limit, "limit", 1)
      if (bad !== undefined) return Command.invalid("CLUSTER", `CLUSTER SLOT-STATS: ${bad}`)
      args.push("LIMIT", filter.limit)
    }
    if (filter.order !== undefined) args.push(filter.order)
  }
  return Command.make(args, slotStats, { readonly: true, request: "all_shards", response: "combine_arrays" })
}
