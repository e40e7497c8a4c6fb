// ioredis 6 in its fastest documented mode: `enableAutoPipelining: true` (commands issued in the
// same tick go out as one pipeline).
import { Redis } from "ioredis6"
import { ioredisAdapter } from "./ioredis-common.ts"

export const adapter = ioredisAdapter(
  (host, port) => new Redis({ host, port, lazyConnect: true, enableAutoPipelining: true })
)
