/**
 * The cluster router's parts that tests and the module packages' own tests look inside: how a
 * multi-key command is split by slot and recombined, the server's COMMAND table, and how
 * replies of several nodes combine. No stability promise: an application needs none of it.
 *
 * @since 0.2.0
 */
export * as Aggregate from "./Aggregate.ts"
export * as CommandTable from "./CommandTable.ts"
export * as MultiSlot from "./MultiSlot.ts"
