/**
 * The backend for a Sentinel client: every subscription on one subscriber connection to the
 * primary the sentinels name now. On a failover the engine is told at once, so subscriptions
 * move to the new primary (`Lost` on the old one, `Resubscribed` naming the new one), and
 * commands go through the client's `Router`, which follows the primary too.
 */
import type { RouterService, ValkeySentinel } from "@effect-valkey/core"
import { Connection } from "@effect-valkey/core/internal"
import * as Effect from "effect/Effect"
import type { Backend } from "./make.ts"

export const backend = (sentinel: ValkeySentinel.SentinelService, router: RouterService): Backend => {
  // The client's settings, with its credentials object: a rotated password reaches these
  // connections too.
  const options = router.connectionOptions
  return {
    credentials: options.credentials,
    placement: {
      nodeFor: () => sentinel.primary(),
      // A lazy connection only connects on its first write, so making it cannot fail.
      connect: (node) =>
        Effect.orDie(Connection.make({ ...options, host: node.host, port: node.port }, { lazy: true })),
      refresh: Effect.void,
      known: (address) => sentinel.primary().address === address,
      watch: (onChange) => sentinel.onSwitch(() => onChange())
    },
    run: (command) => router.run(command),
    everyNode: (command) => Effect.map(router.run(command), (value) => [value])
  }
}
