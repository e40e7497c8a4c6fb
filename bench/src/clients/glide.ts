// @valkey/valkey-glide with its defaults (one multiplexed connection per node, Rust core over a
// native binding): `GlideClient` on a standalone server, `GlideClusterClient` on a cluster.
import { GlideClient, GlideClusterClient } from "@valkey/valkey-glide"
import type { Target } from "../types.ts"
import { type ClientAdapter, promiseLoad } from "./client.ts"

export const adapter: ClientAdapter = {
  async connect(target: Target) {
    const addresses = target.nodes.map((n) => ({ host: n.host, port: n.port }))
    const client =
      target.topology === "cluster"
        ? await GlideClusterClient.createClient({ addresses })
        : await GlideClient.createClient({ addresses })
    return promiseLoad({
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value),
      close: async () => {
        client.close()
      }
    })
  }
}
