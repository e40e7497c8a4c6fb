import { assert, describe, it } from "@effect/vitest"
import { ValkeyServer } from "@effect-valkey/testkit"
import { ConfigProvider, Effect, Layer, Redacted, Schema } from "effect"
import { ClientCache, Valkey, ValkeyConfig, ValkeyStandalone } from "../src/index.ts"

describe("configuration", () => {
  it.effect.each([
    [{ port: 70000 }, "port"],
    [{ port: 1.5 }, "port"],
    [{ host: "" }, "host"],
    [{ database: -1 }, "database"],
    [{ inflightLimit: 0 }, "inflightLimit"],
    [{ protocol: 4 }, "protocol"],
    [{ clientName: "has space" }, "clientName"],
    [{ tls: { ca: 42 } }, "tls"],
    [{ tls: { rejectUnauthorized: "no" } }, "tls"],
    [{ tls: { servername: "" } }, "tls"]
  ] as const)("a bad %o names the field %s", ([config, field]) =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(ValkeyConfig.resolve(config as never))
      assert.strictEqual(error._tag, "ConfigError")
      assert.strictEqual(error.field, field)
      assert.include(error.message, field)
    })
  )

  it.effect("bad URLs and durations are ConfigErrors", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* Effect.flip(ValkeyConfig.resolve({ url: "http://x" }))).field, "url")
      assert.strictEqual((yield* Effect.flip(ValkeyConfig.resolve({ url: "not a url" }))).field, "url")
      assert.strictEqual((yield* Effect.flip(ValkeyConfig.resolve({ url: "valkey://h/abc" }))).field, "url")
      assert.strictEqual(
        (yield* Effect.flip(ValkeyConfig.resolve({ requestTimeout: "soon" as never }))).field,
        "requestTimeout"
      )
    })
  )

  it.effect("URL fields, with explicit fields winning; the password stays redacted", () =>
    Effect.gen(function* () {
      const resolved = yield* ValkeyConfig.resolve({ url: "rediss://alice:p%40ss@example.test:7000/2", database: 5 })
      const c = resolved.connection
      assert.strictEqual(c.host, "example.test")
      assert.strictEqual(c.port, 7000)
      assert.strictEqual(c.database, 5)
      assert.deepStrictEqual(c.tls, {})
      assert.strictEqual(c.credentials.username, "alice")
      assert.strictEqual(Redacted.value(c.credentials.password!), "p@ss")
      assert.notInclude(JSON.stringify(resolved), "p@ss")
      const v6 = yield* ValkeyConfig.resolve({ url: "valkey://[::1]:6380" })
      assert.strictEqual(v6.connection.host, "::1")
    })
  )

  it.effect("documented defaults", () =>
    Effect.gen(function* () {
      const c = (yield* ValkeyConfig.resolve({})).connection
      assert.strictEqual(c.host, "127.0.0.1")
      assert.strictEqual(c.port, 6379)
      assert.strictEqual(c.protocol, 3)
      assert.strictEqual(c.inflightLimit, 1000)
      assert.strictEqual(c.requestTimeoutMillis, 5000)
      assert.strictEqual(c.connectTimeoutMillis, 5000)
      assert.strictEqual(c.tls, undefined)
    })
  )

  it.live("layerConfig reads a URL and fields from Effect Config", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({ password: "from-env" })
      const env = ConfigProvider.layer(
        ConfigProvider.fromEnv({
          env: { VALKEY_URL: `valkey://:from-env@127.0.0.1:${server.port}/1`, VALKEY_CLIENT_NAME: "from-config" }
        })
      )
      const name = yield* Valkey.use((v) => v.clientGetName()).pipe(
        Effect.provide(ValkeyStandalone.layerConfig(ValkeyStandalone.configNested("VALKEY")).pipe(Layer.provide(env)))
      )
      assert.strictEqual(name, "from-config")
    })
  )

  it.live("layerConfig: any CACHE_* variable turns the client-side cache on, with its fields", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const env = ConfigProvider.layer(
        ConfigProvider.fromEnv({
          env: {
            VALKEY_PORT: String(server.port),
            VALKEY_CACHE_MAX_ENTRIES: "100",
            VALKEY_CACHE_PREFIXES: "user:,session:",
            VALKEY_CACHE_TTL: "1 minute"
          }
        })
      )
      const stats = yield* Effect.gen(function* () {
        const valkey = yield* Valkey
        yield* valkey.set("user:1", "a")
        yield* valkey.set("other:1", "b")
        for (let i = 0; i < 2; i++) {
          yield* valkey.get("user:1")
          yield* valkey.get("other:1") // outside the prefixes: never cached
        }
        return yield* (yield* ClientCache.ClientCache).stats
      }).pipe(
        Effect.provide(ValkeyStandalone.layerConfig(ValkeyStandalone.configNested("VALKEY")).pipe(Layer.provide(env)))
      )
      assert.strictEqual(stats.hits, 1)
      assert.strictEqual(stats.entries, 1)
      const none = yield* ValkeyConfig.config.parse(ConfigProvider.fromEnv({ env: {} }))
      assert.isUndefined(none.cache)
      const bad = yield* Effect.flip(
        ValkeyConfig.config.parse(ConfigProvider.fromEnv({ env: { CACHE_MODE: "sometimes" } }))
      )
      assert.include(String(bad), "CACHE_MODE")
    })
  )
})

