// Aggregation (medians over rounds, ratios) and the three outputs: JSON, Markdown, SVG.

import { CACHED_SUBJECT, type ClientId, isCached, SUBJECT } from "./clients/index.ts"
import type { WorkerResult } from "./types.ts"

export type OkResult = Extract<WorkerResult, { ok: true }>

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly totalMemGiB: number
  readonly platform: string
  readonly node: string
  readonly valkey: string
  /** the cluster scenarios' topology, when any ran */
  readonly cluster?: { readonly primaries: number; readonly replicasPerPrimary: number }
}

export interface RunConfig {
  readonly rounds: number
  readonly warmupMs: number
  readonly durationMs: number
  readonly clients: ReadonlyArray<ClientId>
  readonly quick: boolean
}

export interface ScenarioInfo {
  readonly id: string
  readonly topology: "standalone" | "cluster"
  readonly readHeavy: boolean
  readonly concurrency: number
  readonly valueSize: number
  readonly keySpace: number
  readonly hitKeys: number
}

export interface Summary {
  readonly opsPerSec: number
  readonly p50: number
  readonly p99: number
  readonly maxRss: number
  /** Client CPU (user + system) per completed op, µs: steadier than ops/s on a loaded machine. */
  readonly cpuMicrosPerOp: number
  readonly errors: number
  readonly rounds: number
  /** clients with a client-side cache: the share of GETs it answered (NaN otherwise) */
  readonly hitRate: number
}

export interface ClientOutcome {
  readonly describe: string
  readonly runs: Array<OkResult>
  /** reasons of runs that did not produce a result (skips and failures) */
  readonly problems: Array<string>
  skipped: boolean
}

export interface ScenarioReport extends ScenarioInfo {
  readonly clients: Partial<Record<ClientId, ClientOutcome>>
}

export const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export const summarize = (o: ClientOutcome | undefined): Summary | undefined => {
  if (o === undefined || o.runs.length === 0) return undefined
  return {
    opsPerSec: median(o.runs.map((r) => r.opsPerSec)),
    p50: median(o.runs.map((r) => r.p50)),
    p99: median(o.runs.map((r) => r.p99)),
    maxRss: median(o.runs.map((r) => r.maxRss)),
    cpuMicrosPerOp: median(o.runs.map((r) => ((r.cpuUserMs + r.cpuSystemMs) * 1000) / Math.max(1, r.ops))),
    errors: o.runs.reduce((n, r) => n + r.errors, 0),
    rounds: o.runs.length,
    hitRate: median(o.runs.map((r) => r.hitRate ?? Number.NaN))
  }
}

/**
 * A read-heavy scenario: effect-valkey with its cache against the fastest peer without a cache
 * and the fastest peer with one (the targets of issue #22: 3x and 1.25x, p99 no worse).
 */
export interface CacheRatios {
  readonly fastestUncached: { readonly client: ClientId; readonly ratio: number; readonly p99: number } | undefined
  readonly fastestCached: { readonly client: ClientId; readonly ratio: number; readonly p99: number } | undefined
}

export const cacheRatios = (s: ScenarioReport, clients: ReadonlyArray<ClientId>): CacheRatios | undefined => {
  const subject = summarize(s.clients[CACHED_SUBJECT])
  if (!s.readHeavy || subject === undefined) return undefined
  const fastest = (cached: boolean) => {
    let best: { client: ClientId; summary: Summary } | undefined
    for (const c of clients) {
      if (c === CACHED_SUBJECT || c === SUBJECT || isCached(c) !== cached) continue
      const m = summarize(s.clients[c])
      if (m !== undefined && (best === undefined || m.opsPerSec > best.summary.opsPerSec))
        best = { client: c, summary: m }
    }
    return best === undefined
      ? undefined
      : { client: best.client, ratio: subject.opsPerSec / best.summary.opsPerSec, p99: best.summary.p99 }
  }
  return { fastestUncached: fastest(false), fastestCached: fastest(true) }
}

export interface Ratios {
  /** effect-valkey ops/s divided by each peer's */
  readonly vsPeer: Partial<Record<ClientId, number>>
  readonly fastestPeer: { readonly client: ClientId; readonly opsPerSec: number } | undefined
  readonly vsFastestPeer: number | undefined
}

