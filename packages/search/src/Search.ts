/**
 * The valkey-search module's commands as command values: run them with `valkey.run(command)`
 * on a standalone client, a cluster or in a batch.
 *
 * Routing: FT.* commands name an index, not a key, so they are keyless. In a cluster, the
 * module (1.0.3 and 1.2.1 alike, as they load by default) runs every node on its own: an index
 * exists only on the node that created it and covers that node's keys only. So FT.CREATE and
 * FT.DROPINDEX go to every primary (all must succeed), and FT.SEARCH, FT.INFO, FT._LIST and
 * FT.AGGREGATE ask every primary and combine the answers (see `Shards`). A module loaded with
 * `--use-coordinator` spreads definitions and fans searches out itself: wrap the commands in
 * `coordinated` for such a cluster. Standalone ignores all of this.
 *
 * @since 0.1.0
 */
import { Command, Reply, type RespArg } from "@effect-valkey/core"
import * as Aggregate from "./Aggregate.ts"
import type * as Field from "./Field.ts"
import * as IndexDefinition from "./IndexDefinition.ts"
import * as IndexInfo from "./IndexInfo.ts"
import * as Query from "./Query.ts"
import * as SearchResult from "./SearchResult.ts"
import * as Shards from "./Shards.ts"

/** Definitions and drops: every primary keeps its own. */
const WRITE: Command.CommandOptions = { request: "all_shards", response: "all_succeeded" }
/** Reads: what one node is asked (each primary, in a cluster, with `shards`). */
const READ: Command.CommandOptions = { readonly: true }
/** Commands neither module build has (aliases, EXPLAINCLI): one node, as documented upstream. */
const ONE_NODE: Command.CommandOptions = {}

/** The command with `shards` facts: sent as itself to each primary, gathered by `f`. */
const perShard = <P, A>(command: Command.Command<P>, f: (values: ReadonlyArray<P>) => A): Command.Command<A> =>
  Command.withRouting(command, {
    readonly: true,
    shards: Shards.gatherWith(command, f)
  }) as unknown as Command.Command<A>

/**
 * An index definition to build on: `Search.index("idx").on("HASH").prefix("doc:").schema({ … })`,
 * or complete from options: `Search.index("idx", { on: "HASH", prefix: "doc:", schema: { … } })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const index = IndexDefinition.make

/**
 * FT.CREATE index [ON HASH|JSON] [PREFIX n p…] [SKIPINITIALSCAN] SCHEMA field… : "OK".
 * Refused before sending (`InvalidArgumentError`): an empty name or schema, a vector field
 * whose DIM is not 1..32768, an unknown metric or type, M/EF_* out of the module's bounds.
 *
 * @since 0.1.0
 * @category indexes
 */
export const create: {
  (definition: IndexDefinition.IndexDefinition): Command.Command<"OK">
  <S extends Field.Schema>(name: string, options: IndexDefinition.IndexOptions<S>): Command.Command<"OK">
} = (
  definition: IndexDefinition.IndexDefinition | string,
  options?: IndexDefinition.IndexOptions
): Command.Command<"OK"> => {
  const value = typeof definition === "string" ? IndexDefinition.make(definition, options!) : definition
  const args = IndexDefinition.createArgs(value)
  return typeof args === "string" ? Command.invalid("FT.CREATE", args) : Command.make(args, Reply.ok, WRITE)
}

/**
 * FT.DROPINDEX index: "OK"; an unknown index is a `ReplyError`.
 *
 * @since 0.1.0
 * @category indexes
 */
export const dropIndex = (name: string): Command.Command<"OK"> => Command.make(["FT.DROPINDEX", name], Reply.ok, WRITE)

/**
 * FT.INFO index: the definition, attributes and indexing state of the index. In a cluster every
 * primary answers for its keys and the counts are added up (`shards` keeps each answer).
 *
 * @since 0.1.0
 * @category indexes
 */
export const info = (name: string): Command.Command<IndexInfo.IndexInfo> =>
  perShard(Command.make(["FT.INFO", name], IndexInfo.decoder, READ), Shards.mergeInfo)

/**
 * FT._LIST: the names of the indexes (of the current database), in no particular order; in a
 * cluster, those of every primary, each once.
 *
 * @since 0.1.0
 * @category indexes
 */
