// node-redis 6 (`redis@6`). Two variants:
// - `redis6`: defaults. v6 gives every command a 5 s timeout (DEFAULT_COMMAND_TIMEOUT in
//   @redis/client/dist/lib/defaults.js), armed per command with `AbortSignal.timeout`.
// - `redis6-notimeout`: `commandOptions: { timeout: 0 }`. The client merges
//   `{ timeout: DEFAULT_COMMAND_TIMEOUT, ...options.commandOptions }` and the queue arms the
//   signal only `if (timeout)`, so 0 turns the per-command timer off.
// `createClient` on a standalone server, `createCluster` on a cluster. The cluster client does
// the same merge for its own `commandOptions` and passes them to the node clients with every
// command (they override the node clients' own), so the option goes on the cluster.
import { createClient, createCluster } from "redis6"
import type { Target } from "../types.ts"
import { type ClientAdapter, promiseLoad } from "./client.ts"

const make = (noTimeout: boolean): ClientAdapter => ({
  async connect(target: Target) {
    const node = target.nodes[0]!
    const commandOptions = noTimeout ? { commandOptions: { timeout: 0 } } : {}
    const client =
      target.topology === "cluster"
        ? createCluster({
            rootNodes: target.nodes.map((n) => ({ socket: { host: n.host, port: n.port } })),
            ...commandOptions
          })
        : createClient({ socket: { host: node.host, port: node.port }, ...commandOptions })
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
})

export const adapter = make(false)
export const adapterNoTimeout = make(true)
