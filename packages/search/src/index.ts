/**
 * effect-valkey search: the valkey-search module's commands (FT.CREATE, FT.SEARCH with KNN
 * vector queries, FT.INFO, …) as command values, typed index and query builders, and vector
 * helpers.
 *
 * @since 0.1.0
 */

export * as Aggregate from "./Aggregate.ts"
export * as Field from "./Field.ts"
export * as IndexDefinition from "./IndexDefinition.ts"
export * as IndexInfo from "./IndexInfo.ts"
export * as Indexing from "./Indexing.ts"
export * as Query from "./Query.ts"
export * as Search from "./Search.ts"
export * as SearchResult from "./SearchResult.ts"
export * as Shards from "./Shards.ts"
export * as Vector from "./Vector.ts"