export const list = (): Command.Command<Array<string>> =>
  perShard(Command.make(["FT._LIST"], Reply.array(Reply.text), READ), Shards.unionList)

/**
 * Options of FT.SEARCH: query parameters, fields to return, paging, timeout and dialect.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchOptions {
  /** More `PARAMS` (a `Query` brings its own). */
  readonly params?: Readonly<Record<string, Query.ParamValue>>
  /** `RETURN`: these fields only, each optionally renamed. An empty list returns keys only. */
  readonly return?: ReadonlyArray<string | { readonly field: string; readonly as: string }>
  /** `NOCONTENT`: keys only. */
  readonly noContent?: boolean
  /** `LIMIT offset count`; the module's default is 0 10. */
  readonly limit?: { readonly offset: number; readonly count: number }
  /** Text queries (module 1.2 on): `VERBATIM` (no stemming), `INORDER`, `SLOP n`. */
  readonly verbatim?: boolean
  readonly inOrder?: boolean
  readonly slop?: number
  /** `SORTBY field [ASC|DESC]` (module 1.2 on): order by an attribute instead of by distance. */
  readonly sortBy?: { readonly field: string; readonly order?: "ASC" | "DESC" }
  /** `TIMEOUT` in milliseconds. */
  readonly timeout?: number
  /** `DIALECT n`; the module supports 2. */
  readonly dialect?: number
  /** More fields to keep as bytes (a KNN query's vector field always is). */
  readonly binary?: ReadonlyArray<string>
  /** The field holding a KNN distance, for a query given as a string. */
  readonly scoreField?: string
}

const badCount = (n: number, what: string, min: number): string | undefined =>
  Number.isSafeInteger(n) && n >= min ? undefined : `${what} must be an integer >= ${min}, got ${n}`

const pushParams = (args: Array<RespArg>, params: ReadonlyArray<readonly [string, RespArg]>): string | undefined => {
  if (params.length === 0) return undefined
  const seen = new Set<string>()
  args.push("PARAMS", params.length * 2)
  for (const [name, value] of params) {
    if (seen.has(name)) return `parameter ${name} is given twice`
    seen.add(name)
    args.push(name, value)
  }
  return undefined
}

const allParams = (
  query: Query.Query,
  extra: Readonly<Record<string, Query.ParamValue>> | undefined
): ReadonlyArray<readonly [string, RespArg]> =>
  extra === undefined
    ? query.params
    : [...query.params, ...Object.entries(extra).map(([k, v]) => [k, Query.paramArg(v)] as const)]

/** FT.SEARCH's arguments, or why they are unusable. */
const searchArgs = (name: string, query: Query.Query, options: SearchOptions): Array<RespArg> | string => {
  if (query.invalid !== undefined) return query.invalid
  const args: Array<RespArg> = ["FT.SEARCH", name, query.text]
  const bad = pushParams(args, allParams(query, options.params))
  if (bad !== undefined) return bad
  if (options.return !== undefined) {
    const fields: Array<string> = []
    for (const field of options.return) {
      if (typeof field === "string") fields.push(field)
      else fields.push(field.field, "AS", field.as)
    }
    // The count is of arguments, AS and its name included (as the module parses it).
    args.push("RETURN", fields.length, ...fields)
  }
  if (options.noContent === true) args.push("NOCONTENT")
  if (options.verbatim === true) args.push("VERBATIM")
  if (options.inOrder === true) args.push("INORDER")
  if (options.slop !== undefined) {
    const badSlop = badCount(options.slop, "slop", 0)
    if (badSlop !== undefined) return badSlop
    args.push("SLOP", options.slop)
  }
  if (options.sortBy !== undefined) {
    if (options.sortBy.field === "") return "the sortBy field must not be empty"
    args.push("SORTBY", options.sortBy.field)
    if (options.sortBy.order !== undefined) args.push(options.sortBy.order)
  }
  if (options.limit !== undefined) {
    const badLimit =
      badCount(options.limit.offset, "limit offset", 0) ?? badCount(options.limit.count, "limit count", 0)
    if (badLimit !== undefined) return badLimit
    args.push("LIMIT", options.limit.offset, options.limit.count)
  }
  if (options.timeout !== undefined) {
    const badTimeout = badCount(options.timeout, "timeout", 1)
    if (badTimeout !== undefined) return badTimeout
    args.push("TIMEOUT", options.timeout)
  }
  if (options.dialect !== undefined) {
    const badDialect = badCount(options.dialect, "dialect", 1)
    if (badDialect !== undefined) return badDialect
    args.push("DIALECT", options.dialect)
  }
  return args
}

