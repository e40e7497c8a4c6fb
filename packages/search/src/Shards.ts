/**
 * How the search commands' replies from several primaries become one value in a cluster.
 *
 * valkey-search (1.0.3 and 1.2.1 alike) runs each node of a cluster on its own unless the module
 * is loaded with `--use-coordinator`: FT.CREATE makes an index on the node that receives it
 * only, and that index covers that node's keys only, so FT.SEARCH on one primary sees one
 * shard. The search commands therefore go to every primary and their replies are combined
 * here: ranked results merged (KNN by distance, SORTBY by the field) with LIMIT applied once
 * to the merged list, counts summed, FT.INFO added up. Standalone never comes here.
 *
 * @since 0.1.0
 */
import { type Command, InvalidArgumentError } from "@effect-valkey/core"
import * as Exit from "effect/Exit"
import type * as Aggregate from "./Aggregate.ts"
import type * as IndexInfo from "./IndexInfo.ts"
import type * as SearchResult from "./SearchResult.ts"

/**
 * What the merge of FT.SEARCH replies needs to know about the search.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchMerge {
  /** The caller's LIMIT (the module's default is 0 10); each primary was asked for offset + count. */
  readonly offset: number
  readonly count: number
  /** A KNN query's k: the total is at most k, however many primaries matched. */
  readonly k: number | undefined
  /** Rank by the KNN distance (`score`), nearest first. */
  readonly byScore: boolean
  /** Rank by this field's value (SORTBY). */
  readonly sortBy: { readonly field: string; readonly descending: boolean } | undefined
  /** Fields the primaries were asked for only so that the merge could rank: removed after. */
  readonly drop: ReadonlyArray<string>
  /** Whether the caller asked for keys only: fields and scores are removed after the merge. */
  readonly keysOnly: boolean
  /** Whether the caller's reply would carry the distance. */
  readonly keepScore: boolean
}

