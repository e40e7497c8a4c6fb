// The benchmark harness: `npm run bench [-- options]` (see bench/README.md).
//
// Starts its own Valkey server and/or 3-primary cluster (testkit, see servers.ts), then for every
// scenario: flushes and prefills the data set (per node, by slot, in a cluster), and for every
// round runs each client once, in turn (A B C … A B C …), each in its own child process
// (worker.ts). Prints a Markdown report and writes bench/results/latest.{json,md,svg}.

import { spawn } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import os from "node:os"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { Slot } from "@effect-valkey/cluster"
import { buildPackages } from "./build.ts"
import { CLIENT_IDS, CLIENTS, type ClientId, isCached, isClientId } from "./clients/index.ts"
import {
  describeScenario,
  type Machine,
  type RunConfig,
  type ScenarioReport,
  toJson,
  toMarkdown,
  toSvg
} from "./report.ts"
import {
  CLUSTER_PRIMARIES,
  CLUSTER_REPLICAS_PER_PRIMARY,
  command,
  type Reply,
  RespConnection,
  type RunningServer,
  startCluster,
  startStandalone
} from "./servers.ts"
import type { Target, WorkerJob, WorkerResult, Workload } from "./types.ts"
import { hitKeysFor, keyOf, makeValue } from "./workload.ts"

const KEY_SPACE = 3_000_000
const CALLERS = [1, 10, 100, 1000]
const SIZES = [100, 4000, 16384]
/** Cluster scenarios of the full run (on top of the standalone grid). */
const CLUSTER_SCENARIOS = ["cluster-c100-v100", "cluster-c1000-v100", "cluster-c100-v4000"]
const QUICK_SCENARIOS = ["c100-v100", "c1-v100", "c10-v100", "cluster-c100-v100"]
/** Read-heavy scenarios of the full run: where client-side caches are compared. */
const READ_SCENARIOS = ["read-c100-v100"]
/** The read-heavy workload's hot set: every GET hits one of these keys, every SET writes one. */
const READ_HOT_KEYS = 10_000

interface ScenarioSpec {
  readonly id: string
  readonly topology: "standalone" | "cluster"
  readonly concurrency: number
  readonly valueSize: number
  /** 95% GET / 5% SET over a 10,000-key hot set (`read-c…`), instead of GLIDE's workload. */
  readonly readHeavy: boolean
}

const scenarioId = (topology: string, concurrency: number, valueSize: number) =>
  `${topology === "cluster" ? "cluster-" : ""}c${concurrency}-v${valueSize}`

const parseScenario = (id: string): ScenarioSpec | undefined => {
  const m = /^(cluster-|read-)?c(\d+)-v(\d+)$/.exec(id)
  if (m === null) return undefined
  const topology = m[1] === "cluster-" ? "cluster" : "standalone"
  return { id, topology, concurrency: Number(m[2]), valueSize: Number(m[3]), readHeavy: m[1] === "read-" }
}

const usage = `usage: npm run bench -- [options]
  --quick              ~1.5 minutes: ${QUICK_SCENARIOS.join(", ")}; 1 round; 0.5 s warm-up + 2 s per run
  --clients a,b        clients to run (default all: ${CLIENT_IDS.join(", ")})
  --scenarios x,y      scenario ids c<callers>-v<value bytes> (standalone server) or cluster-c<callers>-v<bytes>
                       (cluster of 3 primaries), e.g. c100-v100,c1000-v4000,cluster-c100-v100;
                       read-c<callers>-v<bytes>: 95% GET / 5% SET over a ${READ_HOT_KEYS}-key hot set, where
                       the *-cache clients (client-side caches) run
                       (default: callers ${CALLERS.join("/")} × values ${SIZES.join("/")} B standalone,
                       then ${CLUSTER_SCENARIOS.join(", ")}, then ${READ_SCENARIOS.join(", ")})
  --rounds n           rounds per scenario (default 3; --quick 1)
  --duration s         measured seconds per run (default 5; --quick 2)
  --warmup s           warm-up seconds per run, discarded (default 1; --quick 0.5)
  --tracing            effect-valkey with a span per command (default off; no exporter: the client's cost)
  --metrics            effect-valkey with its valkey.* metrics (default off)
  --help`

const fail = (msg: string): never => {
  process.stderr.write(`${msg}\n\n${usage}\n`)
  process.exit(2)
}

const list = (s: string | undefined): Array<string> | undefined =>
  s === undefined
    ? undefined
    : s
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x.length > 0)