const asQuery = (query: string | Query.Query): Query.Query => (typeof query === "string" ? Query.make(query) : query)

/**
 * FT.SEARCH index query [PARAMS …] [RETURN …] [NOCONTENT] [VERBATIM] [INORDER] [SLOP n]
 * [SORTBY f [ASC|DESC]] [LIMIT o n] [TIMEOUT ms] [DIALECT n]:
 * the total count and the documents, each with its key, its fields (decoded into a record,
 * since the module sends them in no fixed order) and, for a KNN query, its distance as
 * `score`. Vector fields stay bytes; everything else is UTF-8 text.
 *
 * @since 0.1.0
 * @category search
 */
export const search = (
  name: string,
  query: string | Query.Query,
  options: SearchOptions = {}
): Command.Command<SearchResult.SearchResult> => {
  const q = asQuery(query)
  const args = searchArgs(name, q, options)
  if (typeof args === "string") return Command.invalid("FT.SEARCH", args)
  const one = sortedKeysOnly(options)
    ? Command.map(
        searchCommand(searchArgs(name, q, withSortField(options)) as Array<RespArg>, q, withSortField(options)),
        keysOf
      )
    : searchCommand(args, q, options)
  const { shardOptions, merge } = shardSearch(q, options)
  const shardArgs = searchArgs(name, q, shardOptions) as Array<RespArg>
  const part = searchCommand(shardArgs, q, shardOptions)
  const command = Command.withRouting(one, {
    readonly: true,
    shards: Shards.gatherWith(part, (results) => Shards.mergeSearch(merge, results))
  })
  // For a coordinating module: every one of the k results (its merged KNN reply came back
  // farthest first on 1.0.3, checked live), ranked here as the gathered form would be.
  const all =
    merge.k === undefined
      ? shardOptions
      : { ...shardOptions, limit: { offset: 0, count: Math.max(merge.k, merge.offset + merge.count) } }
  const whole = searchCommand(searchArgs(name, q, all) as Array<RespArg>, q, all)
  COORDINATED.set(
    command,
    Command.map(whole, (result) => Shards.mergeSearch(merge, [result]))
  )
  return command
}

/** The form of each FT.SEARCH command for a coordinating module (see `coordinated`). */
const COORDINATED = new WeakMap<Command.Command<unknown>, Command.Command<unknown>>()

/**
 * Keys only, sorted: module 1.2.1 does not sort a NOCONTENT reply (checked live: SORTBY with
 * NOCONTENT came back in index order, with RETURN of the field sorted), so the field is asked
 * for instead and dropped from the result.
 */
const sortedKeysOnly = (options: SearchOptions): boolean =>
  options.sortBy !== undefined && (options.noContent === true || options.return?.length === 0)

const withSortField = (options: SearchOptions): SearchOptions => {
  const { noContent: _, ...rest } = options
  return { ...rest, return: [options.sortBy!.field] }
}

const keysOf = (result: SearchResult.SearchResult): SearchResult.SearchResult => ({
  total: result.total,
  documents: result.documents.map((document) => ({ key: document.key, fields: {} }))
})

const searchCommand = (
  args: ReadonlyArray<RespArg>,
  q: Query.Query,
  options: SearchOptions
): Command.Command<SearchResult.SearchResult> => {
  const decode = SearchResult.decoder({
    keysOnly: options.noContent === true || options.return?.length === 0,
    binary: new Set([...q.binary, ...(options.binary ?? [])]),
    scoreField: q.scoreField ?? options.scoreField
  })
  // Read as bytes so vector fields arrive exact; the decoder turns the rest into text.
  return Command.bytes(Command.make(args, decode, READ)) as unknown as Command.Command<SearchResult.SearchResult>
}

const returnedName = (field: string | { readonly field: string; readonly as: string }): string =>
  typeof field === "string" ? field : field.as

