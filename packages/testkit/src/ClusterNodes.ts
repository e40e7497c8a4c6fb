/**
 * Parsing of `CLUSTER NODES` output: which node owns which slots, who replicates whom,
 * and which slots a node is migrating or importing. The text format is stable across
 * Redis/Valkey versions and, unlike `CLUSTER SHARDS`, also shows the migration state.
 *
 * @since 0.1.0
 */

/**
 * One line of `CLUSTER NODES`, as seen by the node that was asked.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterNodeInfo {
  readonly id: string
  readonly host: string
  readonly port: number
  readonly clusterPort: number
  readonly flags: ReadonlyArray<string>
  readonly myself: boolean
  readonly role: "primary" | "replica"
  /** Id of the primary when `role` is `replica`. */
  readonly primaryId: string | undefined
  readonly configEpoch: number
  readonly connected: boolean
  /** Owned slot ranges, inclusive. */
  readonly slots: ReadonlyArray<readonly [number, number]>
  /** Slots this node is migrating away (only shown for `myself`). */
  readonly migrating: ReadonlyArray<{ readonly slot: number; readonly to: string }>
  /** Slots this node is importing (only shown for `myself`). */
  readonly importing: ReadonlyArray<{ readonly slot: number; readonly from: string }>
}

const parseLine = (line: string): ClusterNodeInfo => {
  const [id = "", address = "", flagsText = "", primary = "-", , , epoch = "0", link = "", ...slotTokens] = line
    .trim()
    .split(/\s+/)
  // ip:port@cport[,hostname]
  const [hostPort = "", rest = ""] = address.split("@")
  const colon = hostPort.lastIndexOf(":")
  const flags = flagsText.split(",")
  const slots: Array<readonly [number, number]> = []
  const migrating: Array<{ readonly slot: number; readonly to: string }> = []
  const importing: Array<{ readonly slot: number; readonly from: string }> = []
  for (const token of slotTokens) {
    if (token.startsWith("[")) {
      const body = token.slice(1, -1)
      const out = body.indexOf("->-")
      const inn = body.indexOf("-<-")
      if (out !== -1) migrating.push({ slot: Number(body.slice(0, out)), to: body.slice(out + 3) })
      else if (inn !== -1) importing.push({ slot: Number(body.slice(0, inn)), from: body.slice(inn + 3) })
      continue
    }
    const [start, end = start] = token.split("-")
    slots.push([Number(start), Number(end)])
  }
  return {
    id,
    host: hostPort.slice(0, colon),
    port: Number(hostPort.slice(colon + 1)),
    clusterPort: Number(rest.split(",")[0]),
    flags,
    myself: flags.includes("myself"),
    role: flags.includes("slave") ? "replica" : "primary",
    primaryId: primary === "-" ? undefined : primary,
    configEpoch: Number(epoch),
    connected: link === "connected",
    slots,
    migrating,
    importing
  }
}

/**
 * Parses the full `CLUSTER NODES` reply.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseClusterNodes = (text: string): ReadonlyArray<ClusterNodeInfo> =>
  text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(parseLine)

/**
 * Whether `node` owns `slot` according to the view it was parsed from.
 *
 * @since 0.1.0
 * @category predicates
 */
export const ownsSlot = (node: ClusterNodeInfo, slot: number): boolean =>
  node.slots.some(([start, end]) => slot >= start && slot <= end)

/**
 * Parses `INFO`-style `key:value` lines (e.g. `CLUSTER INFO`, `INFO replication`).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseInfo = (text: string): Readonly<Record<string, string>> => {
  const fields: Record<string, string> = {}
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":")
    if (colon > 0 && !line.startsWith("#")) fields[line.slice(0, colon)] = line.slice(colon + 1).trim()
  }
  return fields
}