const positive = (name: string, s: string | undefined, dflt: number): number => {
  if (s === undefined) return dflt
  const n = Number(s)
  if (!(n > 0)) fail(`--${name} must be a positive number, got ${s}`)
  return n
}

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    clients: { type: "string" },
    scenarios: { type: "string" },
    rounds: { type: "string" },
    duration: { type: "string" },
    warmup: { type: "string" },
    tracing: { type: "boolean", default: false },
    metrics: { type: "boolean", default: false },
    help: { type: "boolean", default: false }
  },
  allowPositionals: false
})
if (opts.help) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}

const quick = opts.quick
const clients: Array<ClientId> = (list(opts.clients) ?? [...CLIENT_IDS]).map((c) =>
  isClientId(c) ? c : fail(`unknown client ${c}`)
)
const scenarios: Array<ScenarioSpec> = (
  list(opts.scenarios) ??
  (quick
    ? QUICK_SCENARIOS
    : [
        ...SIZES.flatMap((v) => CALLERS.map((c) => scenarioId("standalone", c, v))),
        ...CLUSTER_SCENARIOS,
        ...READ_SCENARIOS
      ])
).map((id) => parseScenario(id) ?? fail(`bad scenario id ${id}`))
const config: RunConfig = {
  rounds: Math.round(positive("rounds", opts.rounds, quick ? 1 : 3)),
  durationMs: positive("duration", opts.duration, quick ? 2 : 5) * 1000,
  warmupMs: positive("warmup", opts.warmup, quick ? 0.5 : 1) * 1000,
  clients,
  quick
}

const log = (msg: string) => process.stderr.write(`${msg}\n`)

// Read by the effect-valkey adapter in every worker (they inherit the environment).
if (opts.tracing) process.env.EFFECT_VALKEY_BENCH_TRACING = "1"
if (opts.metrics) process.env.EFFECT_VALKEY_BENCH_METRICS = "1"
if (opts.tracing || opts.metrics) {
  log(
    `bench: effect-valkey with ${[opts.tracing ? "tracing" : "", opts.metrics ? "metrics" : ""].filter(Boolean).join(" and ")} on`
  )
}

// Both effect-valkey clients (with and without its cache) load the built packages.
if (clients.some((c) => c.startsWith("effect-valkey"))) buildPackages(["core", "cluster"])
const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url))
const resultsDir = fileURLToPath(new URL("../results/", import.meta.url))

/** Runs one client on one scenario in a fresh `node` process. */
const runWorker = (client: ClientId, job: WorkerJob): Promise<WorkerResult> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [workerPath, client, JSON.stringify(job)], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), job.warmupMs + job.durationMs + 60_000)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const lines = stdout.trim().split("\n").reverse()
      for (const line of lines) {
        if (!line.startsWith("{")) continue
        try {
          resolve(JSON.parse(line) as WorkerResult)
          return
        } catch {
          // not our line
        }
      }
      const tail = stderr.trim().split("\n").slice(-5).join("\n")
      resolve({
        ok: false,
        client,
        scenario: job.scenario,
        skipped: false,
        reason: `worker exited (${signal ?? code}) without a result${tail ? `: ${tail}` : ""}`
      })
    })
  })

const prefillBatch = (valueSize: number) => Math.max(16, Math.min(1000, Math.floor((1 << 20) / valueSize)))

/** `CLUSTER SLOTS` of one node, as slot -> index into `target.nodes` (the primaries). */
const slotOwners = async (target: Target): Promise<Int16Array> => {
  const seed = target.nodes[0]!
  const reply = await command(seed.host, seed.port, ["CLUSTER", "SLOTS"])
  if (!Array.isArray(reply)) throw new Error(`CLUSTER SLOTS: unexpected reply ${String(reply)}`)
  const owners = new Int16Array(Slot.SLOTS).fill(-1)
  for (const range of reply as ReadonlyArray<ReadonlyArray<Reply>>) {
    const [start, end, primary] = range as [number, number, ReadonlyArray<Reply>]
    const index = target.nodes.findIndex((n) => n.host === primary[0] && n.port === primary[1])
    if (index < 0) throw new Error(`CLUSTER SLOTS: owner ${primary[0]}:${primary[1]} is not a primary of the target`)
    owners.fill(index, start, end + 1)
  }
  if (owners.includes(-1)) throw new Error("CLUSTER SLOTS: some slots have no owner")
  return owners
}

/**
 * FLUSHALL every node, then SET keys [0, hitKeys) to values of the scenario's size, pipelined on
 * one connection per node (in a cluster, each key goes to the primary owning its slot, all nodes
 * in parallel). Checks that the nodes hold exactly `hitKeys` keys afterwards.
 */
