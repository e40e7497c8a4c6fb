/**
 * Password rotation without restarting the client: `valkey.updatePassword`. See
 * docs/password-rotation.md.
 *
 *   node --conditions=source examples/password-rotation.ts
 *
 * Starts a throwaway valkey-server with an ACL user `app` and stops it at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Console, Effect, Redacted } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`${label.padEnd(52)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

const main = Effect.gen(function* () {
  const server = yield* ValkeyServer.make({ users: [{ name: "app", password: "first-password" }] })
  yield* Console.log(`server up at ${server.address}\n`)
  const { valkey } = yield* ValkeyStandalone.make({
    port: server.port,
    username: "app",
    password: Redacted.make("first-password")
  })
  yield* show("connected as app", yield* valkey.aclWhoami())

  // 1. The server accepts both passwords for a while (ACL users may have several).
  yield* server.command(["ACL", "SETUSER", "app", ">second-password"])

  // 2. The client switches; immediateAuth re-authenticates its open connections now.
  yield* valkey.updatePassword(Redacted.make("second-password"), { immediateAuth: true })
  yield* show("updatePassword(second, { immediateAuth: true })", "ok")

  // 3. The old password is retired on the server; connected clients are not affected.
  yield* server.command(["ACL", "SETUSER", "app", "<first-password"])

  // 4. A reconnect (network blip, failover, CLIENT KILL) now uses the new password.
  yield* server.command(["CLIENT", "KILL", "USER", "app"])
  yield* Effect.sleep("200 millis")
  yield* show("after CLIENT KILL, the client reconnects", yield* valkey.aclWhoami())

  // Without immediateAuth the new password is only used from the next reconnect on.
  yield* server.command(["ACL", "SETUSER", "app", ">third-password", "<second-password"])
  yield* valkey.updatePassword("third-password")
  yield* server.command(["CLIENT", "KILL", "USER", "app"])
  yield* Effect.sleep("200 millis")
  yield* show("updatePassword(third) + reconnect", yield* valkey.aclWhoami())

  // A password the server refuses, sent with immediateAuth, fails with the server's reply error.
  const refused = yield* Effect.flip(valkey.updatePassword("not-the-password", { immediateAuth: true }))
  yield* show(
    "immediateAuth with a wrong password",
    `${refused._tag}${refused._tag === "ReplyError" ? ` (${refused.code})` : ""}`
  )
  // The client keeps the password it was given even so: put the right one back.
  yield* valkey.updatePassword("third-password")
  yield* show("the current connection is still authenticated", yield* valkey.aclWhoami())
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