describe("custom command", () => {
  it.live("raw RESP values, Schema-decoded values, and typed decode failures", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port })
      yield* valkey.set("c", "12345")
      assert.strictEqual(yield* valkey.custom(["OBJECT", "ENCODING", "c"]), "int")
      const length = yield* valkey.custom(["STRLEN", "c"], { schema: Schema.Number, keys: 1 })
      assert.strictEqual(length, 5)
      const mismatch = yield* Effect.flip(valkey.custom(["GET", "c"], { schema: Schema.Number }))
      assert.strictEqual(mismatch._tag, "DecodeError")
      const serverError = yield* Effect.flip(valkey.custom(["NOSUCHCOMMAND"]))
      assert.strictEqual(serverError._tag, "ReplyError")
      const empty = yield* Effect.flip(valkey.custom([]))
      assert.strictEqual(empty._tag, "InvalidArgumentError")
    })
  )
})

describe("connection options", () => {
  it.live("a server without HELLO gets RESP2, with AUTH and SETNAME as plain commands", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make({
        users: [{ name: "app", password: "secret" }],
        config: ['rename-command HELLO ""']
      })
      const { valkey } = yield* ValkeyStandalone.make({
        port: server.port,
        username: "app",
        password: "secret",
        clientName: "no-hello",
        protocol: 3
      })
      assert.strictEqual(yield* valkey.set("k", "v"), "OK")
      assert.deepStrictEqual(yield* valkey.hgetall("none"), {})
      const line = String(yield* server.command(["CLIENT", "LIST"]))
        .split("\n")
        .find((l) => l.includes("name=no-hello"))
      assert.include(line, "resp=2")
      assert.include(line, "user=app")
    })
  )

  it.live("lazyConnect opens no connection until the first command", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      const connected = Effect.map(server.command(["INFO", "clients"]), (info) =>
        Number(/connected_clients:(\d+)/.exec(String(info))?.[1])
      )
      const idle = yield* connected
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, lazyConnect: true })
      assert.strictEqual(yield* connected, idle)
      assert.strictEqual(yield* valkey.ping(), "PONG")
      assert.strictEqual(yield* connected, idle + 1)
    })
  )

  it.live("connectTimeout bounds a connect that never gets its handshake answered", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer.make()
      yield* server.pause
      const error = yield* Effect.flip(
        ValkeyStandalone.make({ port: server.port, connectTimeout: "300 millis" }).pipe(
          Effect.ensuring(Effect.orDie(server.resume)),
          Effect.timeout("10 seconds")
        )
      )
      assert.strictEqual(error._tag, "ConnectionError")
    })
  )
})
