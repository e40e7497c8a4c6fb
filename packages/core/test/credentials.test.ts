import { assert, layer } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { Effect, Logger, Redacted, Schedule } from "effect"
import { type CredentialsValue, type ValkeyConfig, ValkeyStandalone } from "../src/index.ts"

/** An ACL user of its own for each test, so tests on the shared server do not meet. */
const user = (server: ValkeyServer["Service"], name: string, password: string) =>
  server.command(["ACL", "SETUSER", name, "on", `>${password}`, "~*", "&*", "+@all"])

/** AUTH calls the server saw, and how many it refused. */
const authStats = (server: ValkeyServer["Service"]) =>
  Effect.map(server.command(["INFO", "commandstats"]), (info) => {
    const line = /cmdstat_auth:([^\r\n]*)/.exec(String(info))?.[1] ?? ""
    const field = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(line)?.[1] ?? 0)
    return { calls: field("calls"), failed: field("failed_calls") }
  })

/** Retries until it succeeds, for at most 10 s. */
const soon = <A, E>(effect: Effect.Effect<A, E>) => Effect.eventually(effect).pipe(Effect.timeout("10 seconds"))

/**
 * A client of a new ACL user `name` (password `first`) whose provider yields the secret
 * `rotate` last set; `config` adds options (a refresh schedule).
 */
const rotatingClient = (name: string, first: string, config: ValkeyConfig.ValkeyConfig = {}) =>
  Effect.gen(function* () {
    const server = yield* ValkeyServer
    yield* user(server, name, first)
    let secret = first
    const client = yield* ValkeyStandalone.make({
      port: server.port,
      ...config,
      credentials: Effect.sync(() => ({ username: name, password: Redacted.make(secret) }))
    })
    const rotate = (next: string) => {
      secret = next
    }
    return { ...client, server, rotate }
  })

const killUser = (server: ValkeyServer["Service"], name: string) => server.command(["CLIENT", "KILL", "USER", name])

