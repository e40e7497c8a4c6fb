// The benchmark harness: `npm run bench [-- options]` (see bench/README.md).
//
// Starts its own Valkey server, then for every scenario: flushes and prefills the data set, and
// for every round runs each client once, in turn (A B C … A B C …), each in its own child
// process (worker.ts). Prints a Markdown report and writes bench/results/latest.{json,md,svg}.

import { spawn } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import os from "node:os"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { CLIENT_IDS, CLIENTS, type ClientId, isClientId } from "./clients/index.ts"
import {
  type ClientOutcome,
  describeScenario,
  type Machine,
  type RunConfig,
  type ScenarioReport,
  toJson,
  toMarkdown,
  toSvg
} from "./report.ts"
import { RespConnection, startStandalone } from "./servers.ts"
import type { Target, WorkerJob, WorkerResult, Workload } from "./types.ts"
import { hitKeysFor, keyOf, makeValue } from "./workload.ts"

const KEY_SPACE = 3_000_000
const CALLERS = [1, 10, 100, 1000]
const SIZES = [100, 4000, 16384]
const QUICK_SCENARIOS = ["c100-v100", "c1-v100", "c10-v100"]

interface ScenarioSpec {
  readonly id: string
  readonly topology: "standalone" | "cluster"
  readonly concurrency: number
  readonly valueSize: number
}

const scenarioId = (topology: string, concurrency: number, valueSize: number) =>
  `${topology === "cluster" ? "cluster-" : ""}c${concurrency}-v${valueSize}`

const parseScenario = (id: string): ScenarioSpec | undefined => {
  const m = /^(cluster-)?c(\d+)-v(\d+)$/.exec(id)
  if (m === null) return undefined
  const topology = m[1] === undefined ? "standalone" : "cluster"
  return { id, topology, concurrency: Number(m[2]), valueSize: Number(m[3]) }
}

