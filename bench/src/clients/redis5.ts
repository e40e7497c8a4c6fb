// node-redis 5 (`redis@5`), default options: it auto-pipelines every command issued in the same
// tick, and has no per-command timeout. `createClient` on a standalone server, `createCluster`
// (one auto-pipelined client per primary, slot routing) on a cluster.
import { createClient, createCluster } from "redis5"
import type { Target } from "../types.ts"
import { type ClientAdapter, promiseLoad } from "./client.ts"

export const adapter: ClientAdapter = {
  async connect(target: Target) {
    const node = target.nodes[0]!
    const client =
      target.topology === "cluster"
        ? createCluster({ rootNodes: target.nodes.map((n) => ({ socket: { host: n.host, port: n.port } })) })
        : createClient({ socket: { host: node.host, port: node.port } })
    client.on("error", () => {})
    await client.connect()
    return promiseLoad({
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value),
      close: async () => {
        client.destroy()
      }
    })
  }
}