/**
 * What each primary is asked so that their answers can be merged: the first offset + count
 * documents (the offset applies to the merged list), and the fields the ranking needs (the KNN
 * distance, the SORTBY field) even where the caller asked for keys only or other fields.
 */
const shardSearch = (
  q: Query.Query,
  options: SearchOptions
): { readonly shardOptions: SearchOptions; readonly merge: Shards.SearchMerge } => {
  const offset = options.limit?.offset ?? 0
  const count = options.limit?.count ?? 10
  const scoreField = q.scoreField ?? options.scoreField
  const sortField = options.sortBy?.field
  const byScore = sortField === undefined && scoreField !== undefined
  const keysOnly = options.noContent === true || options.return?.length === 0
  const returned = options.return?.map(returnedName)
  const needed = [byScore ? scoreField : undefined, sortField].filter((f): f is string => f !== undefined)
  // Keys only, or a RETURN without a field the ranking needs: ask for that field too.
  const missing = keysOnly ? needed : returned === undefined ? [] : needed.filter((f) => !returned.includes(f))
  const extra = missing.length === 0 ? {} : { return: [...(keysOnly ? [] : (options.return ?? [])), ...missing] }
  const { noContent: _, ...rest } = options
  const shardOptions: SearchOptions = {
    ...(keysOnly && missing.length > 0 ? rest : options),
    ...extra,
    limit: { offset: 0, count: offset + count }
  }
  return {
    shardOptions,
    merge: {
      offset,
      count,
      k: Shards.knnK(q.text),
      byScore,
      sortBy: sortField === undefined ? undefined : { field: sortField, descending: options.sortBy?.order === "DESC" },
      drop: keysOnly ? [] : missing.filter((f) => f !== scoreField),
      keysOnly,
      // The distance is a field of the reply only when the caller's RETURN names it (or has none).
      keepScore: !keysOnly && (returned === undefined || (scoreField !== undefined && returned.includes(scoreField)))
    }
  }
}

/**
 * Options of FT.AGGREGATE: fields to load, query parameters, timeout and dialect, and the stages.
 *
 * @since 0.1.0
 * @category models
 */
export interface AggregateOptions {
  /** `LOAD *`, or these fields (`@price`, `$.path`), each optionally renamed. */
  readonly load?: "*" | ReadonlyArray<string | { readonly field: string; readonly as: string }>
  readonly params?: Readonly<Record<string, Query.ParamValue>>
  readonly timeout?: number
  readonly dialect?: number
  readonly verbatim?: boolean
  readonly inOrder?: boolean
  readonly slop?: number
  /** The processing stages, run in order. */
  readonly stages?: ReadonlyArray<Aggregate.Stage>
}

/**
 * FT.AGGREGATE index query [DIALECT n] [INORDER] [LOAD …] [PARAMS …] [SLOP n] [TIMEOUT ms]
 * [VERBATIM] stage…: one record per output row (the leading count, which the module's docs say
 * to ignore, is dropped). Module 1.1 on; 1.0.3 lacks it. In a cluster every primary runs it and
 * the rows are put together when the stages work row by row (APPLY, FILTER); GROUPBY, SORTBY
 * and LIMIT over shards fail with `InvalidArgumentError` (see `coordinated`).
 *
 * @since 0.1.0
 * @category search
 */
