// @valkey/valkey-glide with its defaults (one multiplexed connection, Rust core over a native
// binding).
import { GlideClient } from "@valkey/valkey-glide"
import type { Target } from "../types.ts"
import { type ClientAdapter, promiseLoad } from "./client.ts"

export const adapter: ClientAdapter = {
  async connect(target: Target) {
    const client = await GlideClient.createClient({
      addresses: target.nodes.map((n) => ({ host: n.host, port: n.port }))
    })
    return promiseLoad({
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value),
      close: async () => {
        client.close()
      }
    })
  }
}