const KNN_K = /=>\s*\[\s*KNN\s+(\d+)\s/i

/**
 * The k of a KNN query string, when it is written as a number.
 *
 * @since 0.1.0
 * @category getters
 */
export const knnK = (query: string): number | undefined => {
  const match = KNN_K.exec(query)
  return match === null ? undefined : Number(match[1])
}

const compareText = (a: string, b: string): number => {
  const x = Number(a)
  const y = Number(b)
  if (a !== "" && b !== "" && Number.isFinite(x) && Number.isFinite(y)) return x - y
  return a < b ? -1 : a > b ? 1 : 0
}

const fieldText = (document: SearchResult.Document, field: string): string => {
  const value = document.fields[field]
  return typeof value === "string" ? value : ""
}

/**
 * Merges the primaries' FT.SEARCH results into the one a single node holding every key would
 * give: ranked, LIMIT applied once, the total summed (at most k for a KNN query).
 *
 * @since 0.1.0
 * @category combinators
 */
export const mergeSearch = (
  merge: SearchMerge,
  results: ReadonlyArray<SearchResult.SearchResult>
): SearchResult.SearchResult => {
  let total = 0
  const all: Array<SearchResult.Document> = []
  for (const result of results) {
    total += result.total
    all.push(...result.documents)
  }
  if (merge.byScore) all.sort((a, b) => (a.score ?? Infinity) - (b.score ?? Infinity))
  else if (merge.sortBy !== undefined) {
    const { field, descending } = merge.sortBy
    all.sort((a, b) => (descending ? -1 : 1) * compareText(fieldText(a, field), fieldText(b, field)))
  }
  // A KNN query's result set is the k nearest over all shards; LIMIT pages within it.
  const ranked = merge.k === undefined ? all : all.slice(0, merge.k)
  const documents = ranked.slice(merge.offset, merge.offset + merge.count).map((document) => {
    if (merge.keysOnly) return { key: document.key, fields: {} }
    let fields = document.fields
    if (merge.drop.length > 0) {
      fields = { ...fields }
      for (const name of merge.drop) delete fields[name]
    }
    return merge.keepScore && document.score !== undefined
      ? { key: document.key, score: document.score, fields }
      : { key: document.key, fields }
  })
  return { total: merge.k === undefined ? total : Math.min(total, merge.k), documents }
}

/**
 * FT._LIST of every primary: each name once.
 *
 * @since 0.1.0
 * @category combinators
 */
export const unionList = (lists: ReadonlyArray<ReadonlyArray<string>>): Array<string> => [...new Set(lists.flat())]

const sumBy = <A>(values: ReadonlyArray<A>, f: (a: A) => number | undefined): number =>
  values.reduce((sum, value) => sum + (f(value) ?? 0), 0)

/**
 * FT.INFO of every primary as one index: document, record and failure counts and queue sizes
 * added up, each attribute's size added up, a backfill in progress anywhere is in progress, and
 * the state is `ready` only when every primary's is. The first reply gives the definition and
 * `fields`; `shards` holds every primary's own FT.INFO.
 *
 * @since 0.1.0
 * @category combinators
 */
export const mergeInfo = (infos: ReadonlyArray<IndexInfo.IndexInfo>): IndexInfo.IndexInfo => {
  const first = infos[0]!
  if (infos.length === 1) return first
  const notReady = infos.find((info) => info.state !== "ready")
  const attributes = first.attributes.map((attribute) => {
    const same = infos.map((info) => info.attributes.find((a) => a.attribute === attribute.attribute))
    const out: { -readonly [K in keyof IndexInfo.AttributeInfo]: IndexInfo.AttributeInfo[K] } = { ...attribute }
    if (attribute.size !== undefined) out.size = sumBy(same, (a) => a?.size)
    if (attribute.vector !== undefined) {
      out.vector = { ...attribute.vector, size: sumBy(same, (a) => a?.vector?.size) }
    }
    return out
  })
  return {
    ...first,
    attributes,
    numDocs: sumBy(infos, (info) => info.numDocs),
    numRecords: sumBy(infos, (info) => info.numRecords),
    hashIndexingFailures: sumBy(infos, (info) => info.hashIndexingFailures),
    backfillInProgress: infos.some((info) => info.backfillInProgress),
    backfillCompletePercent: Math.min(...infos.map((info) => info.backfillCompletePercent)),
    mutationQueueSize: sumBy(infos, (info) => info.mutationQueueSize),
    state: notReady?.state ?? "ready",
    shards: infos
  }
}

/**
 * Whether FT.AGGREGATE's stages work row by row (APPLY, FILTER), so that the primaries' rows,
 * put together, are the rows of one node holding every key. GROUPBY, SORTBY and LIMIT look at
 * all rows together and cannot be combined from per-shard answers.
 *
 * @since 0.1.0
 * @category predicates
 */
export const rowWise = (stages: ReadonlyArray<Aggregate.Stage>): boolean =>
  stages.every((stage) => "apply" in stage || "filter" in stage)

/**
 * The `shards` facts of FT.AGGREGATE: rows put together when the stages are row-wise, else an
 * `InvalidArgumentError` that says why (the command still runs as given on a standalone server
 * or a cluster whose module coordinates; see `Search.coordinated`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const aggregateShards = <A>(
  command: Command.Command<Array<A>>,
  stages: ReadonlyArray<Aggregate.Stage>
): Command.Shards<Array<A>> => ({
  command,
  gather: (values) =>
    rowWise(stages)
      ? Exit.succeed((values as ReadonlyArray<Array<A>>).flat())
      : Exit.fail(
          new InvalidArgumentError({
            command: "FT.AGGREGATE",
            message:
              "FT.AGGREGATE: GROUPBY, SORTBY and LIMIT stages cannot be combined from the shards of a cluster whose search module does not coordinate; run it with Search.coordinated on a cluster loaded with --use-coordinator"
          })
        )
})

/**
 * Shards facts that apply `f` to the primaries' values of `command`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const gatherWith = <P, A>(
  command: Command.Command<P>,
  f: (values: ReadonlyArray<P>) => A
): Command.Shards<A> => ({
  command,
  gather: (values) => Exit.succeed(f(values as ReadonlyArray<P>))
})
