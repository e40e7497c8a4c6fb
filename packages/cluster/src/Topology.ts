/**
 * The cluster's shape as plain data: its shards (a primary, its replicas, the slot ranges it
 * serves) and a 16384-entry table from slot to shard, read from `CLUSTER SHARDS` (Valkey 7+)
 * or, for older servers, `CLUSTER SLOTS`. The parsers accept RESP2 and RESP3 replies alike and
 * fail with a `TopologyError` on anything malformed: a bad reply from one node must never
 * throw inside the router's refresh.
 *
 * @since 0.1.0
 */
import { Command, Reply, type RespValue, VerbatimString } from "@effect-valkey/core"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { SLOTS } from "./Slot.ts"

/**
 * A topology reply that cannot be read (wrong shape, bad slot range, a slot claimed twice).
 *
 * @since 0.1.0
 * @category errors
 */
export class TopologyError extends Schema.TaggedError<TopologyError>()("TopologyError", {
  message: Schema.String
}) {}

/**
 * Where a node listens. `address` is `host:port` with no brackets, the form MOVED and ASK
 * redirects use, so it can key a map of connections.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeAddress {
  readonly host: string
  readonly port: number
  readonly address: string
}

/**
 * A node of the cluster. `health` is what `CLUSTER SHARDS` reports: `online`, `loading` or
 * `fail` (Valkey 8 sends `fail`; the documentation says `failed`). `CLUSTER SLOTS` gives none,
 * and lists only nodes it considers usable.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeInfo extends NodeAddress {
  readonly id?: string
  readonly role: "primary" | "replica"
  readonly health?: string
}

/**
 * One shard: the primary that owns its slots, its other nodes, and its slot ranges
 * (inclusive, sorted). `replicas` lists every other node, healthy or not, including a failed
 * former primary during a failover; `readReplicas` is the subset fit to serve reads (replicas
 * that are `isReadable`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ShardInfo {
  readonly primary: NodeInfo
  readonly replicas: ReadonlyArray<NodeInfo>
  readonly readReplicas: ReadonlyArray<NodeInfo>
  readonly ranges: ReadonlyArray<readonly [start: number, end: number]>
}

/**
 * The cluster's shape. `slotOwner[slot]` is the index in `shards` of the shard serving the
 * slot, or -1 when no shard does.
 *
 * @since 0.1.0
 * @category models
 */
export interface Topology {
  readonly shards: ReadonlyArray<ShardInfo>
  readonly slotOwner: Int16Array
  /** How many of the 16384 slots have an owner. */
  readonly coveredSlots: number
  /** Every node once: primaries first, in shard order, then the other nodes. */
  nodes(): ReadonlyArray<NodeInfo>
  /** The primary of every shard, in shard order. */
  primaries(): ReadonlyArray<NodeInfo>
  /** The shard serving `slot`, or undefined when it is not covered. */
  shardOfSlot(slot: number): ShardInfo | undefined
  /** With a slot: whether it has an owner. Without: whether all 16384 slots do. */
  isCovered(slot?: number): boolean
  /** Whether both give every slot to a primary at the same address (replicas are not compared). */
  equals(other: Topology): boolean
}