export const aggregate = (
  name: string,
  query: string | Query.Query,
  options: AggregateOptions = {}
): Command.Command<Array<Record<string, SearchResult.AggregateValue>>> => {
  const q = asQuery(query)
  if (q.invalid !== undefined) return Command.invalid("FT.AGGREGATE", q.invalid)
  const args: Array<RespArg> = ["FT.AGGREGATE", name, q.text]
  if (options.dialect !== undefined) {
    const bad = badCount(options.dialect, "dialect", 1)
    if (bad !== undefined) return Command.invalid("FT.AGGREGATE", bad)
    args.push("DIALECT", options.dialect)
  }
  if (options.inOrder === true) args.push("INORDER")
  if (options.load === "*") args.push("LOAD", "*")
  else if (options.load !== undefined) {
    const fields: Array<string> = []
    for (const field of options.load) {
      if (typeof field === "string") fields.push(field)
      else fields.push(field.field, "AS", field.as)
    }
    args.push("LOAD", fields.length, ...fields)
  }
  const badParams = pushParams(args, allParams(q, options.params))
  if (badParams !== undefined) return Command.invalid("FT.AGGREGATE", badParams)
  if (options.slop !== undefined) {
    const bad = badCount(options.slop, "slop", 0)
    if (bad !== undefined) return Command.invalid("FT.AGGREGATE", bad)
    args.push("SLOP", options.slop)
  }
  if (options.timeout !== undefined) {
    const bad = badCount(options.timeout, "timeout", 1)
    if (bad !== undefined) return Command.invalid("FT.AGGREGATE", bad)
    args.push("TIMEOUT", options.timeout)
  }
  if (options.verbatim === true) args.push("VERBATIM")
  const stages = options.stages ?? []
  const badStage = Aggregate.pushStages(args, stages)
  if (badStage !== undefined) return Command.invalid("FT.AGGREGATE", badStage)
  const command = Command.make(args, SearchResult.aggregateDecoder, READ)
  return Command.withRouting(command, { readonly: true, shards: Shards.aggregateShards(command, stages) })
}

/**
 * FT.ALIASADD alias index: "OK". Documented from module 1.3 on.
 *
 * @since 0.1.0
 * @category aliases
 */
export const aliasAdd = (alias: string, name: string): Command.Command<"OK"> =>
  alias === ""
    ? Command.invalid("FT.ALIASADD", "the alias must not be empty")
    : Command.make(["FT.ALIASADD", alias, name], Reply.ok, ONE_NODE)

/**
 * FT.ALIASUPDATE alias index: "OK" (creates the alias, or moves it to `index`).
 *
 * @since 0.1.0
 * @category aliases
 */
export const aliasUpdate = (alias: string, name: string): Command.Command<"OK"> =>
  alias === ""
    ? Command.invalid("FT.ALIASUPDATE", "the alias must not be empty")
    : Command.make(["FT.ALIASUPDATE", alias, name], Reply.ok, ONE_NODE)

/**
 * FT.ALIASDEL alias: "OK".
 *
 * @since 0.1.0
 * @category aliases
 */
export const aliasDel = (alias: string): Command.Command<"OK"> =>
  alias === ""
    ? Command.invalid("FT.ALIASDEL", "the alias must not be empty")
    : Command.make(["FT.ALIASDEL", alias], Reply.ok, ONE_NODE)

/**
 * FT.ALIASLIST: alias → index name.
 *
 * @since 0.1.0
 * @category aliases
 */
export const aliasList = (): Command.Command<Record<string, string>> =>
  Command.make(["FT.ALIASLIST"], Reply.record(Reply.text), READ)

/**
 * FT.EXPLAINCLI index query: the predicate tree of the query, one line per element. The module
 * documents this form (from 1.3) and no FT.EXPLAIN; FT.PROFILE is not a valkey-search command.
 *
 * @since 0.1.0
 * @category search
 */
export const explainCli = (name: string, query: string | Query.Query): Command.Command<Array<string>> => {
  const q = asQuery(query)
  return q.invalid !== undefined
    ? Command.invalid("FT.EXPLAINCLI", q.invalid)
    : Command.make(["FT.EXPLAINCLI", name, q.text], Reply.array(Reply.text), READ)
}

/**
 * Decodes the fields of a search's documents with a Schema: `Search.withSchema(MySchema)(cmd)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withSchema = SearchResult.withSchema

/**
 * The same command for a cluster whose search module coordinates (loaded with
 * `--use-coordinator`): such a module spreads FT.CREATE / FT.DROPINDEX to every node and fans
 * FT.SEARCH / FT.AGGREGATE out and merges by itself, so the command goes to one primary. A
 * command from `Search.search` (apply `coordinated` before `withSchema`) asks that node for all
 * k results of a KNN query with their distances and ranks them here, since the 1.0.3
 * coordinator's merged reply came back farthest first; any other command goes as given. Not
 * for FT.INFO, which stays per node there too (leave it as it is). Standalone: one node anyway.
 *
 * @since 0.1.0
 * @category combinators
 */
export const coordinated = <A>(command: Command.Command<A>): Command.Command<A> =>
  (COORDINATED.get(command) as Command.Command<A> | undefined) ??
  Command.withRouting(command, command.readonly ? READ : ONE_NODE)
