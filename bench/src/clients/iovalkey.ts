// iovalkey (the Valkey fork of ioredis) in its fastest documented mode: `enableAutoPipelining:
// true` (commands issued in the same tick go out as one pipeline; with `Cluster`, one pipeline
// per node).
import { Cluster, Redis } from "iovalkey"
import { ioredisAdapter } from "./ioredis-common.ts"

export const adapter = ioredisAdapter({
  standalone: (host, port) => new Redis({ host, port, lazyConnect: true, enableAutoPipelining: true }),
  cluster: (nodes) =>
    new Cluster(
      nodes.map((n) => ({ host: n.host, port: n.port })),
      { lazyConnect: true, enableAutoPipelining: true }
    )
})
