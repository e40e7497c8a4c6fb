// @valkey/valkey-glide with its defaults (one multiplexed connection per node, Rust core over a
// native binding): `GlideClient` on a standalone server, `GlideClusterClient` on a cluster.
// `adapterCached` turns on its client-side cache (2.4+: `ClientSideCache` with `serverAssisted`,
// which sends CLIENT TRACKING ON BCAST and needs RESP3, GLIDE's default protocol).
import { ClientSideCache, GlideClient, GlideClusterClient } from "@valkey/valkey-glide"
import type { Target } from "../types.ts"
import { type ClientAdapter, promiseLoad, SkipError } from "./client.ts"

const connect = async (target: Target, cache: boolean) => {
  if (cache && target.topology === "cluster") throw new SkipError("the cached variant is measured on one server")
  const addresses = target.nodes.map((n) => ({ host: n.host, port: n.port }))
  // 10,000 values of ~100 B with their keys fit in 8 MiB.
  const clientSideCache = cache
    ? new ClientSideCache({ maxCacheKb: 8192, entryTtlMs: 0, serverAssisted: true, enableMetrics: true })
    : undefined
  const options = { addresses, ...(clientSideCache === undefined ? {} : { clientSideCache }) }
  const client =
    target.topology === "cluster"
      ? await GlideClusterClient.createClient(options)
      : await GlideClient.createClient(options)
  return promiseLoad({
    get: (key) => client.get(key),
    set: (key, value) => client.set(key, value),
    close: async () => {
      client.close()
    },
    ...(cache ? { hitRate: () => client.getCacheHitRate() } : {})
  })
}

export const adapter: ClientAdapter = { connect: (target) => connect(target, false) }

export const adapterCached: ClientAdapter = { connect: (target) => connect(target, true) }