const prefill = async (target: Target, w: Workload): Promise<void> => {
  const owners = target.topology === "cluster" ? await slotOwners(target) : undefined
  const conns = await Promise.all(target.nodes.map((n) => RespConnection.open(n.host, n.port)))
  try {
    for (const conn of conns) {
      const flushed = await conn.send(["FLUSHALL"])
      if (flushed instanceof Error) throw flushed
    }
    const value = makeValue(w.valueSize)
    const batch = prefillBatch(w.valueSize)
    await Promise.all(
      conns.map((conn, index) =>
        conn.pipeline(
          (function* () {
            for (let i = 0; i < w.hitKeys; i++) {
              const key = keyOf(i)
              if (owners === undefined || owners[Slot.slotOf(key)] === index) yield ["SET", key, value]
            }
          })(),
          batch
        )
      )
    )
    let keys = 0
    for (const conn of conns) {
      const n = await conn.send(["DBSIZE"])
      if (typeof n !== "number") throw new Error(`DBSIZE: unexpected reply ${String(n)}`)
      keys += n
    }
    if (keys !== w.hitKeys) throw new Error(`prefill: expected ${w.hitKeys} keys, the server(s) hold ${keys}`)
  } finally {
    for (const conn of conns) conn.close()
  }
}

const fmt = (r: Extract<WorkerResult, { ok: true }>) =>
  `${(r.opsPerSec / 1000).toFixed(1)}k ops/s  p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  ` +
  (r.hitRate === undefined ? "" : `hit rate ${(r.hitRate * 100).toFixed(1)}%  `) +
  `rss ${(r.maxRss / 1048576).toFixed(0)} MiB  cpu ${((r.cpuUserMs + r.cpuSystemMs) / r.elapsedMs).toFixed(2)}` +
  (r.errors > 0 ? `  errors ${r.errors} (${r.firstError})` : "")

const writeOutputs = (machine: Machine, startedAt: string, reports: ReadonlyArray<ScenarioReport>): string => {
  mkdirSync(resultsDir, { recursive: true })
  const md = toMarkdown(machine, config, startedAt, reports)
  writeFileSync(`${resultsDir}latest.json`, `${JSON.stringify(toJson(machine, config, startedAt, reports), null, 2)}\n`)
  writeFileSync(`${resultsDir}latest.md`, md)
  writeFileSync(`${resultsDir}latest.svg`, toSvg(machine, config, reports))
  return md
}

/** GET + SET calls each node has served so far (`INFO commandstats`). */
const serverCalls = (target: Target): Promise<Array<number>> =>
  Promise.all(
    target.nodes.map(async (n) => {
      const info = await command(n.host, n.port, ["INFO", "commandstats"])
      if (typeof info !== "string") throw new Error(`INFO commandstats: unexpected reply ${String(info)}`)
      let calls = 0
      for (const m of info.matchAll(/^cmdstat_(?:get|set):calls=(\d+)/gm)) calls += Number(m[1])
      return calls
    })
  )

/**
 * The server side of a run: GET + SET calls the node(s) served during it (warm-up and
 * pre-flight included, so at least the ops the worker counted), and each node's share.
 */
const serverSide = (before: ReadonlyArray<number>, after: ReadonlyArray<number>) => {
  const perNode = after.map((a, i) => a - before[i]!)
  const total = perNode.reduce((x, y) => x + y, 0)
  const shares = perNode.length > 1 ? ` (${perNode.map((n) => Math.round((n / total) * 100)).join("/")}%)` : ""
  return { total, text: `server ${(total / 1e6).toFixed(2)}M calls${shares}` }
}

