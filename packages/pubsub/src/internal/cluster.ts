/**
 * The backend for a cluster: a subscriber connection per node that serves subscriptions,
 * each subscription on the primary owning the slot of its name (of the channel, or of the
 * pattern string: a stable choice, since any node hears every non-sharded message), and
 * commands through the cluster router.
 */
import { type ClusterRouterService, Slot } from "@effect-valkey/cluster"
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
      .filter((node) => node.health !== "fail")
  return {
    credentials: base.credentials,
    placement: {
      nodeFor: (_kind, name) => cluster.topology().shardOfSlot(Slot.slotOf(name))?.primary,
      // A lazy connection only connects on its first write, so making it cannot fail.
      connect: (node) => Effect.orDie(Connection.make({ ...base, host: node.host, port: node.port }, { lazy: true })),
      refresh: Effect.ignore(cluster.refreshTopology)
    },
    run: (command) => cluster.run(command),
    everyNode: (command) =>
      Effect.forEach(nodes(), (node) => cluster.runOn(command, { type: "address", host: node.host, port: node.port }), {
        concurrency: "unbounded"
      })
  }
}