export const ratios = (s: ScenarioReport, clients: ReadonlyArray<ClientId>): Ratios => {
  const subject = summarize(s.clients[SUBJECT])
  const vsPeer: Partial<Record<ClientId, number>> = {}
  let fastestPeer: Ratios["fastestPeer"]
  for (const c of clients) {
    if (c === SUBJECT) continue
    const peer = summarize(s.clients[c])
    if (peer === undefined) continue
    if (fastestPeer === undefined || peer.opsPerSec > fastestPeer.opsPerSec) {
      fastestPeer = { client: c, opsPerSec: peer.opsPerSec }
    }
    if (subject !== undefined) vsPeer[c] = subject.opsPerSec / peer.opsPerSec
  }
  return {
    vsPeer,
    fastestPeer,
    vsFastestPeer:
      subject !== undefined && fastestPeer !== undefined ? subject.opsPerSec / fastestPeer.opsPerSec : undefined
  }
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

export const toJson = (
  machine: Machine,
  config: RunConfig,
  startedAt: string,
  scenarios: ReadonlyArray<ScenarioReport>
): unknown => ({
  startedAt,
  machine,
  config,
  subject: SUBJECT,
  scenarios: scenarios.map((s) => ({
    ...s,
    clients: Object.fromEntries(
      config.clients.map((c) => {
        const o = s.clients[c]
        return [c, o === undefined ? null : { ...o, median: summarize(o) ?? null }]
      })
    ),
    ratios: ratios(s, config.clients),
    cacheRatios: cacheRatios(s, config.clients) ?? null
  }))
})

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

const fmtOps = (n: number | undefined): string =>
  n === undefined || Number.isNaN(n) ? "–" : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0)
const fmtMs = (n: number | undefined): string =>
  n === undefined || Number.isNaN(n) ? "–" : n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1)
const fmtRatio = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? "–" : `${n.toFixed(2)}x`)
const fmtMiB = (bytes: number | undefined): string =>
  bytes === undefined || Number.isNaN(bytes) ? "–" : (bytes / 1024 / 1024).toFixed(0)
const fmtSize = (b: number): string => (b >= 1024 && b % 1024 === 0 ? `${b / 1024} KiB` : `${b} B`)

export const describeScenario = (s: ScenarioInfo): string =>
  `${s.topology}, ${s.concurrency} caller${s.concurrency === 1 ? "" : "s"}, ${fmtSize(s.valueSize)} values`

export const toMarkdown = (
  machine: Machine,
  config: RunConfig,
  startedAt: string,
  scenarios: ReadonlyArray<ScenarioReport>
): string => {
  const clients = config.clients
  const peers = clients.filter((c) => c !== SUBJECT)
  const hasSubject = clients.includes(SUBJECT)
  const out: Array<string> = []
  out.push("# effect-valkey benchmark", "")
  out.push(
    `- machine: ${machine.cpu} × ${machine.cores} cores, ${machine.totalMemGiB.toFixed(0)} GiB, ${machine.platform}`,
    `- Node ${machine.node}, Valkey ${machine.valkey}`,
    ...(machine.cluster === undefined
      ? []
      : [
          `- cluster scenarios: ${machine.cluster.primaries} primaries, ${machine.cluster.replicasPerPrimary} replicas each, slots split evenly, all on this machine`
        ]),
    `- ${startedAt}; ${config.rounds} round(s), ${config.warmupMs / 1000} s warm-up + ${config.durationMs / 1000} s measured per run${config.quick ? " (--quick)" : ""}`,
    "- workload: 80% GET (half hits, half misses) / 20% SET over a 3,000,000-key space; `read-` scenarios: 95% GET / 5% SET over a 10,000-key hot set (every GET hits); every client in its own process, runs alternate between clients",
    ""
  )
  out.push("## Throughput (ops/s, median over rounds)", "")
  const head = ["scenario", ...clients]
  if (hasSubject) head.push("effect-valkey / fastest peer")
  out.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`)
  for (const s of scenarios) {
    const row = [s.id, ...clients.map((c) => cell(s, c))]
    if (hasSubject) {
      const r = ratios(s, clients)
      row.push(r.fastestPeer === undefined ? "–" : `${fmtRatio(r.vsFastestPeer)} (${r.fastestPeer.client})`)
    }
    out.push(`| ${row.join(" | ")} |`)
  }
  out.push("")
  for (const s of scenarios) {
    out.push(`## ${s.id}: ${describeScenario(s)}`, "")
    const h = [
      "client",
      "ops/s",
      "p50 ms",
      "p99 ms",
      "peak RSS MiB",
      "CPU µs/op",
      "errors",
      ...(s.readHeavy ? ["hit rate"] : [])
    ]
    if (hasSubject) h.push("effect-valkey / client")
    out.push(
      `| ${h.join(" | ")} |`,
      `|---|${h
        .slice(1)
        .map(() => "---:")
        .join("|")}|`
    )
    const r = ratios(s, clients)
    for (const c of clients) {
      const o = s.clients[c]
      const m = summarize(o)
      if (m === undefined) {
        const why = o?.problems[0] ?? "not run"
        out.push(`| ${c} | ${o?.skipped ? "skipped" : "failed"}: ${why.replaceAll("|", "/").split("\n")[0]} |`)
        continue
      }
      const row = [
        c,
        fmtOps(m.opsPerSec),
        fmtMs(m.p50),
        fmtMs(m.p99),
        fmtMiB(m.maxRss),
        m.cpuMicrosPerOp.toFixed(2),
        String(m.errors)
      ]
      if (s.readHeavy) row.push(Number.isNaN(m.hitRate) ? "" : `${(m.hitRate * 100).toFixed(1)}%`)
      if (hasSubject) row.push(c === SUBJECT ? "" : fmtRatio(r.vsPeer[c]))
      out.push(`| ${row.join(" | ")} |`)
    }
    out.push("")
    const cr = cacheRatios(s, clients)
    if (cr !== undefined) {
      const line = (what: string, x: CacheRatios["fastestCached"]) =>
        x === undefined
          ? `- ${what}: not run`
          : `- ${what} (${x.client}): ${fmtRatio(x.ratio)}, its p99 ${fmtMs(x.p99)} ms`
      const own = summarize(s.clients[CACHED_SUBJECT])!
      out.push(
        `${CACHED_SUBJECT} (p99 ${fmtMs(own.p99)} ms) against:`,
        "",
        line("the fastest peer without a cache", cr.fastestUncached),
        line("the fastest peer with its client-side cache", cr.fastestCached),
        ""
      )
    }
  }
  if (peers.length > 0) {
    out.push("Clients:", "")
    const seen = new Set<string>()
    for (const s of scenarios) {
      for (const c of clients) {
        const d = s.clients[c]?.describe
        if (d !== undefined && !seen.has(c)) {
          seen.add(c)
          out.push(`- ${c}: ${d}`)
        }
      }
    }
    out.push("")
  }
  return out.join("\n")
}

