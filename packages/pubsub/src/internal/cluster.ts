/**
 * The backend for a cluster: a subscriber connection per node that serves subscriptions,
 * each subscription on the primary owning the slot of its name (of the channel, or of the
 * pattern string: a stable choice, since any node hears every non-sharded message), and
 * commands through the cluster router. While that primary's subscriber connection is lost, a
 * non-sharded subscription goes to another live node at once; a sharded one follows the
 * router's topology, which a lost node makes it refresh promptly (`watchTopology`).
 */
import { type ClusterRouterService, Slot, Topology } from "@effect-valkey/cluster"
import { Connection } from "@effect-valkey/core/internal"
import * as Effect from "effect/Effect"
import type { Backend } from "./make.ts"

export const backend = (cluster: ClusterRouterService): Backend => {
  // The client's settings, with its credentials object: a rotated password reaches these
  // connections too.
  const base = cluster.connectionOptions
  const nodes = () =>
    cluster
      .topology()
      .nodes()
      .filter((node) => !Topology.isFailed(node))
  return {
    credentials: base.credentials,
    placement: {
      nodeFor: (kind, name, down) => {
        const slot = Slot.slotOf(name)
        const owner = cluster.topology().shardOfSlot(slot)?.primary
        if (kind === "sharded" || (owner !== undefined && !down(owner.address))) return owner
        const live = nodes().filter((node) => !down(node.address))
        const primaries = live.filter((node) => node.role === "primary")
        const pool = primaries.length > 0 ? primaries : live
        // Spread by slot, stable while the topology is.
        return pool.length === 0 ? owner : pool[slot % pool.length]
      },
      // A lazy connection only connects on its first write, so making it cannot fail.
      connect: (node) => Effect.orDie(Connection.make({ ...base, host: node.host, port: node.port }, { lazy: true })),
      refresh: Effect.ignore(cluster.refreshTopology),
      // A failed node that owns no slots counts as gone: it stays listed until forgotten, and
      // a connection kept for it would be retried all that time.
      known: (address) => Topology.servingNodes(cluster.topology()).some((node) => node.address === address),
      lost: (address) => cluster.nodeLost(address),
      watch: (onChange) => cluster.watchTopology(onChange)
    },
    run: (command) => cluster.run(command),
    everyNode: (command) =>
      Effect.forEach(nodes(), (node) => cluster.runOn(command, { type: "address", host: node.host, port: node.port }), {
        concurrency: "unbounded"
      })
  }
}
