/**
 * Credentials as an Effect, refreshed without restarting the client; and `updatePassword` for
 * replacing a password by hand. See docs/credentials.md.
 *
 *   node --conditions=source examples/credentials.ts
 *
 * Starts a throwaway valkey-server with an ACL user `app` and stops it at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Console, Effect, Redacted, Schedule } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`${label.padEnd(52)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

const main = Effect.gen(function* () {
  const server = yield* ValkeyServer.make({ users: [{ name: "app", password: "first-password" }] })
  yield* Console.log(`server up at ${server.address}\n`)

  // The "vault": in an application, an Effect that fetches a secret or makes a token.
  let current = "first-password"
  let vaultUp = true
  const credentials = Effect.suspend(() =>
    vaultUp
      ? Effect.succeed({ username: "app", password: Redacted.make(current) })
      : Effect.fail(new Error("vault unreachable"))
  )
  const { valkey } = yield* ValkeyStandalone.make({
    port: server.port,
    credentials,
    credentialsRefresh: Schedule.spaced("100 millis")
  })
  yield* show("connected as", yield* valkey.aclWhoami())

  // 1. The server accepts both passwords for a while (ACL users may have several).
  yield* server.command(["ACL", "SETUSER", "app", ">second-password"])
  // 2. The provider yields the new one: the next refresh sends AUTH with it on every connection.
  current = "second-password"
  yield* Effect.sleep("300 millis")
  // 3. The old password is retired on the server; a reconnect uses the new one.
  yield* server.command(["ACL", "SETUSER", "app", "<first-password"])
  yield* server.command(["CLIENT", "KILL", "USER", "app"])
  yield* Effect.sleep("200 millis")
  yield* show("after rotation and CLIENT KILL", yield* valkey.aclWhoami())

  // The provider fails: the client keeps the credentials it had (and logs a warning).
  vaultUp = false
  yield* server.command(["CLIENT", "KILL", "USER", "app"])
  yield* Effect.sleep("200 millis")
  yield* show("provider down, reconnected with the last secret", yield* valkey.aclWhoami())

  // By hand: updatePassword replaces the provider; immediateAuth sends AUTH now.
  yield* server.command(["ACL", "SETUSER", "app", ">third-password", "<second-password"])
  yield* valkey.updatePassword(Redacted.make("third-password"), { immediateAuth: true })
  yield* server.command(["CLIENT", "KILL", "USER", "app"])
  yield* Effect.sleep("200 millis")
  yield* show("updatePassword(third, { immediateAuth }) + kill", yield* valkey.aclWhoami())

  // A password the server refuses is a typed AuthError, and the previous one stays in use.
  const refused = yield* Effect.flip(valkey.updatePassword("not-the-password", { immediateAuth: true }))
  yield* show("immediateAuth with a wrong password", refused._tag)
  yield* show("still authenticated", yield* valkey.aclWhoami())
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
