// One client, one scenario, one process:
//   node --conditions=source bench/src/worker.ts <client> '<WorkerJob json>'
// Connects, runs the workload for the warm-up window (discarded), then for the measured window,
// and prints one JSON line (WorkerResult) on stdout. Peak RSS is this process's maxRSS, so it
// covers exactly one client (its module graph, buffers and the load itself).

import process from "node:process"
import type { BenchClient, LoadConfig } from "./clients/client.ts"
import { CLIENTS, isClientId } from "./clients/index.ts"
import type { LoadCounters, WorkerJob, WorkerResult } from "./types.ts"
import { Histogram, keyOf } from "./workload.ts"

const emit = (result: WorkerResult): never => {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0))
  // GLIDE and some sockets keep the loop alive; never wait for them
  setTimeout(() => process.exit(0), 2000).unref()
  return undefined as never
}

const counters = (): LoadCounters => ({ ops: 0, gets: 0, sets: 0, errors: 0, firstError: undefined })

const main = async (): Promise<void> => {
  const [clientId, jobJson] = process.argv.slice(2)
  if (clientId === undefined || jobJson === undefined || !isClientId(clientId)) {
    process.stderr.write("usage: worker.ts <client> <job json>\n")
    process.exit(2)
  }
  const job = JSON.parse(jobJson) as WorkerJob
  const fail = (skipped: boolean, e: unknown) =>
    emit({
      ok: false,
      client: clientId,
      scenario: job.scenario,
      skipped,
      reason: e instanceof Error ? e.message : String(e)
    })

  let client: BenchClient
  try {
    const adapter = await CLIENTS[clientId].load()
    client = await adapter.connect(job.target)
  } catch (e) {
    return fail(e instanceof Error && e.name === "SkipError", e)
  }

  const run = async (ms: number, histogram: Histogram, c: LoadCounters) => {
    const config: LoadConfig = { workload: job.workload, deadline: performance.now() + ms, histogram, counters: c }
    await client.runLoad(config)
  }

  try {
    // Pre-flight: a client that does not really talk to the server must not produce numbers.
    const w = job.workload
    const hit = await client.get(keyOf(0))
    const miss = await client.get(keyOf(w.keySpace - 1))
    const hitLength = typeof hit === "string" || hit instanceof Uint8Array ? hit.length : -1
    if (hitLength !== w.valueSize || miss !== null) {
      return fail(false, new Error(`pre-flight GET check failed: hit length ${hitLength}, miss ${String(miss)}`))
    }
    if (job.warmupMs > 0) await run(job.warmupMs, new Histogram(), counters())
    const histogram = new Histogram()
    const c = counters()
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await run(job.durationMs, histogram, c)
    const elapsedMs = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    const hitRate = client.hitRate === undefined ? undefined : await client.hitRate()
    await Promise.race([client.close(), new Promise((r) => setTimeout(r, 1000).unref())])
    if (c.ops === 0) return fail(false, new Error(`no op completed (${c.errors} errors: ${c.firstError})`))
    return emit({
      ok: true,
      client: clientId,
      scenario: job.scenario,
      ops: c.ops,
      errors: c.errors,
      ...(c.firstError === undefined ? {} : { firstError: c.firstError }),
      elapsedMs,
      opsPerSec: (c.ops / elapsedMs) * 1000,
      p50: histogram.quantile(0.5),
      p99: histogram.quantile(0.99),
      mean: histogram.mean(),
      maxRss: process.resourceUsage().maxRSS * 1024,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      ...(hitRate === undefined ? {} : { hitRate })
    })
  } catch (e) {
    return fail(false, e)
  }
}

void main()