const usage = `usage: npm run bench -- [options]
  --quick              ~1 minute: ${QUICK_SCENARIOS.join(", ")}; 1 round; 0.5 s warm-up + 2 s per run
  --clients a,b        clients to run (default all: ${CLIENT_IDS.join(", ")})
  --scenarios x,y      scenario ids c<callers>-v<value bytes>, e.g. c100-v100,c1000-v4000
                       (default: callers ${CALLERS.join("/")} × values ${SIZES.join("/")} B, standalone)
  --rounds n           rounds per scenario (default 3; --quick 1)
  --duration s         measured seconds per run (default 5; --quick 2)
  --warmup s           warm-up seconds per run, discarded (default 1; --quick 0.5)
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
  (quick ? QUICK_SCENARIOS : SIZES.flatMap((v) => CALLERS.map((c) => scenarioId("standalone", c, v))))
).map((id) => parseScenario(id) ?? fail(`bad scenario id ${id}`))
const config: RunConfig = {
  rounds: Math.round(positive("rounds", opts.rounds, quick ? 1 : 3)),
  durationMs: positive("duration", opts.duration, quick ? 2 : 5) * 1000,
  warmupMs: positive("warmup", opts.warmup, quick ? 0.5 : 1) * 1000,
  clients,
  quick
}

const log = (msg: string) => process.stderr.write(`${msg}\n`)

const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url))
const resultsDir = fileURLToPath(new URL("../results/", import.meta.url))

/** Runs one client on one scenario in a fresh `node` process. */
const runWorker = (client: ClientId, job: WorkerJob): Promise<WorkerResult> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ["--conditions=source", workerPath, client, JSON.stringify(job)], {
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

/** FLUSHALL, then SET keys [0, hitKeys) to values of the scenario's size, pipelined. */
const prefill = async (target: Target, w: Workload): Promise<void> => {
  if (target.topology !== "standalone") throw new Error("cluster prefill awaits testkit")
  const node = target.nodes[0]!
  const conn = await RespConnection.open(node.host, node.port)
  try {
    const flushed = await conn.send(["FLUSHALL"])
    if (flushed instanceof Error) throw flushed
    const value = makeValue(w.valueSize)
    const batch = Math.max(16, Math.min(1000, Math.floor((1 << 20) / w.valueSize)))
    await conn.pipeline(
      (function* () {
        for (let i = 0; i < w.hitKeys; i++) yield ["SET", keyOf(i), value]
      })(),
      batch
    )
  } finally {
    conn.close()
  }
}

const fmt = (r: Extract<WorkerResult, { ok: true }>) =>
  `${(r.opsPerSec / 1000).toFixed(1)}k ops/s  p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  ` +
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

const main = async (): Promise<void> => {
  const startedAt = new Date().toISOString()
  const standalone = scenarios.some((s) => s.topology === "standalone") ? await startStandalone() : undefined
  const machine: Machine = {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown cpu",
    cores: os.availableParallelism(),
    totalMemGiB: os.totalmem() / 1024 ** 3,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    node: process.version,
    valkey: standalone?.version ?? "n/a"
  }
  log(
    `bench: ${scenarios.length} scenario(s) × ${clients.length} client(s) × ${config.rounds} round(s), ` +
      `${config.warmupMs / 1000} s warm-up + ${config.durationMs / 1000} s each; Valkey ${machine.valkey}` +
      (standalone ? ` on ${standalone.target.nodes[0]!.host}:${standalone.target.nodes[0]!.port}` : "")
  )

  const skipped = new Map<ClientId, string>()
  const reports: Array<ScenarioReport> = []
  try {
    for (const spec of scenarios) {
      const hitKeys = hitKeysFor(spec.valueSize)
      const report: ScenarioReport = { ...spec, keySpace: KEY_SPACE, hitKeys, clients: {} }
      reports.push(report)
      for (const c of clients) {
        const o: ClientOutcome = { describe: CLIENTS[c].describe, runs: [], problems: [], skipped: false }
        report.clients[c] = o
      }
      if (spec.topology === "cluster" || standalone === undefined) {
        // TODO(testkit lands): start ValkeyTestCluster (3 primaries) and add cluster adapters.
        log(`${spec.id}: skipped — cluster scenarios await @effect-valkey/testkit's ValkeyTestCluster`)
        for (const c of clients) {
          const o = report.clients[c]!
          o.skipped = true
          o.problems.push("cluster scenarios await @effect-valkey/testkit")
        }
        continue
      }
      const target = standalone.target
      const workload: Workload = {
        concurrency: spec.concurrency,
        valueSize: spec.valueSize,
        keySpace: KEY_SPACE,
        hitKeys,
        getRatio: 0.8,
        hitRatio: 0.5
      }
      log(`\n${spec.id} (${describeScenario(report)}): prefilling ${hitKeys} keys…`)
      await prefill(target, workload)
      for (let round = 1; round <= config.rounds; round++) {
        for (const c of clients) {
          const o = report.clients[c]!
          const skip = skipped.get(c)
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
          const r = await runWorker(c, job)
          const tag = `[${spec.id} r${round}/${config.rounds}] ${c.padEnd(16)}`
          if (r.ok) {
            o.runs.push(r)
            log(`${tag} ${fmt(r)}`)
          } else {
            o.problems.push(r.reason)
            if (r.skipped) {
              o.skipped = true
              skipped.set(c, r.reason)
              log(`${tag} skipped: ${r.reason}`)
            } else log(`${tag} FAILED: ${r.reason}`)
          }
        }
      }
      writeOutputs(machine, startedAt, reports)
    }
  } finally {
    await standalone?.stop()
  }
  const md = writeOutputs(machine, startedAt, reports)
  process.stdout.write(`\n${md}\n`)
  log(`wrote ${resultsDir}latest.{json,md,svg}`)
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : e}\n`)
  process.exit(1)
})