class TopologyImpl implements Topology {
  readonly shards: ReadonlyArray<ShardInfo>
  readonly slotOwner: Int16Array
  readonly coveredSlots: number
  readonly #nodes: ReadonlyArray<NodeInfo>
  readonly #primaries: ReadonlyArray<NodeInfo>
  constructor(shards: ReadonlyArray<ShardInfo>, slotOwner: Int16Array, coveredSlots: number) {
    this.shards = shards
    this.slotOwner = slotOwner
    this.coveredSlots = coveredSlots
    this.#primaries = shards.map((shard) => shard.primary)
    const seen = new Set<string>()
    const nodes: Array<NodeInfo> = []
    for (const node of [...this.#primaries, ...shards.flatMap((shard) => shard.replicas)]) {
      if (seen.has(node.address)) continue
      seen.add(node.address)
      nodes.push(node)
    }
    this.#nodes = nodes
  }
  nodes(): ReadonlyArray<NodeInfo> {
    return this.#nodes
  }
  primaries(): ReadonlyArray<NodeInfo> {
    return this.#primaries
  }
  shardOfSlot(slot: number): ShardInfo | undefined {
    const index = this.slotOwner[slot]
    return index === undefined || index < 0 ? undefined : this.shards[index]
  }
  isCovered(slot?: number): boolean {
    return slot === undefined ? this.coveredSlots === SLOTS : (this.slotOwner[slot] ?? -1) >= 0
  }
  equals(other: Topology): boolean {
    if (other === this) return true
    if (other.coveredSlots !== this.coveredSlots) return false
    const mine = this.slotOwner
    const theirs = other.slotOwner
    for (let slot = 0; slot < SLOTS; slot++) {
      const a = mine[slot]!
      const b = theirs[slot]!
      if (a < 0 || b < 0) {
        if (a !== b) return false
      } else if (this.shards[a]!.primary.address !== other.shards[b]!.primary.address) {
        return false
      }
    }
    return true
  }
}

/**
 * A `NodeAddress` for `host` and `port`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const nodeAddress = (host: string, port: number): NodeAddress => ({ host, port, address: `${host}:${port}` })

/**
 * Reads `host:port` (as in a MOVED redirect; the port follows the last colon, so bare IPv6
 * hosts work). Undefined when there is no valid port.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseAddress = (text: string): NodeAddress | undefined => {
  const colon = text.lastIndexOf(":")
  if (colon <= 0) return undefined
  const port = Number(text.slice(colon + 1))
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined
  let host = text.slice(0, colon)
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1)
  return nodeAddress(host, port)
}

/**
 * Whether a node's reported health lets it serve requests: `online`, `loading`, or unknown
 * (`CLUSTER SLOTS`). `loading` counts because Valkey reports every replica whose replication
 * offset is still 0 that way, so in a cluster that has taken no writes yet every in-sync
 * replica is `loading`; a replica that really is loading its data answers `-LOADING`, which a
 * router can take as "ask the primary". A failed node (`fail`/`failed`) or any health this
 * client does not know is not readable.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isReadable = (node: NodeInfo): boolean =>
  node.health === undefined || node.health === "online" || node.health === "loading"

/**
 * Whether the cluster flagged the node failed (`fail`/`failed`). A failed node stays listed
 * until it is forgotten, and comes back as `online` if it returns.
 *
 * @since 0.3.0
 * @category predicates
 */
export const isFailed = (node: NodeInfo): boolean => node.health === "fail" || node.health === "failed"

/**
 * The nodes that can serve: every shard's primary (a failed one still owns its slots) and the
 * other nodes unless failed. A dead primary its replica replaced stays listed as a failed
 * node until the cluster forgets it; a client keeps no connection to it.
 *
 * @since 0.3.0
 * @category accessors
 */
export const servingNodes = (topology: Topology): ReadonlyArray<NodeInfo> => {
  const primaries = new Set(topology.primaries().map((n) => n.address))
  return topology.nodes().filter((n) => primaries.has(n.address) || !isFailed(n))
}

const isReadReplica = (node: NodeInfo): boolean => node.role === "replica" && isReadable(node)

/**
 * A topology from shards, checking their ranges: integers within 0–16383, start ≤ end, and
 * no slot served by two shards. `readReplicas` is derived from `replicas`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  shards: ReadonlyArray<Pick<ShardInfo, "primary" | "replicas" | "ranges">>
): Exit.Exit<Topology, TopologyError> => build(shards, "")

const build = (
  shards: ReadonlyArray<Pick<ShardInfo, "primary" | "replicas" | "ranges">>,
  source: string
): Exit.Exit<Topology, TopologyError> => {
  const slotOwner = new Int16Array(SLOTS).fill(-1)
  let covered = 0
  const complete: Array<ShardInfo> = []
  for (let index = 0; index < shards.length; index++) {
    const shard = shards[index]!
    const ranges = [...shard.ranges].sort((a, b) => a[0] - b[0])
    for (const [start, end] of ranges) {
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end >= SLOTS || start > end) {
        return Exit.fail(new TopologyError({ message: `${source}invalid slot range ${start}-${end}` }))
      }
      for (let slot = start; slot <= end; slot++) {
        if (slotOwner[slot] !== -1) {
          const other = shards[slotOwner[slot]!]!.primary.address
          return Exit.fail(
            new TopologyError({
              message: `${source}slot ${slot} is served by both ${other} and ${shard.primary.address}`
            })
          )
        }
        slotOwner[slot] = index
      }
      covered += end - start + 1
    }
    complete.push({
      primary: shard.primary,
      replicas: shard.replicas,
      readReplicas: shard.replicas.filter(isReadReplica),
      ranges
    })
  }
  return Exit.succeed(new TopologyImpl(complete, slotOwner, covered))
}

/**
 * Where the parsers read addresses relative to: `host` is the host of the node the reply came
 * from, used when the reply leaves a node's endpoint empty or unknown (`?`); with `tls`, a
 * node's `tls-port` is preferred over its `port` in `CLUSTER SHARDS`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParseOptions {
  readonly host: string
  readonly tls?: boolean
}

// --- reading RESP2/RESP3 values -------------------------------------------------------------

/** Internal only: caught at the parsers' entry, which turn it into a failed Exit. */
class Malformed {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

const utf8 = new TextDecoder()

const textOf = (value: RespValue | undefined): string | undefined => {
  if (typeof value === "string") return value
  if (value instanceof Uint8Array) return utf8.decode(value)
  if (value instanceof VerbatimString) return value.text
  return undefined
}

const intOf = (value: RespValue | undefined): number | undefined => {
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined
  if (typeof value === "bigint") return Number(value)
  const text = textOf(value)
  if (text === undefined || text === "" || !/^-?\d+$/.test(text)) return undefined
  return Number(text)
}

/** A RESP3 map or a RESP2 flat `[k1, v1, k2, v2, …]` array, keyed by text. */
const fieldsOf = (value: RespValue | undefined, what: string): Map<string, RespValue> => {
  const out = new Map<string, RespValue>()
  if (value instanceof Map) {
    for (const [k, v] of value as ReadonlyMap<RespValue, RespValue>) {
      const key = textOf(k)
      if (key === undefined) throw new Malformed(`${what}: a field name is not a string`)
      out.set(key, v)
    }
    return out
  }
  if (Array.isArray(value) && value.length % 2 === 0) {
    const list = value as ReadonlyArray<RespValue>
    for (let i = 0; i < list.length; i += 2) {
      const key = textOf(list[i])
      if (key === undefined) throw new Malformed(`${what}: a field name is not a string`)
      out.set(key, list[i + 1]!)
    }
    return out
  }
  throw new Malformed(`${what} is not a map`)
}

const arrayOf = (value: RespValue | undefined, what: string): ReadonlyArray<RespValue> => {
  if (Array.isArray(value)) return value as ReadonlyArray<RespValue>
  throw new Malformed(`${what} is not an array`)
}

const requireInt = (value: RespValue | undefined, what: string): number => {
  const n = intOf(value)
  if (n === undefined) throw new Malformed(`${what} is not an integer`)
  return n
}

/** A usable host: not empty, and not `?` (the server's "unknown endpoint"). */
const usableHost = (host: string | undefined): host is string => host !== undefined && host !== "" && host !== "?"

const validPort = (port: number | undefined): port is number => port !== undefined && port > 0 && port <= 65535

const parsing = (
  source: string,
  parse: () => ReadonlyArray<Pick<ShardInfo, "primary" | "replicas" | "ranges">>
): Exit.Exit<Topology, TopologyError> => {
  try {
    return build(parse(), `${source}: `)
  } catch (cause) {
    if (cause instanceof Malformed) return Exit.fail(new TopologyError({ message: `${source}: ${cause.message}` }))
    return Exit.fail(new TopologyError({ message: `${source}: ${String(cause)}` }))
  }
}

// --- CLUSTER SHARDS --------------------------------------------------------------------------

/** A node of a shard, or `undefined` for a role this client does not know (left out). */
const shardNode = (value: RespValue, what: string, options: ParseOptions): NodeInfo | undefined => {
  const fields = fieldsOf(value, what)
  const port = intOf(fields.get("port"))
  const tlsPort = intOf(fields.get("tls-port"))
  const chosen = options.tls === true ? (validPort(tlsPort) ? tlsPort : port) : validPort(port) ? port : tlsPort
  if (!validPort(chosen)) throw new Malformed(`${what} has no usable port`)
  const endpoint = textOf(fields.get("endpoint"))
  const ip = textOf(fields.get("ip"))
  const host = usableHost(endpoint) ? endpoint : usableHost(ip) ? ip : options.host
  const roleText = textOf(fields.get("role"))
  const role =
    roleText === "master" || roleText === "primary"
      ? "primary"
      : roleText === "replica" || roleText === "slave"
        ? "replica"
        : undefined
  // Neither read nor written: a shard left without a primary is told by the caller.
  if (role === undefined) return undefined
  const id = textOf(fields.get("id"))
  const health = textOf(fields.get("health"))
  return {
    ...nodeAddress(host, chosen),
    ...(id !== undefined ? { id } : {}),
    role,
    ...(health !== undefined ? { health } : {})
  }
}

/**
 * CLUSTER SHARDS, its reply kept raw for `fromShards` (which also knows its older shapes).
 *
 * @since 0.2.0
 * @category commands
 */
export const shardsCommand: Command.Command<RespValue> = Command.make(["CLUSTER", "SHARDS"], Reply.raw)

/**
 * CLUSTER SLOTS (servers before CLUSTER SHARDS), its reply kept raw for `fromSlots`.
 *
 * @since 0.2.0
 * @category commands
 */
export const slotsCommand: Command.Command<RespValue> = Command.make(["CLUSTER", "SLOTS"], Reply.raw)

/**
 * A topology from a `CLUSTER SHARDS` reply (RESP2 or RESP3). Addresses come from `endpoint`,
 * then `ip`, then `options.host`. Nodes that are not `isReadable` stay listed but are left out
 * of `readReplicas`; a shard's primary is its first primary that has not failed (a failed one
 * stays among the other nodes while a failover settles). A shard with no primary and no slots
 * is skipped.
 *
 * @since 0.1.0
 * @category parsers
 */
export const fromShards = (reply: RespValue, options: ParseOptions): Exit.Exit<Topology, TopologyError> =>
  parsing("CLUSTER SHARDS", () => {
    const shards: Array<Pick<ShardInfo, "primary" | "replicas" | "ranges">> = []
    const list = arrayOf(reply, "the reply")
    for (let s = 0; s < list.length; s++) {
      const what = `shard ${s}`
      const fields = fieldsOf(list[s], what)
      const slots = arrayOf(fields.get("slots") ?? [], `${what} slots`)
      if (slots.length % 2 !== 0) throw new Malformed(`${what} has an odd number of slot bounds`)
      const ranges: Array<readonly [number, number]> = []
      for (let i = 0; i < slots.length; i += 2) {
        ranges.push([requireInt(slots[i], `${what} slot bound`), requireInt(slots[i + 1], `${what} slot bound`)])
      }
      const nodes = arrayOf(fields.get("nodes"), `${what} nodes`).flatMap((node, n) => {
        const info = shardNode(node, `${what} node ${n}`, options)
        return info === undefined ? [] : [info]
      })
      const primaries = nodes.filter((node) => node.role === "primary")
      const live = primaries.filter((node) => !isFailed(node))
      // Right after a FAILOVER TAKEOVER (or FORCE) of a dead primary, before the cluster
      // flags it failed, a shard lists both the old and the new primary as online masters,
      // and nothing here says which one owns the slots: ambiguous, so the caller asks
      // CLUSTER SLOTS, which names the owner.
      if (live.length > 1 && ranges.length > 0) throw new Malformed(`${what} lists ${live.length} online primaries`)
      const primary = live[0] ?? primaries[0]
      if (primary === undefined) {
        if (ranges.length === 0) continue
        throw new Malformed(`${what} serves slots but has no primary`)
      }
      shards.push({ primary, replicas: nodes.filter((node) => node !== primary), ranges })
    }
    return shards
  })

// --- CLUSTER SLOTS ---------------------------------------------------------------------------

const slotsNode = (value: RespValue, what: string, role: NodeInfo["role"], options: ParseOptions): NodeInfo => {
  const entry = arrayOf(value, what)
  const port = intOf(entry[1])
  if (!validPort(port)) throw new Malformed(`${what} has no usable port`)
  const endpoint = textOf(entry[0])
  let host = usableHost(endpoint) ? endpoint : undefined
  if (host === undefined && entry[3] !== undefined && entry[3] !== null) {
    const ip = textOf(fieldsOf(entry[3], `${what} metadata`).get("ip"))
    if (usableHost(ip)) host = ip
  }
  const id = textOf(entry[2])
  return { ...nodeAddress(host ?? options.host, port), ...(id !== undefined && id !== "" ? { id } : {}), role }
}

/**
 * A topology from a `CLUSTER SLOTS` reply (RESP2 or RESP3), for servers without
 * `CLUSTER SHARDS`. Each entry is `[start, end, primary, …replicas]`, a node being
 * `[endpoint, port, id?, metadata?]`; ranges of the same primary form one shard. An endpoint
 * that is null, empty or `?` falls back to the metadata's `ip`, then to `options.host`.
 *
 * @since 0.1.0
 * @category parsers
 */
export const fromSlots = (reply: RespValue, options: ParseOptions): Exit.Exit<Topology, TopologyError> =>
  parsing("CLUSTER SLOTS", () => {
    const byPrimary = new Map<
      string,
      { primary: NodeInfo; replicas: Map<string, NodeInfo>; ranges: Array<readonly [number, number]> }
    >()
    const list = arrayOf(reply, "the reply")
    for (let e = 0; e < list.length; e++) {
      const what = `entry ${e}`
      const entry = arrayOf(list[e], what)
      if (entry.length < 3) throw new Malformed(`${what} has no primary`)
      const range = [requireInt(entry[0], `${what} start`), requireInt(entry[1], `${what} end`)] as const
      const primary = slotsNode(entry[2]!, `${what} primary`, "primary", options)
      let shard = byPrimary.get(primary.address)
      if (shard === undefined) {
        shard = { primary, replicas: new Map(), ranges: [] }
        byPrimary.set(primary.address, shard)
      }
      shard.ranges.push(range)
      for (let r = 3; r < entry.length; r++) {
        const replica = slotsNode(entry[r]!, `${what} replica ${r - 3}`, "replica", options)
        if (!shard.replicas.has(replica.address)) shard.replicas.set(replica.address, replica)
      }
    }
    return Array.from(byPrimary.values(), (shard) => ({
      primary: shard.primary,
      replicas: Array.from(shard.replicas.values()),
      ranges: shard.ranges
    }))
  })
