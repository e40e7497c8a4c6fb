// Shared by the ioredis 5 and 6 adapters (kept apart so each worker loads only one ioredis).
import type { Target } from "../types.ts"
import { type ClientAdapter, promiseLoad } from "./client.ts"

/** What the adapter uses of a `Redis` or a `Cluster`. */
export interface IoRedisLike {
  connect(): Promise<void>
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<unknown>
  disconnect(): void
  on(event: "error", listener: (e: unknown) => void): unknown
}

export interface IoRedisFactory {
  /** `new Redis(...)` for a standalone server */
  readonly standalone: (host: string, port: number) => IoRedisLike
  /** `new Cluster(...)` for a cluster, from its seed nodes */
  readonly cluster: (nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>) => IoRedisLike
}

export const ioredisAdapter = (create: IoRedisFactory): ClientAdapter => ({
  async connect(target: Target) {
    const node = target.nodes[0]!
    const client =
      target.topology === "cluster" ? create.cluster(target.nodes) : create.standalone(node.host, node.port)
    client.on("error", () => {})
    await client.connect()
    return promiseLoad({
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value),
      close: async () => {
        client.disconnect()
      }
    })
  }
})