/** Runs one scenario: prefill, then every round of every client, in turn. */
const runScenario = async (
  spec: ScenarioSpec,
  target: Target,
  report: ScenarioReport,
  skipped: Map<string, string>
): Promise<void> => {
  const workload: Workload = {
    concurrency: spec.concurrency,
    valueSize: spec.valueSize,
    keySpace: report.keySpace,
    hitKeys: report.hitKeys,
    getRatio: spec.readHeavy ? 0.95 : 0.8,
    hitRatio: spec.readHeavy ? 1 : 0.5
  }
  log(`\n${spec.id} (${describeScenario(report)}): prefilling ${report.hitKeys} keys…`)
  await prefill(target, workload)
  for (let round = 1; round <= config.rounds; round++) {
    for (const c of clients) {
      const o = report.clients[c]!
      // a client that cannot run a topology is skipped for the rest of the run, on that topology
      const skipKey = `${c} ${spec.topology}`
      const skip =
        isCached(c) && !spec.readHeavy
          ? "client-side cache variants run in the read-heavy scenarios only"
          : skipped.get(skipKey)
      if (skip !== undefined) {
        o.skipped = true
        if (o.problems.length === 0) o.problems.push(skip)
        continue
      }
      const job: WorkerJob = {
        scenario: spec.id,
        target,
        workload,
        warmupMs: config.warmupMs,
        durationMs: config.durationMs
      }
      const before = await serverCalls(target)
      const r = await runWorker(c, job)
      const server = serverSide(before, await serverCalls(target))
      const tag = `[${spec.id} r${round}/${config.rounds}] ${c.padEnd(16)}`
      // A client-side cache answers reads without the server: it can only be checked to have sent some.
      if (r.ok && (isCached(c) ? server.total === 0 : server.total < r.ops)) {
        const reason = `the worker counted ${r.ops} ops but the server(s) served ${server.total} GET/SET calls`
        o.problems.push(reason)
        log(`${tag} FAILED: ${reason}`)
      } else if (r.ok) {
        o.runs.push(r)
        log(`${tag} ${fmt(r)}  ${server.text}`)
      } else {
        o.problems.push(r.reason)
        if (r.skipped) {
          o.skipped = true
          skipped.set(skipKey, r.reason)
          log(`${tag} skipped: ${r.reason}`)
        } else log(`${tag} FAILED: ${r.reason}`)
      }
    }
  }
}

const main = async (): Promise<void> => {
  const startedAt = new Date().toISOString()
  const servers: Array<RunningServer> = []
  const start = async (topology: ScenarioSpec["topology"]): Promise<RunningServer | undefined> => {
    if (!scenarios.some((s) => s.topology === topology)) return undefined
    log(`bench: starting ${topology === "cluster" ? `a ${CLUSTER_PRIMARIES}-primary cluster` : "a server"}…`)
    const server = await (topology === "cluster" ? startCluster() : startStandalone())
    servers.push(server)
    return server
  }
  let md: string
  try {
    const standalone = await start("standalone")
    const cluster = await start("cluster")
    const machine: Machine = {
      cpu: os.cpus()[0]?.model.trim() ?? "unknown cpu",
      cores: os.availableParallelism(),
      totalMemGiB: os.totalmem() / 1024 ** 3,
      platform: `${os.platform()} ${os.arch()} ${os.release()}`,
      node: process.version,
      valkey: (standalone ?? cluster)?.version ?? "n/a",
      ...(cluster === undefined
        ? {}
        : { cluster: { primaries: CLUSTER_PRIMARIES, replicasPerPrimary: CLUSTER_REPLICAS_PER_PRIMARY } })
    }
    const where = (s: RunningServer | undefined, name: string) =>
      s === undefined ? "" : `; ${name} on ${s.target.nodes.map((n) => `${n.host}:${n.port}`).join(", ")}`
    log(
      `bench: ${scenarios.length} scenario(s) × ${clients.length} client(s) × ${config.rounds} round(s), ` +
        `${config.warmupMs / 1000} s warm-up + ${config.durationMs / 1000} s each; Valkey ${machine.valkey}` +
        where(standalone, "standalone") +
        where(cluster, `cluster (${CLUSTER_PRIMARIES} primaries)`)
    )
    const skipped = new Map<string, string>()
    const reports: Array<ScenarioReport> = []
    for (const spec of scenarios) {
      const report: ScenarioReport = {
        ...spec,
        // Read-heavy: GETs never miss (hitRatio 1); keySpace - 1 is the pre-flight's missing key.
        keySpace: spec.readHeavy ? READ_HOT_KEYS + 1 : KEY_SPACE,
        hitKeys: spec.readHeavy ? READ_HOT_KEYS : hitKeysFor(spec.valueSize),
        clients: {}
      }
      reports.push(report)
      for (const c of clients)
        report.clients[c] = { describe: CLIENTS[c].describe, runs: [], problems: [], skipped: false }
      const server = spec.topology === "cluster" ? cluster : standalone
      await runScenario(spec, server!.target, report, skipped)
      writeOutputs(machine, startedAt, reports)
    }
    md = writeOutputs(machine, startedAt, reports)
  } finally {
    for (const s of servers) await s.stop()
  }
  process.stdout.write(`\n${md}\n`)
  log(`wrote ${resultsDir}latest.{json,md,svg}`)
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : e}\n`)
  process.exit(1)
})
