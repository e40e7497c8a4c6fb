/**
 * Connections: the shared multiplexed connection, the pool for blocking commands, dedicated
 * connections for WATCH transactions, lazy connect and reconnect. See docs/connections.md.
 *
 *   node --conditions=source examples/connections.ts
 *
 * Starts a throwaway valkey-server on a free loopback port and stops it at the end.
 */

import { NodeRuntime } from "@effect/platform-node"
import { Commands, ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer, type ValkeyServerHandle } from "@effect-valkey/testkit"
import { Console, Effect, Fiber } from "effect"

const show = (label: string, value: unknown) =>
  Console.log(`   ${label.padEnd(46)} ${typeof value === "string" ? value : JSON.stringify(value)}`)

/** Client connections the server has open now, not counting the admin probe asking. */
const clients = (server: ValkeyServerHandle) =>
  Effect.map(
    server.command(["CLIENT", "LIST"]),
    (list) =>
      String(list)
        .split("\n")
        .filter((line) => line.trim() !== "").length - 1
  )

const program = (server: ValkeyServerHandle) =>
  Effect.gen(function* () {
    yield* Console.log("── lazyConnect: no socket until the first command")
    const { valkey } = yield* ValkeyStandalone.make({ port: server.port, lazyConnect: true, blockingPoolSize: 2 })
    yield* show("connections after make({ lazyConnect: true })", yield* clients(server))
    yield* valkey.ping()
    yield* show("after the first command", yield* clients(server))

    yield* Console.log("── one shared connection for every fiber")
    yield* Effect.forEach(
      Array.from({ length: 1000 }, (_, i) => i),
      (i) => valkey.set(`k:${i}`, i),
      {
        concurrency: "unbounded",
        discard: true
      }
    )
    yield* show("after 1,000 concurrent SETs", `${yield* clients(server)} connection(s)`)

    yield* Console.log("── blocking commands borrow a pooled connection of their own")
    const waiting = yield* Effect.forkChild(valkey.blpop(["jobs"], 5))
    yield* Effect.sleep("100 millis")
    const started = Date.now()
    yield* valkey.ping()
    yield* show("PING while BLPOP blocks", `answered in ${Date.now() - started} ms`)
    yield* show("connections (shared + 1 pooled)", yield* clients(server))
    yield* valkey.rpush("jobs", ["job-1"])
    yield* show("BLPOP got", yield* Fiber.join(waiting))

    yield* Console.log("── a dedicated connection: WATCH + MULTI/EXEC")
    yield* valkey.set("balance", 100)
    const transfer = (amount: number, interfere: boolean) =>
      Effect.scoped(
        Effect.gen(function* () {
          const tx = yield* valkey.dedicated
          yield* tx.watch(["balance"])
          const balance = Number(yield* tx.get("balance"))
          // Another caller writes the watched key between WATCH and EXEC.
          if (interfere) yield* valkey.incrBy("balance", 1)
          return yield* tx.batch([Commands.strings.set("balance", balance - amount)], {
            atomic: true,
            raiseOnError: true
          })
        })
      )
    yield* show("transfer(30) without interference", yield* transfer(30, false))
    yield* show("balance", yield* valkey.get("balance"))
    const aborted = yield* Effect.flip(transfer(30, true))
    yield* show(
      "transfer(30) while the key changes",
      `${aborted._tag}${aborted._tag === "TransactionAbortedError" ? ` (reason: ${aborted.reason})` : ""}`
    )
    yield* show("balance (the transaction did not run)", yield* valkey.get("balance"))

    yield* Console.log("── reconnect: a dropped connection is re-established on the next command")
    yield* server.command(["CLIENT", "KILL", "TYPE", "normal"])
    yield* Effect.sleep("200 millis")
    yield* show("after CLIENT KILL, get('balance')", yield* valkey.get("balance"))
  }).pipe(Effect.scoped)

const main = Effect.gen(function* () {
  const server = yield* ValkeyServer.make()
  yield* Console.log(`server up at ${server.address}`)
  yield* program(server)
}).pipe(Effect.scoped)

NodeRuntime.runMain(main)
