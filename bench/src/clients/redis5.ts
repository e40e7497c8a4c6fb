// node-redis 5 (`redis@5`), default options: it auto-pipelines every command issued in the same
// tick, and has no per-command timeout. `createClient` on a standalone server, `createCluster`
// (one auto-pipelined client per primary, slot routing) on a cluster. `adapterCached` turns on
// its client-side cache (`clientSideCache`, RESP3 only: CLIENT TRACKING with invalidation pushes).
import { createClient, createCluster } from "redis5"
import type { Target } from "../types.ts"
import { type ClientAdapter, promiseLoad, SkipError } from "./client.ts"

const connect = async (target: Target, cache: boolean) => {
  const node = target.nodes[0]!
  if (cache && target.topology === "cluster") throw new SkipError("the cached variant is measured on one server")
  const client =
    target.topology === "cluster"
      ? createCluster({ rootNodes: target.nodes.map((n) => ({ socket: { host: n.host, port: n.port } })) })
      : cache
        ? createClient({
            socket: { host: node.host, port: node.port },
            RESP: 3,
            clientSideCache: { maxEntries: 20_000, evictPolicy: "LRU" }
          })
        : createClient({ socket: { host: node.host, port: node.port } })
  client.on("error", () => {})
  await client.connect()
  const hitRate = async () => {
    const provider = "clientSideCache" in client ? client.clientSideCache : undefined
    return provider?.stats().hitRate() ?? 0
  }
  return promiseLoad({
    get: (key) => client.get(key),
    set: (key, value) => client.set(key, value),
    close: async () => {
      client.destroy()
    },
    ...(cache ? { hitRate } : {})
  })
}

export const adapter: ClientAdapter = { connect: (target) => connect(target, false) }

export const adapterCached: ClientAdapter = { connect: (target) => connect(target, true) }
