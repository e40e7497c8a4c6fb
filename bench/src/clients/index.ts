// Client ids -> adapters. Loaded lazily so a worker process imports only the client it measures
// (its peak RSS is then attributable to that client).
import type { ClientAdapter } from "./client.ts"

interface Entry {
  /** what is measured, for the report */
  readonly describe: string
  readonly load: () => Promise<ClientAdapter>
}

export const CLIENTS = {
  "effect-valkey": {
    describe: "@effect-valkey/core (this repo), N fibers; ValkeyCluster.layer from @effect-valkey/cluster on a cluster",
    load: async () => (await import("./effect-valkey.ts")).adapter
  },
  redis5: {
    describe: "redis@5 (node-redis), defaults (auto-pipelining, no command timeout); createCluster on a cluster",
    load: async () => (await import("./redis5.ts")).adapter
  },
  redis6: {
    describe:
      "redis@6 (node-redis), defaults (5 s per-command timeout via AbortSignal.timeout); createCluster on a cluster",
    load: async () => (await import("./redis6.ts")).adapter
  },
  "redis6-notimeout": {
    describe:
      "redis@6 (node-redis), commandOptions: { timeout: 0 } (per-command timeout off); createCluster on a cluster",
    load: async () => (await import("./redis6.ts")).adapterNoTimeout
  },
  ioredis5: {
    describe: "ioredis@5, enableAutoPipelining: true; Cluster on a cluster",
    load: async () => (await import("./ioredis5.ts")).adapter
  },
  ioredis6: {
    describe: "ioredis@6, enableAutoPipelining: true; Cluster on a cluster",
    load: async () => (await import("./ioredis6.ts")).adapter
  },
  iovalkey: {
    describe: "iovalkey (the Valkey fork of ioredis), enableAutoPipelining: true; Cluster on a cluster",
    load: async () => (await import("./iovalkey.ts")).adapter
  },
  glide: {
    describe: "@valkey/valkey-glide 2.x, defaults; GlideClusterClient on a cluster",
    load: async () => (await import("./glide.ts")).adapter
  },
  "effect-valkey-cache": {
    describe: "@effect-valkey/core with its client-side cache (cache: { maxEntries: 20,000 }, RESP3 tracking)",
    load: async () => (await import("./effect-valkey.ts")).adapterCached
  },
  "redis5-cache": {
    describe: "redis@5 with clientSideCache ({ maxEntries: 20,000, LRU }, RESP3)",
    load: async () => (await import("./redis5.ts")).adapterCached
  },
  "glide-cache": {
    describe: "@valkey/valkey-glide 2.x with ClientSideCache (8 MiB, serverAssisted: BCAST tracking, RESP3)",
    load: async () => (await import("./glide.ts")).adapterCached
  }
} satisfies Record<string, Entry>

export type ClientId = keyof typeof CLIENTS

export const CLIENT_IDS = Object.keys(CLIENTS) as ReadonlyArray<ClientId>

/** The client the others are compared with. */
export const SUBJECT: ClientId = "effect-valkey"

export const isClientId = (s: string): s is ClientId => Object.hasOwn(CLIENTS, s)

/** The client-side-cache variants: measured in the read-heavy scenarios only. */
export const isCached = (c: ClientId): boolean => c.endsWith("-cache")

/** The cached variant the read-heavy scenarios compare with the peers. */
export const CACHED_SUBJECT: ClientId = "effect-valkey-cache"