layer(ValkeyServer.layer(), { excludeTestServices: true })("credentials provider", (it) => {
  it.effect("runs before every connect and reconnect: a killed connection comes back with the current secret", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      yield* user(server, "prov", "first")
      let secret = "first"
      let runs = 0
      const credentials = Effect.sync((): CredentialsValue => {
        runs++
        return { username: "prov", password: Redacted.make(secret) }
      })
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, credentials })
      assert.strictEqual(yield* valkey.set("prov:k", "1"), "OK")
      assert.strictEqual(runs, 1)
      // Only the new password is valid from now on: the reconnect must ask the provider.
      yield* server.command(["ACL", "SETUSER", "prov", "resetpass", ">second"])
      secret = "second"
      yield* killUser(server, "prov")
      assert.strictEqual(yield* soon(valkey.get("prov:k")), "1")
      assert.isAtLeast(runs, 2)
      // Blocking pool and dedicated connections run it too.
      assert.isNull(yield* valkey.blpop(["prov:list"], 0.01))
      yield* Effect.scoped(Effect.flatMap(valkey.dedicated, (own) => own.ping()))
      assert.isAtLeast(runs, 4)
    })
  )

  it.effect("connects at the same time share one run of the provider", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      yield* user(server, "storm", "s3cret")
      let runs = 0
      const credentials = Effect.sync((): CredentialsValue => {
        runs++
        return { username: "storm", password: Redacted.make("s3cret") }
      }).pipe(Effect.delay("300 millis"))
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, credentials })
      assert.strictEqual(runs, 1)
      // Five dedicated connections opened together: their connects overlap the provider's
      // 300 ms, so they wait for one run instead of starting five.
      const pongs = yield* Effect.forEach(
        Array.from({ length: 5 }),
        () => Effect.scoped(Effect.flatMap(valkey.dedicated, (own) => own.ping())),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(pongs, ["PONG", "PONG", "PONG", "PONG", "PONG"])
      assert.strictEqual(runs, 2)
      // One after the other, each connect asks again (a rotation reaches every connect).
      yield* Effect.scoped(Effect.flatMap(valkey.dedicated, (own) => own.ping()))
      assert.strictEqual(runs, 3)
    })
  )

  it.effect("a refresh re-authenticates the open connections with a new secret (AUTH, no reconnect)", () =>
    Effect.gen(function* () {
      const { server, valkey, rotate } = yield* rotatingClient("refr", "r-0", {
        credentialsRefresh: Schedule.spaced("50 millis")
      })
      // A blocking connection open in the pool, to be re-authenticated too.
      assert.isNull(yield* valkey.blpop(["refr:list"], 0.01))
      const before = yield* authStats(server)
      yield* server.command(["ACL", "SETUSER", "refr", ">r-1"])
      rotate("r-1")
      // Two connections (shared, pooled) each get one AUTH with the new secret.
      yield* soon(
        Effect.flatMap(authStats(server), (now) =>
          now.calls - before.calls >= 2 ? Effect.succeed(now) : Effect.fail("not yet")
        )
      )
      // Refreshes that yield nothing new send nothing.
      const settled = yield* authStats(server)
      yield* Effect.sleep("300 millis")
      assert.deepStrictEqual(yield* authStats(server), settled)
      assert.strictEqual(settled.failed, before.failed)
      // The old secret is gone; every connection is killed; all come back on the new one.
      yield* server.command(["ACL", "SETUSER", "refr", "<r-0"])
      yield* killUser(server, "refr")
      assert.strictEqual(yield* soon(valkey.ping()), "PONG")
    })
  )

  it.effect("a provider that is down warns once, not on every refresh, and its return is logged", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      yield* user(server, "down", "d-0")
      let up = true
      const credentials = Effect.suspend(() =>
        up
          ? Effect.succeed<CredentialsValue>({ username: "down", password: Redacted.make("d-0") })
          : Effect.fail("vault unreachable")
      )
      const lines: Array<{ readonly level: string; readonly message: string }> = []
      const capture = Logger.make((entry) => {
        lines.push({ level: entry.logLevel, message: String(entry.message) })
      })
      yield* Effect.gen(function* () {
        const { valkey } = yield* ValkeyStandalone.make({
          port: server.port,
          credentials,
          credentialsRefresh: Schedule.spaced("20 millis")
        })
        up = false
        yield* Effect.sleep("300 millis")
        assert.strictEqual(yield* valkey.ping(), "PONG")
        up = true
        // The next refresh (every 20 ms) logs the return; the test's timeout bounds the wait.
        while (!lines.some((line) => line.level === "Info" && line.message.includes("credentials refresh"))) {
          yield* Effect.sleep("20 millis")
        }
      }).pipe(Effect.scoped, Effect.provide(Logger.layer([capture])))
      const refresh = lines.filter((line) => line.message.includes("credentials refresh"))
      assert.deepStrictEqual(
        refresh.filter((line) => line.level !== "Debug").map((line) => line.level),
        ["Warn", "Info"],
        JSON.stringify(refresh)
      )
      assert.include(refresh[refresh.length - 1]!.message, "succeeded again")
    })
  )

  it.effect("a refresh still re-authenticates connections a reconnect did not renew", () =>
    Effect.gen(function* () {
      const { server, router, valkey, rotate } = yield* rotatingClient("part", "p-0")
      assert.isNull(yield* valkey.blpop(["part:list"], 0.01))
      yield* server.command(["ACL", "SETUSER", "part", ">p-1"])
      rotate("p-1")
      // Only the pooled connection reconnects (taking the new secret); the shared one does not.
      const list = String(yield* server.command(["CLIENT", "LIST"]))
      const pooled = list.split("\n").find((line) => line.includes(" user=part ") && line.includes("cmd=blpop"))
      yield* server.command(["CLIENT", "KILL", "ID", /^id=(\d+)/.exec(pooled!)![1]!])
      assert.isNull(yield* soon(valkey.blpop(["part:list"], 0.01)))
      const before = yield* authStats(server)
      yield* router.credentials.refreshOnce(router.connections)
      assert.isAtLeast((yield* authStats(server)).calls - before.calls, 2)
    })
  )

  it.effect(
    "a failing provider keeps the previous credentials; a typed error without the secret otherwise, a hanging one is bounded",
    () =>
      Effect.gen(function* () {
        const server = yield* ValkeyServer
        yield* user(server, "fail", "still-good-S3CRET")
        let broken = false
        const credentials = Effect.suspend(() =>
          broken
            ? Effect.fail(new Error("vault unreachable, token=still-good-S3CRET"))
            : Effect.succeed({ username: "fail", password: Redacted.make("still-good-S3CRET") })
        )
        const { router, valkey } = yield* ValkeyStandalone.make({ port: server.port, credentials })
        broken = true
        // The reconnect falls back on the secret the provider gave before.
        yield* killUser(server, "fail")
        assert.strictEqual(yield* soon(valkey.ping()), "PONG")
        // A refresh reports the failure as a CredentialsError and keeps the previous secret.
        const refresh = yield* Effect.flip(router.credentials.refreshOnce(router.connections))
        assert.strictEqual(refresh._tag, "CredentialsError")
        assert.notInclude(refresh.message, "S3CRET")
        assert.strictEqual(Redacted.value(router.credentials.password!), "still-good-S3CRET")
        // With nothing to fall back on, the connect fails with AuthError caused by it.
        const first = yield* Effect.flip(ValkeyStandalone.make({ port: server.port, credentials }))
        assert.strictEqual(first._tag, "AuthError")
        assert.notInclude(first.message, "S3CRET")
        assert.strictEqual((first.cause as { _tag?: string })._tag, "CredentialsError")
        // A provider that never answers is bounded by the connect timeout.
        const hanging = yield* Effect.flip(
          ValkeyStandalone.make({ port: server.port, credentials: Effect.never, connectTimeout: "300 millis" })
        )
        assert.strictEqual(hanging._tag, "AuthError")
        assert.include((hanging.cause as { message?: string }).message, "did not answer within 300 ms")
      })
  )

  it.effect("a refreshed secret the server refuses is dropped again; the connections keep working", () =>
    Effect.gen(function* () {
      const { router, valkey, rotate } = yield* rotatingClient("refu", "accepted")
      rotate("refused-S3CRET")
      const error = yield* Effect.flip(router.credentials.refreshOnce(router.connections))
      assert.strictEqual(error._tag, "AuthError")
      assert.notInclude(error.message, "S3CRET")
      assert.strictEqual(Redacted.value(router.credentials.password!), "accepted")
      assert.strictEqual(yield* valkey.ping(), "PONG")
    })
  )

  it.effect("updatePassword replaces the provider", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      yield* user(server, "repl", "from-provider")
      const { router, valkey } = yield* ValkeyStandalone.make({
        port: server.port,
        credentials: Effect.succeed({ username: "repl", password: Redacted.make("from-provider") })
      })
      yield* server.command(["ACL", "SETUSER", "repl", "resetpass", ">by-hand"])
      yield* valkey.updatePassword("by-hand", { immediateAuth: true })
      assert.isUndefined(router.credentials.provider)
      yield* killUser(server, "repl")
      assert.strictEqual(yield* soon(valkey.ping()), "PONG")
    })
  )

  it.effect("credentials with a password, or a refresh without a provider, is a ConfigError", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const provider = Effect.succeed({ password: Redacted.make("x") })
      const both = yield* Effect.flip(
        ValkeyStandalone.make({ port: server.port, password: "x", credentials: provider })
      )
      assert.strictEqual(both._tag, "ConfigError")
      const refresh = yield* Effect.flip(
        ValkeyStandalone.make({ port: server.port, credentialsRefresh: Schedule.spaced("1 second") })
      )
      assert.strictEqual(refresh._tag, "ConfigError")
      const notEffect = yield* Effect.flip(
        ValkeyStandalone.make({ port: server.port, credentials: "secret" as unknown as typeof provider })
      )
      assert.strictEqual(notEffect._tag, "ConfigError")
    })
  )
})
