/**
 * The backend for one server: every subscription on one subscriber connection to it,
 * commands through the client's `Router`.
 */
import type { RouterService } from "@effect-valkey/core"
import { Connection } from "@effect-valkey/core/internal"
import * as Effect from "effect/Effect"
import type { Backend } from "./make.ts"

export const backend = (router: RouterService): Backend => {
  // The client's settings, with its credentials object: a rotated password reaches these
  // connections too.
  const options = router.connectionOptions
  const node = { host: options.host, port: options.port, address: `${options.host}:${options.port}` }
  return {
    credentials: options.credentials,
    placement: {
      nodeFor: () => node,
      // A lazy connection only connects on its first write, so making it cannot fail.
      connect: () => Effect.orDie(Connection.make(options, { lazy: true })),
      refresh: Effect.void
    },
    run: (command) => router.run(command),
    everyNode: (command) => Effect.map(router.run(command), (value) => [value])
  }
}
