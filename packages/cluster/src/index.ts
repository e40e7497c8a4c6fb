/**
 * effect-valkey in cluster mode: slot routing, redirects, multi-slot commands, explicit routes.
 *
 * @since 0.1.0
 */

export type { ReadFrom } from "./ClusterConfig.ts"
export * as ClusterConfig from "./ClusterConfig.ts"
export type { ClusterRouterService, Route } from "./ClusterRouter.ts"
export * as ClusterRouter from "./ClusterRouter.ts"
export type { ClusterScanCursor, ClusterScanOptions } from "./ClusterScan.ts"
export * as ClusterScan from "./ClusterScan.ts"
export type { PartOutcome } from "./MultiSlot.ts"
export * as Slot from "./Slot.ts"
export * as Topology from "./Topology.ts"
export { TopologyError } from "./Topology.ts"
export * as ValkeyCluster from "./ValkeyCluster.ts"