const cell = (s: ScenarioReport, c: ClientId): string => {
  const o = s.clients[c]
  const m = summarize(o)
  if (m !== undefined) return fmtOps(m.opsPerSec)
  return o?.skipped ? "skipped" : o === undefined ? "–" : "failed"
}

// ---------------------------------------------------------------------------------------------
// SVG: grouped bars, one group per scenario, one bar per client
// ---------------------------------------------------------------------------------------------

const PALETTE = ["#7c3aed", "#dc2626", "#f97316", "#fbbf24", "#2563eb", "#06b6d4", "#16a34a", "#6b7280", "#db2777"]

const esc = (s: string): string => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")

const niceMax = (v: number): number => {
  if (!(v > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p
  return 10 * p
}

export const toSvg = (machine: Machine, config: RunConfig, scenarios: ReadonlyArray<ScenarioReport>): string => {
  const clients = config.clients
  const barW = 14
  const groupGap = 26
  const groupW = clients.length * barW + groupGap
  const left = 70
  const top = 70
  const plotH = 300
  const width = Math.max(640, left + scenarios.length * groupW + 20)
  const height = top + plotH + 90
  const values = scenarios.flatMap((s) => clients.map((c) => summarize(s.clients[c])?.opsPerSec ?? 0))
  const max = niceMax(Math.max(0, ...values))
  const y = (v: number) => top + plotH - (v / max) * plotH
  const parts: Array<string> = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    // A title: what a screen reader says of the chart (and what biome's a11y lint asks for).
    `<title>Throughput per client and scenario, ops/s</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="600">Throughput (ops/s, median of ${config.rounds} round${config.rounds === 1 ? "" : "s"}) — 80% GET / 20% SET</text>`,
    `<text x="${left}" y="36" fill="#555">${esc(`${machine.cpu} × ${machine.cores}, Node ${machine.node}, Valkey ${machine.valkey}`)}</text>`
  )
  // legend
  let lx = left
  clients.forEach((c, i) => {
    parts.push(
      `<rect x="${lx}" y="46" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`,
      `<text x="${lx + 14}" y="55">${esc(c)}</text>`
    )
    lx += 22 + c.length * 6.5
  })
  // axis and grid
  for (let i = 0; i <= 5; i++) {
    const v = (max / 5) * i
    const yy = y(v)
    parts.push(
      `<line x1="${left}" x2="${width - 10}" y1="${yy}" y2="${yy}" stroke="#e5e7eb"/>`,
      `<text x="${left - 6}" y="${yy + 4}" text-anchor="end" fill="#555">${v >= 1000 ? `${Math.round(v / 1000)}k` : Math.round(v)}</text>`
    )
  }
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#999"/>`)
  scenarios.forEach((s, g) => {
    const gx = left + groupGap / 2 + g * groupW
    clients.forEach((c, i) => {
      const m = summarize(s.clients[c])
      const x = gx + i * barW
      if (m === undefined) {
        parts.push(`<text x="${x + barW / 2}" y="${top + plotH - 4}" text-anchor="middle" fill="#999">·</text>`)
        return
      }
      const yy = y(m.opsPerSec)
      parts.push(
        `<rect x="${x}" y="${yy.toFixed(1)}" width="${barW - 2}" height="${(top + plotH - yy).toFixed(1)}" fill="${PALETTE[i % PALETTE.length]}"><title>${esc(`${c} ${s.id}: ${Math.round(m.opsPerSec)} ops/s, p50 ${m.p50.toFixed(3)} ms, p99 ${m.p99.toFixed(3)} ms`)}</title></rect>`
      )
    })
    const cx = gx + (clients.length * barW) / 2
    parts.push(
      `<text x="${cx}" y="${top + plotH + 16}" text-anchor="middle">${esc(s.id)}</text>`,
      `<text x="${cx}" y="${top + plotH + 30}" text-anchor="middle" fill="#555">${s.concurrency} × ${fmtSize(s.valueSize)}</text>`
    )
  })
  parts.push("</svg>", "")
  return parts.join("\n")
}
