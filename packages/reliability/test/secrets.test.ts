/**
 * Passwords are `Redacted` end to end. Every error, log line and rendering produced while
 * connecting with a wrong password (given as a field and inside a URL), rotating passwords,
 * failing TLS (no CA, wrong CA), failing cluster authentication, malformed configuration that
 * carries a password, and a cluster failover under an authenticated client is collected:
 * `message`, `String()`, `JSON.stringify`, `util.inspect` (deep), `Cause.pretty`, and every line
 * of an Effect logger that logs each failure with its cause. None may contain any secret.
 * Configuration objects (`ValkeyConfig.resolve`, `ClusterConfig.resolve`, `Credentials`) are
 * rendered the same ways.
 *
 * With `tracing` on, every span the clients make (name, attributes, status, events) is
 * rendered and checked too. A credentials provider (refreshed, refused, failing) is covered too.
 * Also covered: TLS verification is on by default (a client given no CA fails with a typed
 * error), and an ACL user without a permission gets NOPERM while the client goes on working.
 */
import { inspect } from "node:util"
import { assert, describe, it } from "@effect/vitest"
import { ClusterConfig, ValkeyCluster } from "@effect-valkey/cluster"
import { Credentials, ValkeyConfig, ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer, ValkeyTestCluster } from "@effect-valkey/testkit"
import { Cause, Effect, Exit, Logger, Redacted, Schedule, Tracer } from "effect"
import { report } from "./scale.ts"

const secret = (name: string) => `${name}-${Math.random().toString(36).slice(2, 12)}-S3CR3T`

const SECRETS = {
  right: secret("right"),
  wrong: secret("wrong"),
  url: secret("url"),
  old: secret("old"),
  rotated: secret("rotated"),
  bogus: secret("bogus"),
  tls: secret("tls"),
  cluster: secret("cluster"),
  clusterWrong: secret("clusterwrong"),
  seed: secret("seed"),
  key: secret("tlskey"),
  providerFirst: secret("providerfirst"),
  providerNext: secret("providernext"),
  providerBogus: secret("providerbogus")
}

/** Every rendering of a value a user could end up printing or shipping to a log. */
const renderings = (value: unknown): Array<string> => {
  const out = [String(value), inspect(value, { depth: 20 }), inspect(value, { depth: 20, showHidden: true })]
  try {
    out.push(JSON.stringify(value) ?? "")
  } catch (e) {
    out.push(`JSON.stringify threw: ${String(e)}`)
  }
  if (typeof value === "object" && value !== null) {
    const v = value as { message?: unknown; cause?: unknown; stack?: unknown }
    if (v.message !== undefined) out.push(String(v.message))
    if (v.stack !== undefined) out.push(String(v.stack))
    if (v.cause !== undefined) out.push(inspect(v.cause, { depth: 20 }), String(v.cause))
  }
  return out
}

/** Every span the clients under test make (their `tracing` is on). */
const spansSink: Array<Tracer.NativeSpan> = []

