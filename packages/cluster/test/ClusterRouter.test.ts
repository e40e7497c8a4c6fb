import { assert, layer } from "@effect/vitest"
import { Command, type CommandError, Commands, InvalidArgumentError, Reply, Valkey } from "@effect-valkey/core"
import { ownsSlot, ServerVersion, ValkeyTestCluster } from "@effect-valkey/testkit"
import { ConfigProvider, Effect, Exit, Layer, Result } from "effect"
import { Slot, ValkeyCluster } from "../src/index.ts"
import { client, keysInSlot } from "./support.ts"

const randomKeys = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}:${i}:${Math.random().toString(36).slice(2, 8)}`)

const commandCalls = (
  node: { command: (args: ReadonlyArray<string>) => Effect.Effect<unknown, unknown> },
  name: string
) =>
  Effect.map(node.command(["INFO", "commandstats"]), (info) =>
    Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(String(info))?.[1] ?? 0)
  )

layer(ValkeyTestCluster.layer(), { excludeTestServices: true, timeout: 120_000 })("cluster routing", (it) => {
  it.effect("the same Valkey service: keys in every slot go to their owner", () =>
    Effect.gen(function* () {
      const { valkey } = yield* client()
      const keys = randomKeys(500, "route")
      yield* Effect.forEach(keys, (k) => valkey.set(k, `v-${k}`), { concurrency: 100, discard: true })
      const values = yield* Effect.forEach(keys, (k) => valkey.get(k), { concurrency: 100 })
      assert.deepStrictEqual(
        values,
        keys.map((k) => `v-${k}`)
      )
      const cluster = yield* ValkeyTestCluster
      // Each key lives on the primary that owns its slot.
      for (const key of keys.slice(0, 20)) {
        const owner = yield* cluster.slotOwner(Slot.slotOf(key))
        assert.strictEqual(yield* owner.command(["GET", key]), `v-${key}`)
      }
    })
  )

  it.effect("multi-slot MSET/MGET/EXISTS/TOUCH/DEL/UNLINK over 1,000 keys equal key-by-key results", () =>
    Effect.gen(function* () {
      const { valkey } = yield* client()
      const keys = randomKeys(1000, "multi")
      assert.strictEqual(yield* valkey.mset(keys.map((k, i) => [k, String(i)] as const)), "OK")
      const missing = randomKeys(50, "absent")
      const asked = [...keys, ...missing].sort(() => Math.random() - 0.5)
      const many = yield* valkey.mget(asked)
      const one = yield* Effect.forEach(asked, (k) => valkey.get(k), { concurrency: 100 })
      assert.deepStrictEqual(many, one)
      assert.strictEqual(yield* valkey.exists(asked), keys.length)
      assert.strictEqual(yield* valkey.touch(keys), keys.length)
      assert.strictEqual(yield* valkey.del(keys.slice(0, 400)), 400)
      assert.strictEqual(yield* valkey.unlink([...keys.slice(300, 700), ...missing]), 300)
      assert.strictEqual(yield* valkey.exists(keys), 300)
    })
  )

  it.effect("commands whose keys must share a slot fail before sending", () =>
    Effect.gen(function* () {
      const { valkey } = yield* client()
      const error = yield* Effect.flip(
        valkey.msetnx([
          ["cs:a", "1"],
          ["cs:b", "2"],
          ["cs:c", "3"]
        ])
      )
      assert.strictEqual(error._tag, "CrossSlotError")
      assert.strictEqual(yield* valkey.exists(["cs:a", "cs:b", "cs:c"]), 0)
      // With a hash tag they share a slot and go through.
      assert.strictEqual(
        yield* valkey.msetnx([
          ["{cs}:a", "1"],
          ["{cs}:b", "2"]
        ]),
        true
      )
    })
  )

  it.effect("keyless commands follow their policy: DBSIZE sums the primaries, PING asks all nodes", () =>
    Effect.gen(function* () {
      const { valkey } = yield* client()
      const cluster = yield* ValkeyTestCluster
      const perNode = yield* Effect.forEach(cluster.primaries, (p) => p.command(["DBSIZE"]))
      assert.strictEqual(
        yield* valkey.dbsize(),
        perNode.reduce((a: number, b) => a + Number(b), 0)
      )
      assert.strictEqual(yield* valkey.ping(), "PONG")
    })
  )

  it.effect("a command with shards facts: its part goes to every primary and the values are gathered", () =>
    Effect.gen(function* () {
      const { valkey } = yield* client()
      const cluster = yield* ValkeyTestCluster
      yield* valkey.mset(randomKeys(50, "gather").map((k) => [k, "1"] as const))
      // INFO keyspace-like facts: each primary's CLUSTER MYID, gathered into a sorted list.
      const myId = Command.make(["CLUSTER", "MYID"], Reply.text, { readonly: true })
      const ids = Command.make(["CLUSTER", "MYID"], (reply) => [Reply.text(reply)], {
        readonly: true,
        shards: {
          command: myId,
          gather: (values) => Exit.succeed((values as Array<string>).slice().sort())
        }
      })
      const expected = cluster.primaries.map((p) => p.id).sort()
      assert.deepStrictEqual(yield* valkey.run(ids), expected)
      // Mapped, the gathered value is mapped; in a batch it is gathered as alone, in order;
      // an all_shards command in a batch reaches every primary too.
      const count = Command.map(ids, (list) => list.length)
      const sizes = Command.make(["DBSIZE"], Reply.integer, { request: "all_shards", response: "agg_sum" })
      const [a, b, c] = yield* valkey.batch([count, Commands.connection.ping(), sizes], { raiseOnError: true })
      assert.strictEqual(a, cluster.primaries.length)
      assert.strictEqual(b, "PONG")
      assert.strictEqual(c, yield* valkey.dbsize())
      // A failing gather is the command's typed failure.
      const refusing = Command.make(["PING"], Reply.text, {
        shards: {
          command: Command.make(["PING"], Reply.text),
          gather: () => Exit.fail(new InvalidArgumentError({ command: "PING", message: "no" }))
        }
      })
      assert.strictEqual((yield* Effect.flip(valkey.run(refusing)))._tag, "InvalidArgumentError")
    })
  )

  it.effect("CLUSTER SLOT-STATS: every primary answers for its slots, each slot once", () =>
    Effect.gen(function* () {
      const { valkey } = yield* client()
      const cluster = yield* ValkeyTestCluster
      // Other tests share the cluster and write random keys, which may land in this slot too:
      // count what is there before, and write far more than chance puts in one slot.
      const before = (yield* valkey.clusterSlotStats({ range: [4321, 4321] }))[0]?.stats["key-count"] ?? 0
      const keys = keysInSlot(4321, 50)
      yield* valkey.mset(Object.fromEntries(keys.map((k) => [k, "v"])))
      const all = yield* valkey.clusterSlotStats({ range: [0, 16383] })
      assert.strictEqual(all.length, Slot.SLOTS)
      assert.strictEqual(new Set(all.map((s) => s.slot)).size, Slot.SLOTS)
      assert.strictEqual(all.find((s) => s.slot === 4321)?.stats["key-count"], before + 50)
      const tops = yield* valkey.clusterSlotStats({ orderBy: "key-count", limit: 1, order: "DESC" })
      assert.strictEqual(tops.length, cluster.primaries.length)
      assert.isTrue(tops.some((s) => s.slot === 4321))
      yield* valkey.del(keys)
    })
  )

  it.effect.skipIf(!ServerVersion.atLeast("8.1"))(
    `COMMANDLOG is asked of every node: entries concatenated, lengths summed, reset everywhere ${ServerVersion.needs("8.1")}`,
    () =>
      Effect.gen(function* () {
        const { valkey } = yield* client()
        const cluster = yield* ValkeyTestCluster
        yield* valkey.configSet({ "commandlog-request-larger-than": 100 })
        yield* Effect.ensuring(
          Effect.gen(function* () {
            yield* valkey.commandLogReset("large-request")
            // One large SET on each primary.
            const view = yield* cluster.topology
            const owners = new Map<string, string>()
            for (let i = 0; owners.size < cluster.primaries.length && i < 10_000; i++) {
              const key = `cmdlog:${i}`
              const owner = view.find((n) => n.role === "primary" && ownsSlot(n, Slot.slotOf(key)))
              if (owner !== undefined && !owners.has(owner.id)) owners.set(owner.id, key)
            }
            for (const key of owners.values()) yield* valkey.set(key, "x".repeat(200))
            const entries = (yield* valkey.commandLogGet(-1, "large-request")).filter(
              (e) => e.args[0]?.toLowerCase() === "set" && e.args[1]?.startsWith("cmdlog:")
            )
            // Replicas log the replicated SET too: each key is there at least once.
            assert.deepStrictEqual([...new Set(entries.map((e) => e.args[1]))].sort(), [...owners.values()].sort())
            assert.isTrue((yield* valkey.commandLogLen("large-request")) >= owners.size)
            assert.strictEqual(yield* valkey.commandLogReset("large-request"), "OK")
            assert.strictEqual(yield* valkey.commandLogLen("large-request"), 0)
            yield* valkey.del([...owners.values()])
          }),
          valkey.configSet({ "commandlog-request-larger-than": 1048576 }).pipe(Effect.ignore)
        )
      })
  )

  it.effect("custom commands without keys are routed by the server's COMMAND table, fetched once", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client()
      const before = yield* Effect.forEach(cluster.primaries, (p) => commandCalls(p, "command"))
      const keys = randomKeys(200, "custom")
      // Static key positions (SET's key is argument 1), on keys spread over every shard.
      yield* Effect.forEach(keys, (k) => valkey.custom(["SET", k, `c-${k}`]), { concurrency: 50, discard: true })
      assert.deepStrictEqual(
        yield* Effect.forEach(keys, (k) => valkey.get(k)),
        keys.map((k) => `c-${k}`)
      )
      // Subcommand facts (OBJECT ENCODING's key is argument 2).
      assert.strictEqual(yield* valkey.custom(["OBJECT", "ENCODING", keys[0]!]), "embstr")
      // Movable keys: EVAL's are found with COMMAND GETKEYS.
      for (const key of keys.slice(0, 20)) {
        assert.strictEqual(yield* valkey.custom(["EVAL", "return redis.call('GET', KEYS[1])", "1", key]), `c-${key}`)
      }
      // A keyless command with policies: DBSIZE goes to every primary and the counts are summed.
      const perNode = yield* Effect.forEach(cluster.primaries, (p) => p.command(["DBSIZE"]))
      assert.strictEqual(
        yield* valkey.custom(["DBSIZE"]),
        perNode.reduce((a: number, b) => a + Number(b), 0)
      )
      // No response policy (KEYS): arrays from every primary are concatenated.
      const listed = (yield* valkey.custom(["KEYS", "custom:*"])) as ReadonlyArray<string>
      assert.deepStrictEqual([...listed].sort(), [...keys].sort())
      // Keys in two slots: refused before sending, like a known command.
      const error = yield* Effect.flip(valkey.custom(["EVAL", "return 1", "2", "{a}x", "{b}y"]))
      assert.strictEqual(error._tag, "CrossSlotError")
      const after = yield* Effect.forEach(cluster.primaries, (p) => commandCalls(p, "command"))
      assert.strictEqual(
        after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0),
        1,
        "one COMMAND call for the whole test"
      )
    })
  )

  it.effect("a per-node reply (INFO) is one node's, not a silent pick out of many", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client()
      const before = yield* Effect.forEach(cluster.nodes, (n) => commandCalls(n, "info"))
      assert.include(yield* valkey.info(["server"]), "redis_version")
      const after = yield* Effect.forEach(cluster.nodes, (n) => commandCalls(n, "info"))
      // The admin client's own INFO calls are counted too: one per node per read.
      const sent = after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0) - cluster.nodes.length
      assert.strictEqual(sent, 1)
    })
  )

  it.effect("refused credentials fail the client with AuthError, not a ConnectionError", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      yield* Effect.forEach(cluster.nodes, (n) => n.command(["ACL", "SETUSER", "app", "on", ">right", "~*", "+@all"]), {
        discard: true
      })
      const error = yield* Effect.flip(client({ username: "app", password: "wrong" }))
      assert.strictEqual(error._tag, "AuthError")
      assert.notInclude(error.message, "wrong")
      const { valkey } = yield* client({ username: "app", password: "right" })
      assert.strictEqual(yield* valkey.set("auth:ok", "1"), "OK")
    })
  )

  it.effect("dedicatedFor(key): a WATCH transaction on the key's own node, conflicts detected", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { router, valkey } = yield* client()
      // A key the first primary (where plain `dedicated` goes) does not serve.
      const first = router.topology().primaries()[0]!.address
      let key = ""
      for (const k of randomKeys(100, "watch")) {
        if ((yield* cluster.slotOwner(Slot.slotOf(k))).address !== first) {
          key = k
          break
        }
      }
      const { set } = Commands.strings
      const tx = yield* valkey.dedicatedFor(key)
      assert.strictEqual(yield* tx.watch([key]), "OK")
      yield* valkey.set(key, "changed")
      const aborted = yield* Effect.flip(tx.batch([set(key, "mine")], { atomic: true }))
      assert.strictEqual(aborted._tag, "TransactionAbortedError")
      assert.strictEqual(yield* tx.watch([key]), "OK")
      yield* tx.batch([set(key, "mine")], { atomic: true })
      assert.strictEqual(yield* valkey.get(key), "mine")
    })
  )

  it.effect("WAIT runs on each primary's shared connection: a paused replica's missing acknowledgement counts", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client()
      const { set } = Commands.strings
      const { wait } = Commands.generic
      yield* Effect.forEach(randomKeys(100, "wait"), (k) => valkey.set(k, "1"), { concurrency: 50, discard: true })
      assert.strictEqual(yield* valkey.wait(1, 5_000), 1)
      const [key, other] = keysInSlot(0, 2)
      const replica = cluster.replicasOf(yield* cluster.slotOwner(0))[0]!
      yield* replica.pause
      yield* Effect.ensuring(
        Effect.gen(function* () {
          yield* valkey.set(key!, "unacknowledged")
          // Before, WAIT went to a pooled connection with no writes and answered 1 at once.
          assert.strictEqual(yield* valkey.wait(1, 300), 0)
          // A batch keeps its WAIT in line with its writes on the slot's node.
          const [, inLine] = yield* valkey.batch([set(other!, "1"), wait(1, 300)], { raiseOnError: true })
          assert.strictEqual(inLine, 0)
          // Over several nodes, WAIT runs on every primary once the writes are answered.
          const [, , spread] = yield* valkey.batch([set(key!, "2"), set("{elsewhere}", "1"), wait(1, 300)], {
            raiseOnError: true
          })
          assert.strictEqual(spread, 0)
        }),
        replica.resume.pipe(Effect.ignore)
      )
      assert.strictEqual(yield* valkey.wait(1, 5_000), 1)
      const refused = yield* Effect.flip(valkey.wait(1, 0))
      assert.strictEqual(refused._tag, "InvalidArgumentError")
    })
  )

  it.effect("Router.run, runOn, runOnAll and batches refuse connection-state commands; dedicated runs them", () =>
    Effect.gen(function* () {
      const { router, valkey } = yield* client()
      const key = "guard:{g}"
      yield* valkey.set(key, "db0")
      const line = (...args: Array<string>) => Command.make(args, Reply.raw)
      const attempts: ReadonlyArray<Effect.Effect<unknown, CommandError>> = [
        router.run(line("SELECT", "1")),
        router.run(line("MULTI")),
        router.run(line("SUBSCRIBE", "ch")),
        router.runOn(line("WATCH", key), { type: "slotKey", key }),
        router.runOnAll(line("SELECT", "1"), "primaries"),
        router.sendBatch({ _tag: "Pipeline", commands: [Commands.strings.get(key), line("MULTI")] })
      ]
      for (const attempt of attempts) {
        const error = yield* Effect.flip(attempt)
        assert.strictEqual(error._tag, "InvalidArgumentError")
      }
      assert.strictEqual(yield* router.run(Commands.strings.get(key)), "db0")
      const own = yield* valkey.dedicatedFor(key)
      assert.strictEqual(yield* own.run(Command.make(["MULTI"], Reply.ok)), "OK")
      assert.strictEqual(yield* own.run(Command.make(["DISCARD"], Reply.ok)), "OK")
      assert.strictEqual(yield* own.get(key), "db0")
    })
  )

  it.effect("explicit routes: every primary by address, one node by slot or address", () =>
    Effect.gen(function* () {
      const { router } = yield* client()
      const cluster = yield* ValkeyTestCluster
      const ids = yield* router.runOnAll(Commands.connection.echo("hi"), "primaries")
      assert.deepStrictEqual([...ids.keys()].sort(), cluster.primaries.map((p) => p.address).sort())
      const all = yield* router.runOnAll(Commands.connection.ping(), "nodes")
      assert.strictEqual(all.size, cluster.nodes.length)
      const node = cluster.primaries[1]!
      const role = yield* router.runOn(Commands.server.info(["replication"]), {
        type: "address",
        host: node.host,
        port: node.port
      })
      assert.include(role, "role:master")
      const info = yield* router.runOn(Commands.server.info(["replication"]), {
        type: "slotId",
        slot: 0,
        replica: true
      })
      assert.include(info, "role:slave")
      const replicaRole = yield* router.runOn(Commands.server.role(), { type: "slotId", slot: 0, replica: true })
      const primary = yield* cluster.slotOwner(0)
      assert.deepStrictEqual(replicaRole.role === "replica" && [replicaRole.primaryHost, replicaRole.primaryPort], [
        primary.host,
        primary.port
      ])
    })
  )

  it.effect("reads go to replicas with readFrom: preferReplica; writes still go to primaries", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const { valkey } = yield* client({ readFrom: "preferReplica" })
      const keys = randomKeys(300, "replica-read")
      yield* valkey.mset(keys.map((k) => [k, "x"] as const))
      yield* Effect.sleep("200 millis")
      const before = yield* Effect.forEach(cluster.replicas, (r) => commandCalls(r, "get"))
      const beforePrimaries = yield* Effect.forEach(cluster.primaries, (p) => commandCalls(p, "get"))
      const values = yield* Effect.forEach(keys, (k) => valkey.get(k), { concurrency: 50 })
      assert.isTrue(values.every((v) => v === "x"))
      const after = yield* Effect.forEach(cluster.replicas, (r) => commandCalls(r, "get"))
      const afterPrimaries = yield* Effect.forEach(cluster.primaries, (p) => commandCalls(p, "get"))
      const onReplicas = after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)
      const onPrimaries = afterPrimaries.reduce((a, b) => a + b, 0) - beforePrimaries.reduce((a, b) => a + b, 0)
      assert.strictEqual(onReplicas, 300)
      assert.strictEqual(onPrimaries, 0)
    })
  )

  it.effect("AZ affinity picks replicas in the client's zone", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const local = cluster.replicas[0]!
      yield* Effect.forEach(cluster.replicas, (r) =>
        r.command(["CONFIG", "SET", "availability-zone", r === local ? "zone-a" : "zone-b"])
      )
      const { valkey } = yield* client({ readFrom: { azAffinity: "zone-a" } })
      const shard = cluster.primaries.find((p) => p.id === local.primaryId)!
      // Keys owned by the local replica's shard are read there.
      const keys = randomKeys(2000, "az")
      const mine: Array<string> = []
      for (const key of keys) {
        const owner = yield* cluster.slotOwner(Slot.slotOf(key))
        if (owner.address === shard.address) mine.push(key)
        if (mine.length === 50) break
      }
      yield* valkey.mset(mine.map((k) => [k, "z"] as const))
      yield* Effect.sleep("200 millis")
      const before = yield* commandCalls(local, "get")
      yield* Effect.forEach(mine, (k) => valkey.get(k), { concurrency: 10, discard: true })
      assert.strictEqual((yield* commandCalls(local, "get")) - before, mine.length)
    })
  )

  it.effect("batches: a pipeline over many slots comes back in order; an atomic one needs one slot", () =>
    Effect.gen(function* () {
      const { valkey } = yield* client()
      const { get, incr, set } = Commands.strings
      const results = yield* valkey.batch([set("b:1", "1"), set("b:2", "2"), incr("b:1"), get("b:2"), get("b:none")])
      assert.deepStrictEqual(results, [
        Result.succeed("OK" as const),
        Result.succeed("OK" as const),
        Result.succeed(2),
        Result.succeed("2"),
        Result.succeed(null)
      ])
      const [ok, n] = yield* valkey.batch([set("{t}:a", "5"), incr("{t}:a")], { atomic: true, raiseOnError: true })
      assert.strictEqual(ok, "OK")
      assert.strictEqual(n, 6)
      const cross = yield* Effect.flip(valkey.batch([set("x:1", "1"), set("y:2", "2")], { atomic: true }))
      assert.strictEqual(cross._tag, "CrossSlotError")
    })
  )

  it.effect("layerConfig reads the seeds and the connection fields from Effect Config", () =>
    Effect.gen(function* () {
      const cluster = yield* ValkeyTestCluster
      const env = ConfigProvider.layer(
        ConfigProvider.fromEnv({
          env: { VALKEY_SEEDS: ` ${cluster.seeds[0]!} , `, VALKEY_CLIENT_NAME: "cluster-from-config" }
        })
      )
      const name = yield* Valkey.use((valkey) => valkey.clientGetName()).pipe(
        Effect.provide(ValkeyCluster.layerConfig(ValkeyCluster.configNested("VALKEY")).pipe(Layer.provide(env)))
      )
      assert.strictEqual(name, "cluster-from-config")
    })
  )
})
