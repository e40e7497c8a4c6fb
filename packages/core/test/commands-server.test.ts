import { assert, describe, layer } from "@effect/vitest"
import { ServerVersion, ValkeyServer } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { Command, Commands, type ValkeyService } from "../src/index.ts"
import { client, protocols } from "./support.ts"

/** How often the server ran `command` (`acl|deluser` for subcommands), from INFO commandstats. */
const calls = (v: ValkeyService, command: string) =>
  v.info(["commandstats"]).pipe(
    Effect.map((text) => {
      const match = new RegExp(`^cmdstat_${command.replace("|", "\\|")}:calls=(\\d+)`, "m").exec(text)
      return match === null ? 0 : Number(match[1])
    })
  )

/** The keys a command declares (firstKey, lastKey, keyStep), as strings. */
const declaredKeys = (command: Command.Command<unknown>): Array<string> => {
  const out: Array<string> = []
  if (command.firstKey < 0) return out
  for (let i = command.firstKey; i <= command.lastKey; i += command.keyStep) out.push(String(command.args[i]))
  return out
}

const codeOf = (error: { readonly _tag: string; readonly code?: string }) =>
  error._tag === "ReplyError" ? error.code : error._tag

// Real time: WAIT blocks on the wall clock past the request timeout.
layer(ValkeyServer.layer(), { excludeTestServices: true })("server administration commands", (it) => {
  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      const p = `p${protocol}:srv:`

      it.effect("CONFIG RESETSTAT, CONFIG REWRITE, SAVE, BGSAVE, LASTSAVE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          yield* v.ping()
          assert.isTrue((yield* calls(v, "ping")) > 0)
          assert.strictEqual(yield* v.configResetStat(), "OK")
          assert.strictEqual(yield* calls(v, "ping"), 0)
          assert.strictEqual(yield* v.configRewrite(), "OK")
          const before = Math.floor(Date.now() / 1000)
          assert.strictEqual(yield* v.save(), "OK")
          const last = yield* v.lastsave()
          assert.isTrue(last >= before - 1 && last <= before + 60)
          assert.match(yield* v.bgsave({ schedule: true }), /^Background saving (started|scheduled)$/)
          while (!/rdb_bgsave_in_progress:0/.test(yield* v.info(["persistence"]))) yield* Effect.sleep("10 millis")
          assert.match(yield* v.bgsave(), /^Background saving started$/)
          while (!/rdb_bgsave_in_progress:0/.test(yield* v.info(["persistence"]))) yield* Effect.sleep("10 millis")
        })
      )

      it.effect("BGREWRITEAOF, ROLE and SWAPDB", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          assert.match(yield* v.bgrewriteaof(), /^Background append only file rewriting (started|scheduled)$/)
          while (!/aof_rewrite_in_progress:0\r\n[\s\S]*aof_rewrite_scheduled:0/.test(yield* v.info(["persistence"]))) {
            yield* Effect.sleep("10 millis")
          }
          const role = yield* v.role()
          assert.deepStrictEqual(role, {
            role: "primary",
            offset: role.role === "primary" ? role.offset : -1,
            replicas: []
          })
          assert.isTrue(role.role === "primary" && Number.isSafeInteger(role.offset))
          const db14 = yield* client({ protocol, database: 14 })
          const db15 = yield* client({ protocol, database: 15 })
          yield* db14.set("swap:k", "from 14")
          yield* db15.del(["swap:k"])
          assert.strictEqual(yield* v.swapdb(14, 15), "OK")
          assert.strictEqual(yield* db15.get("swap:k"), "from 14")
          assert.strictEqual(yield* db14.get("swap:k"), null)
          assert.strictEqual(yield* v.swapdb(14, 15), "OK")
          assert.strictEqual(yield* db14.get("swap:k"), "from 14")
          const bad = yield* Effect.flip(v.swapdb(-1, 2))
          assert.strictEqual(bad._tag, "InvalidArgumentError")
        })
      )

      it.effect("ACL WHOAMI, SETUSER, GETUSER, LIST, USERS, CAT, DRYRUN, GENPASS, LOG, DELUSER", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const user = `alice${protocol}`
          assert.strictEqual(yield* v.aclWhoami(), "default")
          assert.strictEqual(
            yield* v.aclSetUser(user, ["on", ">pw", "~app:*", "resetchannels", "+get", "+@connection"]),
            "OK"
          )
          // Valkey 9 no longer sets sanitize-payload by default, and adds the user's databases.
          const nine = ServerVersion.atLeast("9.0")
          assert.deepStrictEqual(yield* v.aclGetUser(user), {
            flags: nine ? ["on"] : ["on", "sanitize-payload"],
            passwords: ["30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"],
            commands: "-@all +get +@connection",
            keys: "~app:*",
            channels: "",
            databases: nine ? "alldbs" : null,
            selectors: [],
            extra: {}
          })
          assert.strictEqual(yield* v.aclGetUser("nobody"), null)
          assert.isTrue((yield* v.aclUsers()).includes(user))
          assert.isTrue(
            (yield* v.aclList()).includes(
              nine ? "user default on nopass ~* &* +@all" : "user default on nopass sanitize-payload ~* &* +@all"
            )
          )
          assert.isTrue((yield* v.aclCat()).includes("read"))
          assert.isTrue((yield* v.aclCat("string")).includes("get"))
          assert.strictEqual(yield* v.aclDryRun(user, ["GET", "app:1"]), "OK")
          assert.strictEqual(
            yield* v.aclDryRun(user, ["SET", "app:1", "x"]),
            `User ${user} has no permissions to run the 'set' command`
          )
          assert.match(yield* v.aclGenPass(), /^[0-9a-f]{64}$/)
          assert.match(yield* v.aclGenPass(32), /^[0-9a-f]{8}$/)
          assert.strictEqual(yield* v.aclLogReset(), "OK")
          const limited = yield* client({ protocol, username: user, password: "pw" })
          assert.strictEqual(yield* limited.aclWhoami().pipe(Effect.flip, Effect.map(codeOf)), "NOPERM")
          assert.strictEqual(codeOf(yield* Effect.flip(limited.set("app:1", "x"))), "NOPERM")
          const [entry, ...rest] = yield* v.aclLog(10)
          assert.deepStrictEqual(rest.length, 1)
          assert.deepStrictEqual(
            entry && {
              count: entry.count,
              reason: entry.reason,
              context: entry.context,
              object: entry.object,
              username: entry.username
            },
            { count: 1, reason: "command", context: "toplevel", object: "set", username: user }
          )
          assert.isTrue(entry !== undefined && entry.ageSeconds >= 0 && entry.timestampCreated > 0)
          assert.match(entry?.clientInfo ?? "", new RegExp(`user=${user} `))
          assert.strictEqual(yield* v.aclLogReset(), "OK")
          assert.deepStrictEqual(yield* v.aclLog(), [])
          assert.strictEqual(yield* v.aclDelUser([user, "nobody"]), 1)
        })
      )

      it.effect("SLOWLOG GET, LEN, RESET", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol, clientName: `slow${protocol}` })
          yield* v.configSet({ "slowlog-log-slower-than": 0 })
          assert.strictEqual(yield* v.slowlogReset(), "OK")
          yield* v.echo("slow")
          const [entry] = yield* v.slowlogGet(1)
          yield* v.configSet({ "slowlog-log-slower-than": 10_000 })
          assert.deepStrictEqual(entry && { args: entry.args, clientName: entry.clientName }, {
            args: ["ECHO", "slow"],
            clientName: `slow${protocol}`
          })
          assert.isTrue(entry !== undefined && entry.durationMicros >= 0 && entry.timestamp > 0 && entry.id >= 0)
          assert.match(entry?.clientAddress ?? "", /^127\.0\.0\.1:\d+$/)
          assert.isTrue((yield* v.slowlogLen()) >= 2)
          assert.isTrue((yield* v.slowlogGet(-1)).length >= 2)
          assert.strictEqual(yield* v.slowlogReset(), "OK")
          assert.deepStrictEqual(yield* v.slowlogGet(), [])
          assert.strictEqual(yield* v.slowlogLen(), 0)
        })
      )

      it.effect("MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const k = `${p}mem`
          yield* v.set(k, "x".repeat(1000))
          assert.isTrue(((yield* v.memoryUsage(k)) ?? 0) > 1000)
          assert.isTrue(((yield* v.memoryUsage(k, 0)) ?? 0) > 1000)
          assert.strictEqual(yield* v.memoryUsage(`${p}none`), null)
          const stats = yield* v.memoryStats()
          assert.strictEqual(typeof stats["peak.allocated"], "number")
          assert.strictEqual(typeof stats["dataset.percentage"], "number")
          const db0 = stats["db.0"]
          assert.isTrue(typeof db0 === "object" && typeof db0["overhead.hashtable.main"] === "number")
          assert.isTrue((yield* v.memoryDoctor()).length > 0)
          assert.isTrue((yield* v.memoryMallocStats()).length > 0)
          assert.strictEqual(yield* v.memoryPurge(), "OK")
        })
      )

      it.effect("LATENCY LATEST, HISTORY, GRAPH, DOCTOR, RESET", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          yield* v.latencyReset()
          yield* v.configSet({ "latency-monitor-threshold": 1 })
          yield* v.eval("local x = 0 for i = 1, 5000000 do x = x + i end return 1")
          yield* v.configSet({ "latency-monitor-threshold": 0 })
          const latest = yield* v.latencyLatest()
          const command = latest.find((spike) => spike.event === "command")
          assert.isTrue(command !== undefined && command.latestMillis >= 1 && command.maxMillis >= command.latestMillis)
          // Valkey 9 adds the sum and the count of the recorded spikes.
          if (ServerVersion.atLeast("9.0")) {
            assert.isTrue(command !== undefined && command.count !== null && command.count >= 1)
            assert.isTrue(command !== undefined && command.sumMillis !== null && command.sumMillis >= command.maxMillis)
          } else {
            assert.isTrue(command !== undefined && command.sumMillis === null && command.count === null)
          }
          const history = yield* v.latencyHistory("command")
          assert.isTrue(
            history.length >= 1 && history.every((point) => point.latencyMillis >= 1 && point.timestamp > 0)
          )
          assert.match(yield* v.latencyGraph("command"), /command/)
          assert.isTrue((yield* v.latencyDoctor()).length > 0)
          assert.strictEqual(yield* v.latencyReset(["command"]), 1)
          assert.isUndefined((yield* v.latencyLatest()).find((spike) => spike.event === "command"))
          assert.deepStrictEqual(yield* v.latencyHistory("command"), [])
        })
      )

      it.effect("COMMAND COUNT, INFO, LIST, GETKEYS and LOLWUT", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const count = yield* v.commandCount()
          assert.isTrue(count > 200)
          const [get, configGet, unknown] = yield* v.commandInfo(["get", "config|get", "nope"])
          assert.deepStrictEqual(get, {
            name: "get",
            arity: 2,
            flags: ["readonly", "fast"],
            firstKey: 1,
            lastKey: 1,
            step: 1,
            aclCategories: ["@read", "@string", "@fast"],
            tips: [],
            keySpecs: [
              {
                notes: null,
                flags: ["RO", "access"],
                beginSearch: { type: "index", spec: { index: 1 }, extra: {} },
                findKeys: { type: "range", spec: { lastkey: 0, keystep: 1, limit: 0 }, extra: {} },
                extra: {}
              }
            ],
            subcommands: [],
            extra: []
          })
          assert.strictEqual(configGet?.name, "config|get")
          assert.strictEqual(unknown, null)
          const [xread, flushall, config] = yield* v.commandInfo(["xread", "flushall", "config"])
          assert.deepStrictEqual(
            xread?.keySpecs.map(({ beginSearch, findKeys }) => ({ beginSearch, findKeys })),
            [
              {
                beginSearch: { type: "keyword", spec: { keyword: "STREAMS", startfrom: 1 }, extra: {} },
                findKeys: { type: "range", spec: { lastkey: -1, keystep: 1, limit: 2 }, extra: {} }
              }
            ]
          )
          assert.deepStrictEqual(flushall?.tips, ["request_policy:all_shards", "response_policy:all_succeeded"])
          assert.isTrue(config?.subcommands.some((sub) => sub.name === "config|resetstat"))
          assert.strictEqual((yield* v.commandInfo()).length, count)
          const all = yield* v.commandList()
          // Subcommands are listed too.
          assert.isTrue(all.length > count && all.includes("get") && all.includes("config|get"))
          const groups = yield* v.commandList({ pattern: "xgroup|c*" })
          assert.deepStrictEqual(groups.sort(), ["xgroup|create", "xgroup|createconsumer"])
          assert.isTrue((yield* v.commandList({ aclCategory: "stream" })).includes("xadd"))
          assert.deepStrictEqual(yield* v.commandList({ module: "nomodule" }), [])
          assert.deepStrictEqual(yield* v.commandGetKeys(["MSET", "a", "1", "b", "2"]), ["a", "b"])
          assert.include(yield* v.lolwut(), `ver. ${ServerVersion.of().text}`)
          assert.match(yield* v.lolwut({ version: 5 }), /Georg Nees/)
        })
      )

      it.effect("COMMAND DOCS: summaries, arguments, history and subcommands, typed", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const docs = yield* v.commandDocs(["get", "set", "latency", "nope"])
          assert.deepStrictEqual(Object.keys(docs).sort(), ["get", "latency", "set"])
          const get = docs.get!
          assert.strictEqual(get.group, "string")
          assert.strictEqual(get.since, "1.0.0")
          assert.deepStrictEqual(
            get.arguments.map((a) => [a.name, a.type]),
            [["key", "key"]]
          )
          const set = docs.set!
          assert.isTrue(set.history.some(([version]) => version === "2.6.12"))
          const condition = set.arguments.find((a) => a.name === "condition")
          assert.strictEqual(condition?.type, "oneof")
          // The IFEQ option this client sends is the server's own (8.1+).
          const tokens = condition?.arguments.map((a) => a.token) ?? []
          assert.includeMembers(tokens, ServerVersion.atLeast("8.1") ? ["NX", "XX", "IFEQ"] : ["NX", "XX"])
          assert.isDefined(docs.latency!.subcommands["latency|latest"])
          assert.isTrue((yield* v.commandDocs()).ping !== undefined)
        })
      )

      it.effect("WAIT and WAITAOF without replicas", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol, requestTimeout: 50 })
          yield* v.set(`${p}w`, "1")
          assert.strictEqual(yield* v.wait(0, 100), 0)
          // No replica can acknowledge: WAIT blocks its whole timeout, past the request timeout.
          assert.strictEqual(yield* v.wait(1, 200), 0)
          // Timeout 0 (forever) only on a connection of its own.
          const own = yield* v.dedicated
          assert.strictEqual(yield* own.wait(0, 0), 0)
          assert.deepStrictEqual(yield* own.waitaof(0, 0, 0), { local: 0, replicas: 0 })
          assert.strictEqual(codeOf(yield* Effect.flip(own.waitaof(1, 0, 0))), "ERR")
        })
      )

      it.effect("declared key positions match COMMAND GETKEYS", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const { streams, streamGroups, streamInfo, keyspace, scripting, functions, diagnostics } = Commands
          const commands: ReadonlyArray<Command.Command<unknown>> = [
            streams.xadd("s", { a: 1 }, { trim: { method: "MAXLEN", threshold: 5, exact: false, limit: 2 } }),
            streams.xread({ s1: "0", s2: "0" }, { count: 1, block: 10 }),
            streamGroups.xreadgroup("g", "c", [["s1", ">"]], { count: 2, block: 0, noAck: true }),
            streamGroups.xgroupCreate("s", "g", "$", { mkStream: true }),
            streamInfo.xinfoStreamFull("s", 3),
            streamGroups.xclaim("s", "g", "c", 0, ["1-0"], { idle: 1 }),
            streamGroups.xautoclaim("s", "g", "c", 0, "0-0", 5),
            keyspace.sortStore("src", "dst", { by: "nosort", limit: { offset: 0, count: 5 } }),
            keyspace.sortStore("src", "dst"),
            keyspace.copy("a", "b", { replace: true }),
            keyspace.rename("a", "b"),
            keyspace.restore("k", 0, new Uint8Array([1]), { replace: true }),
            keyspace.objectEncoding("k"),
            scripting.eval("return 1", ["k1", "k2"], ["a"]),
            scripting.evalshaReadonly("0".repeat(40), ["k1"], []),
            functions.fcall("f", ["k1", "k2", "k3"], ["x"]),
            diagnostics.memoryUsage("k", 5)
          ]
          for (const command of commands) {
            const args = command.args.map((arg) => (arg instanceof Uint8Array ? arg : String(arg)))
            const serverKeys = yield* v.custom(["COMMAND", "GETKEYS", ...args])
            assert.deepStrictEqual(declaredKeys(command), serverKeys, Command.name(command))
          }
        })
      )

      it.effect("bad arguments are rejected before sending", () =>
        Effect.gen(function* () {
          const v = yield* client({ protocol })
          const names = ["acl|deluser", "slowlog|get", "memory|usage", "wait", "waitaof", "command|getkeys", "lolwut"]
          const before = yield* Effect.forEach(names, (name) => calls(v, name))
          const failures = [
            v.aclDelUser([]),
            v.aclGenPass(0),
            v.aclLog(-1),
            v.slowlogGet(-2),
            v.memoryUsage(`${p}x`, -1),
            v.wait(-1, 0),
            v.wait(0, 1.5),
            v.waitaof(0, 0, -1),
            v.commandGetKeys([]),
            v.aclDryRun("default", []),
            v.lolwut({ version: Number.NaN })
          ]
          for (const failure of failures) {
            const error = yield* Effect.flip(failure as Effect.Effect<unknown, { readonly _tag: string }>)
            assert.strictEqual(error._tag, "InvalidArgumentError")
          }
          assert.deepStrictEqual(yield* Effect.forEach(names, (name) => calls(v, name)), before)
        })
      )
    })
  }
})
