/**
 * What "the cluster has settled" means, checked from the outside: every running node says
 * `cluster_state:ok`, all running nodes report the same roles and slot ownership, nobody
 * considers a running node failed or is still handshaking with it, and every running
 * replica of a running primary has its replication link up.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { type ClusterNodeInfo, parseClusterNodes, parseInfo } from "../ClusterNodes.ts"
import type { ConvergenceError } from "../errors.ts"
import type { NodeImpl } from "./clusterNode.ts"
import { done, notYet, type PollResult, pollUntil } from "./time.ts"

const BAD_FLAGS = ["fail", "fail?", "handshake", "noaddr"]

const signature = (view: ReadonlyArray<ClusterNodeInfo>): string =>
  view
    .map((node) => {
      const slots = node.slots.map(([start, end]) => (start === end ? `${start}` : `${start}-${end}`)).join(",")
      return `${node.id.slice(0, 8)}:${node.role}:${node.primaryId?.slice(0, 8) ?? "-"}:${slots}`
    })
    .sort()
    .join(" ")

const observe = (nodes: ReadonlyArray<NodeImpl>): Effect.Effect<PollResult<ReadonlyArray<ClusterNodeInfo>>> =>
  Effect.gen(function* () {
    const running = nodes.filter((node) => node.status === "running")
    if (running.length === 0) return notYet("no running node")
    const results = yield* Effect.forEach(
      running,
      (node) =>
        node
          .pipeline(
            [
              ["CLUSTER", "INFO"],
              ["CLUSTER", "NODES"]
            ],
            { timeout: "2 seconds" }
          )
          .pipe(
            Effect.map(([info, view]) => ({
              node,
              info: parseInfo(String(info)),
              view: parseClusterNodes(String(view))
            })),
            Effect.result
          ),
      { concurrency: "unbounded" }
    )
    const problems: Array<string> = []
    const views: Array<{ readonly node: NodeImpl; readonly view: ReadonlyArray<ClusterNodeInfo> }> = []
    results.forEach((result, i) => {
      if (Result.isFailure(result)) problems.push(`${running[i]!.address}: ${result.failure.message}`)
      else {
        if (result.success.info.cluster_state !== "ok") {
          problems.push(`${result.success.node.address} cluster_state:${result.success.info.cluster_state}`)
        }
        views.push(result.success)
      }
    })
    const runningIds = new Set(running.map((node) => node.id))
    for (const { node, view } of views) {
      for (const id of runningIds) {
        const entry = view.find((info) => info.id === id)
        if (entry === undefined) problems.push(`${node.address} does not know ${id.slice(0, 8)}`)
        else if (entry.flags.some((flag) => BAD_FLAGS.includes(flag))) {
          problems.push(`${node.address} sees ${id.slice(0, 8)} as ${entry.flags.join(",")}`)
        } else if (!entry.myself && !entry.connected) {
          problems.push(`${node.address} has no link to ${id.slice(0, 8)}`)
        }
      }
    }
    const signatures = new Set(views.map(({ view }) => signature(view)))
    if (signatures.size > 1) {
      problems.push(
        `nodes disagree on the topology: ${views.map(({ node, view }) => `${node.port}=[${signature(view)}]`).join(" vs ")}`
      )
    }
    if (problems.length > 0) return notYet(problems.join("; "))
    const reference = views[0]!.view
    // Right after a primary dies the survivors still agree that it owns its slots; that is
    // not settled until a replica took over (or the primary is back)
    const orphaned = reference.filter(
      (info) => info.role === "primary" && info.slots.length > 0 && !runningIds.has(info.id)
    )
    if (orphaned.length > 0) {
      return notYet(
        `slots still owned by nodes that are not running: ${orphaned.map((info) => `${info.host}:${info.port}`).join(", ")}`
      )
    }
    const syncing = running.filter((node) => {
      const entry = reference.find((info) => info.id === node.id)
      return entry?.role === "replica" && entry.primaryId !== undefined && runningIds.has(entry.primaryId)
    })
    const links = yield* Effect.forEach(
      syncing,
      (node) =>
        node.command(["INFO", "replication"], { timeout: "2 seconds" }).pipe(
          Effect.map((info) => parseInfo(String(info)).master_link_status ?? "unknown"),
          Effect.catch((error) => Effect.succeed(error.message))
        ),
      { concurrency: "unbounded" }
    )
    const lagging = syncing.flatMap((node, i) =>
      links[i] === "up" ? [] : [`${node.address} master_link_status:${links[i]}`]
    )
    if (lagging.length > 0) return notYet(lagging.join("; "))
    return done(reference)
  })

/**
 * Updates the tracked roles of `nodes` from an agreed view.
 *
 * @since 0.1.0
 * @category consistency
 */
export const applyTopology = (nodes: ReadonlyArray<NodeImpl>, view: ReadonlyArray<ClusterNodeInfo>): void => {
  for (const node of nodes) {
    const entry = view.find((info) => info.id === node.id)
    if (entry === undefined) continue
    node.role = entry.role
    node.primaryId = entry.primaryId
  }
}

/**
 * Polls until the running nodes are consistent, then records the agreed roles.
 *
 * @since 0.1.0
 * @category consistency
 */
export const waitForConsistency = (
  nodes: () => ReadonlyArray<NodeImpl>,
  timeoutMs: number
): Effect.Effect<ReadonlyArray<ClusterNodeInfo>, ConvergenceError> =>
  pollUntil({
    what: "the cluster to be consistent (cluster_state:ok, one agreed topology, replicas in sync)",
    timeoutMs,
    intervalMs: 100,
    check: Effect.suspend(() => observe(nodes()))
  }).pipe(Effect.tap((view) => Effect.sync(() => applyTopology(nodes(), view))))

/**
 * Polls until every running node knows every node in `ids` past the handshake, which
 * `CLUSTER REPLICATE` needs before it accepts a primary id.
 *
 * @since 0.1.0
 * @category consistency
 */
export const waitForMeet = (
  nodes: () => ReadonlyArray<NodeImpl>,
  timeoutMs: number
): Effect.Effect<void, ConvergenceError> =>
  pollUntil({
    what: "every node to know every other node (CLUSTER MEET)",
    timeoutMs,
    intervalMs: 50,
    check: Effect.gen(function* () {
      const running = nodes().filter((node) => node.status === "running")
      const views = yield* Effect.forEach(
        running,
        (node) =>
          node.command(["CLUSTER", "NODES"], { timeout: "2 seconds" }).pipe(
            Effect.map((text) => parseClusterNodes(String(text))),
            Effect.result
          ),
        { concurrency: "unbounded" }
      )
      const problems: Array<string> = []
      views.forEach((result, i) => {
        if (Result.isFailure(result)) {
          problems.push(`${running[i]!.address}: ${result.failure.message}`)
          return
        }
        for (const node of running) {
          const entry = result.success.find((info) => info.id === node.id)
          if (entry === undefined || entry.flags.includes("handshake") || entry.flags.includes("noaddr")) {
            problems.push(`${running[i]!.address} does not know ${node.id.slice(0, 8)} yet`)
          }
        }
      })
      return problems.length === 0 ? done(undefined) : notYet(problems.join("; "))
    })
  })