describe("secrets never leak", () => {
  it.live("wrong passwords, rotation, TLS failures, cluster auth failures, failover, bad config", () =>
    Effect.gen(function* () {
      const texts: Array<string> = []
      const spans = spansSink
      const logLines: Array<string> = []
      const outcomes: Record<string, string> = {}
      const capture = Logger.make((options) => {
        logLines.push(String(Logger.formatSimple.log(options)), String(Logger.formatJson.log(options)))
      })
      /** Runs `effect`; its failure (or value) is rendered, logged with its cause, and returned. */
      const collect = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>) =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(effect)
          if (Exit.isFailure(exit)) {
            const error = Exit.findErrorOption(exit)
            outcomes[name] = error._tag === "Some" ? String((error.value as { _tag?: string })._tag) : "defect"
            texts.push(Cause.pretty(exit.cause), ...(error._tag === "Some" ? renderings(error.value) : []))
            yield* Effect.logError(`${name} failed`, exit.cause)
          } else {
            outcomes[name] = "succeeded"
          }
          return exit
        }).pipe(Effect.provide(Logger.layer([capture])))

      // --- standalone: wrong password, as a field (string and Redacted) and inside a URL ---
      const server = yield* ValkeyServer.make({
        password: SECRETS.right,
        users: [
          { name: "app", password: SECRETS.old },
          { name: "reader", password: SECRETS.url, rules: "+get +ping +client +hello ~* &*" }
        ]
      })
      yield* collect("wrong password", ValkeyStandalone.make({ port: server.port, password: SECRETS.wrong }))
      yield* collect(
        "wrong redacted password",
        ValkeyStandalone.make({ port: server.port, username: "app", password: Redacted.make(SECRETS.wrong) })
      )
      yield* collect(
        "wrong password in URL",
        ValkeyStandalone.make({ url: `valkey://default:${SECRETS.wrong}@127.0.0.1:${server.port}` })
      )

      // --- rotation: to the right new password, then to a bogus one ---
      const { valkey } = yield* ValkeyStandalone.make({
        port: server.port,
        username: "app",
        password: SECRETS.old,
        tracing: true,
        requestTimeout: 1000,
        reconnect: Schedule.spaced("50 millis")
      })
      yield* server.command(["ACL", "SETUSER", "app", "resetpass", `>${SECRETS.rotated}`])
      yield* collect("rotate", valkey.updatePassword(Redacted.make(SECRETS.rotated), { immediateAuth: true }))
      assert.strictEqual(yield* valkey.ping(), "PONG")
      yield* collect("rotate to a bogus password", valkey.updatePassword(SECRETS.bogus, { immediateAuth: true }))
      yield* server.command(["CLIENT", "KILL", "USER", "app"])
      yield* collect("call after a bogus rotation", valkey.ping())
      yield* collect("rotate back", valkey.updatePassword(SECRETS.rotated))
      yield* Effect.sleep("200 millis")
      yield* collect(
        "call after rotating back",
        valkey.ping().pipe(Effect.retry({ times: 20, schedule: Schedule.spaced("50 millis") }))
      )

      // --- a credentials provider: refreshed to a new secret, to a refused one, then failing ---
      yield* server.command(["ACL", "SETUSER", "prov", "on", `>${SECRETS.providerFirst}`, "~*", "&*", "+@all"])
      let provided = SECRETS.providerFirst
      let vaultDown = false
      const provider = Effect.suspend(() =>
        vaultDown
          ? Effect.fail(new Error("vault unreachable"))
          : Effect.succeed({ username: "prov", password: Redacted.make(provided) })
      )
      const providerClient = yield* collect(
        "client with a credentials provider",
        ValkeyStandalone.make({
          port: server.port,
          credentials: provider,
          credentialsRefresh: Schedule.spaced("50 millis"),
          tracing: true,
          reconnect: Schedule.spaced("50 millis")
        })
      )
      assert.isTrue(Exit.isSuccess(providerClient), JSON.stringify(outcomes))
      yield* server.command(["ACL", "SETUSER", "prov", `>${SECRETS.providerNext}`])
      provided = SECRETS.providerNext
      yield* Effect.sleep("200 millis")
      // Refused by the server on the next refresh (logged), then the provider fails (logged).
      provided = SECRETS.providerBogus
      yield* Effect.sleep("200 millis")
      vaultDown = true
      yield* server.command(["CLIENT", "KILL", "USER", "prov"])
      if (Exit.isSuccess(providerClient)) {
        yield* collect(
          "call while the provider fails",
          providerClient.value.valkey.ping().pipe(Effect.retry({ times: 20, schedule: Schedule.spaced("50 millis") }))
        )
        texts.push(...renderings(providerClient.value.router.credentials))
      }
      assert.strictEqual(outcomes["call while the provider fails"], "succeeded")
      // The refused refresh and the failing provider were logged (and are checked below).
      assert.isTrue(logLines.some((line) => line.includes("refused the new credentials")))
      assert.isTrue(logLines.some((line) => line.includes("the credentials provider failed")))
      yield* collect(
        "a failing provider on the first connect",
        ValkeyStandalone.make({ port: server.port, credentials: provider })
      )
      assert.strictEqual(outcomes["a failing provider on the first connect"], "AuthError")

      // --- ACL: a missing permission is NOPERM, and the connection goes on working ---
      const reader = yield* ValkeyStandalone.make({
        port: server.port,
        username: "reader",
        password: SECRETS.url,
        tracing: true
      })
      const denied = yield* collect("NOPERM", reader.valkey.set("k", "v"))
      assert.isTrue(Exit.isFailure(denied))
      const deniedError = Exit.findErrorOption(denied)
      assert.isTrue(deniedError._tag === "Some" && deniedError.value._tag === "ReplyError")
      if (deniedError._tag === "Some" && deniedError.value._tag === "ReplyError")
        assert.strictEqual(deniedError.value.code, "NOPERM")
      assert.strictEqual(yield* reader.valkey.get("k"), null)

      // --- TLS: verification on by default (no CA given), a wrong CA, a password along ---
      const tlsServer = yield* ValkeyServer.make({ tls: true, password: SECRETS.tls })
      const otherCa = yield* ValkeyServer.make({ tls: true })
      const noCa = yield* collect(
        "TLS without the CA",
        ValkeyStandalone.make({ port: tlsServer.port, tls: true, password: SECRETS.tls, connectTimeout: 2000 })
      )
      const wrongCa = yield* collect(
        "TLS with a wrong CA",
        ValkeyStandalone.make({
          port: tlsServer.port,
          tls: { ca: otherCa.tls!.ca, key: Redacted.make(SECRETS.key) },
          password: SECRETS.tls,
          connectTimeout: 2000
        })
      )
      for (const exit of [noCa, wrongCa]) {
        const e = Exit.findErrorOption(exit)
        assert.isTrue(
          e._tag === "Some" && e.value._tag === "ConnectionError",
          `TLS failures are ConnectionErrors: ${JSON.stringify(outcomes)} ${Cause.pretty(Exit.isFailure(exit) ? exit.cause : Cause.empty).slice(0, 600)}`
        )
      }
      const tlsOk = yield* collect(
        "TLS with the CA and a wrong password",
        ValkeyStandalone.make({ port: tlsServer.port, tls: { ca: tlsServer.tls!.ca }, password: SECRETS.wrong })
      )
      assert.strictEqual(outcomes["TLS with the CA and a wrong password"], "AuthError", String(tlsOk._tag))

      // --- configuration that carries a password, valid and not ---
      const resolved = yield* ValkeyConfig.resolve({
        url: `valkey://app:${SECRETS.url}@127.0.0.1:1`,
        tls: { key: Redacted.make(SECRETS.key) }
      })
      texts.push(...renderings(resolved), ...renderings(new Credentials("app", Redacted.make(SECRETS.url))))
      yield* collect(
        "bad config with a password",
        ValkeyStandalone.make({ password: SECRETS.wrong, port: 0, url: `valkey://u:${SECRETS.url}@127.0.0.1:1` })
      )
      yield* collect("bad URL with a password", ValkeyStandalone.make({ url: `valkey://u:${SECRETS.url}@127.0.0.1:x` }))
      yield* collect(
        "cluster seed with a password and a bad port",
        ValkeyCluster.make({ seeds: [`valkey://default:${SECRETS.seed}@127.0.0.1:notaport`] })
      )
      yield* collect(
        "cluster seed with a password and no port",
        ValkeyCluster.make({ seeds: [`default:${SECRETS.seed}@127.0.0.1`] })
      )
      const clusterResolved = yield* ClusterConfig.resolve({
        seeds: [`valkey://default:${SECRETS.seed}@127.0.0.1:7000`],
        password: SECRETS.cluster
      })
      texts.push(...renderings(clusterResolved))

      // --- cluster: wrong password, then a failover under a client with the right one ---
      const cluster = yield* ValkeyTestCluster.make({ primaries: 3, replicasPerPrimary: 1, password: SECRETS.cluster })
      yield* collect(
        "cluster wrong password",
        ValkeyCluster.make({ seeds: [cluster.seeds[0]!], password: SECRETS.clusterWrong })
      )
      yield* collect("cluster no password", ValkeyCluster.make({ seeds: [cluster.seeds[0]!] }))
      const authed = yield* ValkeyCluster.make({
        seeds: [cluster.seeds[0]!],
        password: Redacted.make(SECRETS.cluster),
        tracing: true,
        requestTimeout: 500
      })
      const keys = Array.from({ length: 50 }, (_, i) => `secret:${i}`)
      yield* collect("cluster write", authed.valkey.mset(keys.map((k) => [k, "v"] as const)))
      const primary = yield* cluster.slotOwner(0)
      yield* cluster.kill(primary)
      // Calls while the primary is dead fail; each failure is collected.
      for (let i = 0; i < 5; i++) yield* collect(`cluster call during the outage ${i}`, authed.valkey.mget(keys))
      yield* cluster.failover(primary, { mode: "takeover" })
      yield* collect(
        "cluster call after failover",
        authed.valkey.mget(keys).pipe(Effect.retry({ times: 40, schedule: Schedule.spaced("50 millis") }))
      )
      yield* collect("cluster password rotation", authed.valkey.updatePassword(SECRETS.clusterWrong))

      // --- the check ---
      for (const span of spans) texts.push(span.name, inspect(span, { depth: 8 }), JSON.stringify([...span.attributes]))
      const everything = [...texts, ...logLines]
      const leaks: Array<string> = []
      for (const [name, value] of Object.entries(SECRETS)) {
        for (const text of everything) {
          const at = text.indexOf(value)
          if (at >= 0) leaks.push(`${name}: …${text.slice(Math.max(0, at - 120), at + value.length + 20)}…`)
        }
      }
      report("secrets", {
        renderings: texts.length,
        spans: spans.length,
        logLines: logLines.length,
        scenarios: Object.keys(outcomes).length,
        outcomes,
        leaks: leaks.length
      })
      assert.deepStrictEqual([...new Set(leaks)], [])
      // The scenarios did fail where they should, so there was something to look at.
      for (const name of [
        "wrong password",
        "wrong redacted password",
        "wrong password in URL",
        "cluster wrong password",
        "cluster no password"
      ])
        assert.strictEqual(outcomes[name], "AuthError", name)
      assert.strictEqual(outcomes["cluster seed with a password and a bad port"], "ConfigError")
      assert.isAbove(logLines.length, 10)
      assert.isAbove(spans.length, 10)
    }).pipe(
      Effect.provideService(
        Tracer.Tracer,
        Tracer.make({
          span(options) {
            const span = new Tracer.NativeSpan(options)
            spansSink.push(span)
            return span
          }
        })
      )
    )
  )
})
